import ContentLines
public import ICalendar

/// Edits of one calendar object (a `VCALENDAR` holding one event, its overrides and the
/// time zones they use), as values: a new event, the whole series, one occurrence, this
/// occurrence and the ones after it, or removals. Each edit raises the `SEQUENCE` of what
/// it changes, sets `DTSTAMP` and `LAST-MODIFIED` to `stamp`, keeps what the draft does not
/// speak of, and adds a `VTIMEZONE` for any zone the object now uses.
///
/// Occurrences are named by their reference instant (``referenceInstant(of:resolver:)``):
/// the RECURRENCE-ID as seconds since 1970 UTC, with floating and all-day times read as UTC.
public enum EventEditor {
    /// A new calendar object holding one event.
    public static func newObject(_ draft: EventDraft, uid: String, stamp: Int64) throws(EventEditError) -> Component {
        try draft.validate()
        var event = Component.event(uid: uid, timestamp: LocalDateTime(secondsSinceEpoch: stamp), start: draft.startAndEnd.start)
        draft.apply(to: &event, withRecurrence: true)
        setStamps(&event, stamp)
        var object = Component.calendar(components: [event])
        object.addMissingTimeZones()
        return object
    }

    /// The object with its event (the whole series) replaced by `draft`. When the series'
    /// start changes, its overrides and exceptions no longer name instances and are dropped.
    public static func replaceSeries(in object: Component, with draft: EventDraft, stamp: Int64) throws(EventEditError) -> Component {
        try draft.validate()
        var object = object
        let index = try masterIndex(in: object)
        var master = object.components[index]
        let oldStart = try? master.start
        draft.apply(to: &master, withRecurrence: true)
        bump(&master, stamp)
        object.components[index] = master
        if (try? master.start) != oldStart {
            object.components.removeAll { $0.name == ComponentName.event && $0.property(PropertyName.recurrenceID) != nil }
            object.components[index].removeProperties(PropertyName.exceptionDate)
        }
        return tidied(object)
    }

    /// The object with one occurrence of its series changed to `draft` (an override with
    /// that occurrence's RECURRENCE-ID, made or replaced).
    public static func replaceOccurrence(in object: Component, at occurrence: Int64, with draft: EventDraft, stamp: Int64)
        throws(EventEditError) -> Component
    {
        try draft.validate()
        guard draft.recurrence == nil else { throw .invalid("recurrence", "one occurrence has no rule of its own") }
        var object = object
        let series = try Series(object)
        let id = try series.recurrenceID(at: occurrence)
        var override: Component
        if let existing = series.overrideIndex(of: id) {
            override = object.components[existing]
            object.components.remove(at: existing)
        } else {
            override = series.master
            for name in [PropertyName.recurrenceRule, PropertyName.recurrenceDate, PropertyName.exceptionDate, PropertyName.recurrenceID] {
                override.removeProperties(name)
            }
            override.appendProperty(Property(name: PropertyName.recurrenceID, dateOrDateTime: id))
        }
        draft.apply(to: &override, withRecurrence: false)
        bump(&override, stamp)
        object.components.append(override)
        return tidied(object)
    }

    /// The series split at an occurrence: the object keeps the instances before it, and a
    /// new object (UID `newUID`) holds `draft` from that occurrence on, with the draft's
    /// rule or else the old one (ending where the old series ended). Splitting at the first
    /// occurrence changes the whole series instead (`future` is then `nil`).
    public static func split(_ object: Component, at occurrence: Int64, with draft: EventDraft, newUID: String, stamp: Int64)
        throws(EventEditError) -> (kept: Component, future: Component?)
    {
        try draft.validate()
        let series = try Series(object)
        guard let kept = try truncate(object, before: occurrence, stamp: stamp) else {
            return (try replaceSeries(in: object, with: draft, stamp: stamp), nil)
        }
        var future = draft
        if future.recurrence == nil, var rule = (try? series.master.recurrenceRules)?.first {
            // A counted series keeps its length: the new one has the instances that were left.
            if rule.count != nil { rule.count = try series.rulePoints(from: try series.recurrenceID(at: occurrence)) }
            future.recurrence = rule
        }
        var event = try newObject(future, uid: newUID, stamp: stamp)
        // The new series carries what the old one held beyond the draft (attendees, alarms…).
        if let index = event.components.firstIndex(where: { $0.name == ComponentName.event }) {
            var carried = series.master
            for name in [PropertyName.uid, PropertyName.recurrenceRule, PropertyName.recurrenceDate, PropertyName.exceptionDate] {
                carried.removeProperties(name)
            }
            carried.appendProperty(Property(name: PropertyName.uid, value: newUID))
            future.apply(to: &carried, withRecurrence: true)
            carried.setSequence(0)
            setStamps(&carried, stamp)
            event.components[index] = carried
        }
        return (kept, tidied(event))
    }

    /// The object without one occurrence (an `EXDATE`, and its override removed).
    public static func removeOccurrence(in object: Component, at occurrence: Int64, stamp: Int64) throws(EventEditError) -> Component {
        var object = object
        let series = try Series(object)
        let id = try series.recurrenceID(at: occurrence)
        if let existing = series.overrideIndex(of: id) { object.components.remove(at: existing) }
        let index = try masterIndex(in: object)
        object.components[index].appendProperty(Property(name: PropertyName.exceptionDate, dateOrDateTime: id))
        bump(&object.components[index], stamp)
        return object
    }

    /// The object with its series ended before an occurrence (that one and the later ones
    /// removed), or `nil` when nothing would be left (the occurrence is the first).
    public static func truncate(_ object: Component, before occurrence: Int64, stamp: Int64) throws(EventEditError) -> Component? {
        let series = try Series(object)
        let id = try series.recurrenceID(at: occurrence)
        guard try series.hasOccurrence(before: id) else { return nil }
        var object = object
        object.components.removeAll { component in
            guard component.name == ComponentName.event, let other = try? component.recurrenceID else { return false }
            return series.point(of: other) >= series.point(of: id)
        }
        let index = try masterIndex(in: object)
        var master = object.components[index]
        var rules = (try? master.recurrenceRules) ?? []
        let until = series.untilValue(before: id)
        for position in rules.indices {
            rules[position].count = nil
            rules[position].until = until
        }
        master.setRecurrenceRules(rules)
        // RDATEs at or after the occurrence go too.
        let cut = series.point(of: id)
        let lateDates = master.properties.indices.filter { position in
            let property = master.properties[position]
            guard property.name == PropertyName.recurrenceDate, let dates = try? property.recurrenceDates() else { return false }
            return dates.contains { date in
                switch date {
                case .instant(let value): series.point(of: value) >= cut
                case .period(let period): series.point(of: .dateTime(period.start)) >= cut
                }
            }
        }
        for position in lateDates.reversed() { master.removeProperty(at: position) }
        bump(&master, stamp)
        object.components[index] = master
        return object
    }

    /// An occurrence's reference instant: its RECURRENCE-ID (or start) as seconds since 1970
    /// UTC; floating and all-day values are read as UTC.
    public static func referenceInstant(of value: DateOrDateTime, resolver: TimeZoneResolver) -> Int64 {
        if case .dateTime(let dateTime) = value, let utc = try? resolver.utcSeconds(for: dateTime) { return utc }
        return value.wallClock.secondsSinceEpoch
    }

    // MARK: Helpers

    static func masterIndex(in object: Component) throws(EventEditError) -> Int {
        guard object.name == ComponentName.calendar,
            let index = object.components.firstIndex(where: { $0.name == ComponentName.event && $0.property(PropertyName.recurrenceID) == nil })
        else { throw EventEditError(code: .unreadable, message: "the calendar object holds no event (or only overrides)") }
        return index
    }

    static func bump(_ event: inout Component, _ stamp: Int64) {
        event.setSequence(((try? event.sequence) ?? 0) + 1)
        setStamps(&event, stamp)
    }

    static func setStamps(_ event: inout Component, _ stamp: Int64) {
        let text = DateTime(LocalDateTime(secondsSinceEpoch: stamp), form: .utc).icalendarText
        event.setProperty(Property(name: PropertyName.timestamp, value: text))
        event.setProperty(Property(name: PropertyName.lastModified, value: text))
    }

    /// The object with a VTIMEZONE for every zone it uses (and none it no longer does).
    static func tidied(_ object: Component) -> Component {
        var object = object
        let used = Set(object.components.filter { $0.name != ComponentName.timeZone }.flatMap(\.properties).compactMap(\.timeZoneID))
        object.components.removeAll { $0.name == ComponentName.timeZone && !used.contains($0.property(PropertyName.timeZoneID)?.value ?? "") }
        object.addMissingTimeZones()
        // Time zones first, as most servers write them.
        let zones = object.components.filter { $0.name == ComponentName.timeZone }
        object.components = zones + object.components.filter { $0.name != ComponentName.timeZone }
        return object
    }
}

/// A series as the editor reads it: the master, its overrides, and its instances.
struct Series {
    let object: Component
    let master: Component
    let start: DateOrDateTime
    let resolver: TimeZoneResolver
    let set: RecurrenceSet

    init(_ object: Component) throws(EventEditError) {
        self.object = object
        master = object.components[try EventEditor.masterIndex(in: object)]
        guard let start = try? master.start else { throw EventEditError(code: .unreadable, message: "the event has no readable DTSTART") }
        self.start = start
        resolver = TimeZoneResolver(calendar: object)
        guard master.isRecurring else { throw .invalid("occurrence", "the event does not recur") }
        let uid = master.uid
        let overrides = object.components.filter { $0.name == ComponentName.event && $0.uid == uid && $0.property(PropertyName.recurrenceID) != nil }
        do {
            set = try RecurrenceSet(master: master, overrides: overrides, resolver: resolver)
        } catch {
            throw EventEditError(code: .unreadable, message: "the series cannot be read: \(error)")
        }
    }

    /// The zone DTSTART is written in, if any.
    var zone: (any ZoneRules)? {
        guard case .dateTime(let dateTime) = start, let tzid = dateTime.tzid else { return nil }
        return try? resolver.rules(for: tzid)
    }

    /// The RECURRENCE-ID, in DTSTART's form, of the occurrence at `instant`; refused when
    /// the series has no occurrence there.
    func recurrenceID(at instant: Int64) throws(EventEditError) -> DateOrDateTime {
        let id: DateOrDateTime
        switch start {
        case .date:
            id = .date(LocalDateTime(secondsSinceEpoch: instant).date)
        case .dateTime(let dateTime):
            switch dateTime.form {
            case .utc, .floating: id = .dateTime(DateTime(LocalDateTime(secondsSinceEpoch: instant), form: dateTime.form))
            case .zoned(let tzid):
                guard let zone else { throw EventEditError(code: .unreadable, message: "time zone \(tzid) cannot be read") }
                id = .dateTime(DateTime(zone.localTime(at: instant), form: dateTime.form))
            }
        }
        if overrideIndex(of: id) != nil { return id }
        let bound = TimeBound.local(id.wallClock)
        let found: [Occurrence]
        do {
            found = try set.occurrences(from: bound, to: .local(LocalDateTime(secondsSinceEpoch: id.wallClock.secondsSinceEpoch + 1)))
        } catch {
            throw EventEditError(code: .unreadable, message: "the series cannot be read: \(error)")
        }
        guard found.contains(where: { point(of: $0.recurrenceID) == point(of: id) }) else {
            throw EventEditError(code: .notFound, field: "occurrence", message: "the series has no occurrence at \(id.icalendarText)")
        }
        return id
    }

    /// The component that overrides the occurrence `id`, by index in the object.
    func overrideIndex(of id: DateOrDateTime) -> Int? {
        object.components.firstIndex { component in
            component.name == ComponentName.event && component.uid == master.uid
                && (try? component.recurrenceID).flatMap { $0 }.map { point(of: $0) == point(of: id) } == true
        }
    }

    /// A value's place in the series' frame (its wall-clock time in DTSTART's zone).
    func point(of value: DateOrDateTime) -> LocalDateTime {
        guard case .dateTime(let dateTime) = value, dateTime.form != .floating, let zone,
            let utc = try? resolver.utcSeconds(for: dateTime)
        else {
            if case .dateTime(let dateTime) = value, dateTime.form == .utc, case .dateTime(let own) = start, own.form == .floating {
                return dateTime.local
            }
            return value.wallClock
        }
        return zone.localTime(at: utc)
    }

    func hasOccurrence(before id: DateOrDateTime) throws(EventEditError) -> Bool {
        var iterator = set.makeIterator(from: .local(LocalDateTime(secondsSinceEpoch: start.wallClock.secondsSinceEpoch - 366 * 86_400)))
        do {
            while let next = try iterator.next() {
                if point(of: next.recurrenceID) < point(of: id) { return true }
                if next.start.wallClock > id.wallClock, point(of: next.recurrenceID) > point(of: id) { return false }
            }
        } catch {
            throw EventEditError(code: .unreadable, message: "the series cannot be read: \(error)")
        }
        return false
    }

    /// How many points the master's rule produces from `id` on (EXDATEs count, as COUNT
    /// counts them), for a COUNT rule.
    func rulePoints(from id: DateOrDateTime) throws(EventEditError) -> Int {
        var bare = master
        for name in [PropertyName.exceptionDate, PropertyName.recurrenceDate] { bare.removeProperties(name) }
        do {
            var iterator = try RecurrenceSet(master: bare, resolver: resolver).makeIterator(from: .local(start.wallClock))
            var count = 0
            while let next = try iterator.next() {
                if point(of: next.recurrenceID) >= point(of: id) { count += 1 }
            }
            return count
        } catch {
            throw EventEditError(code: .unreadable, message: "the series cannot be read: \(error)")
        }
    }

    /// An UNTIL that ends the rule just before `id`.
    func untilValue(before id: DateOrDateTime) -> DateOrDateTime {
        switch id {
        case .date(let date): return .date(date.adding(days: -1))
        case .dateTime(let dateTime):
            guard dateTime.form != .floating, let utc = try? resolver.utcSeconds(for: dateTime) else {
                return .dateTime(DateTime(LocalDateTime(secondsSinceEpoch: dateTime.local.secondsSinceEpoch - 1), form: .floating))
            }
            return .dateTime(DateTime(LocalDateTime(secondsSinceEpoch: utc - 1), form: .utc))
        }
    }
}
