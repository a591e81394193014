import ContentLines

/// The instances of one event or to-do (RFC 5545 §3.8.5): DTSTART, every RRULE, RDATE,
/// less EXDATE, with RECURRENCE-ID overrides applied (`RANGE=THISANDFUTURE` too) and
/// cancelled instances removed.
///
/// Instances are generated in DTSTART's wall-clock time and then resolved through its
/// zone, so a 09:00 Europe/Berlin meeting stays at 09:00 across DST; floating instances
/// stay floating and all-day ones stay dates.
public struct RecurrenceSet: Sendable {
    /// A point of the series in DTSTART's frame: the wall-clock time of the instance.
    private typealias Point = LocalDateTime

    private let master: Component
    /// The series' UID.
    public let uid: String?
    private let start: DateOrDateTime
    private let zone: (any ZoneRules)?
    private let expanders: [RuleExpander]
    /// Every point of each rule with a small COUNT, generated once: a COUNT rule can only
    /// be walked from DTSTART, so a series asked about many windows would walk it each time.
    private let countedPoints: [[Point]?]
    private let recurrenceDates: [Point]
    private let exceptionTimes: Set<Point>
    private let exceptionDates: Set<CalendarDate>
    private let overrides: [Point: Component]
    private let futureOverrides: [(id: Point, component: Component)]
    /// How far an override moves an instance, at most, in seconds (for window margins).
    private let maximumShift: Int64
    /// The longest instance, in seconds (for window margins).
    private let maximumLength: Int64
    /// The most instances one query may produce.
    public let maxOccurrences: Int
    /// What was repaired to read the series (broken recurrence rules as real calendars
    /// carry them), in words; empty when nothing was.
    public let repairs: [String]

    /// A rule as written, or repaired: an empty rule is dropped; a COUNT that is not a
    /// positive number, or that stands beside UNTIL (RFC 5545 allows one or the other), is
    /// dropped; anything else unreadable drops the rule. Returns the rule (if any) and a note
    /// for any repair.
    static func readRule(_ text: String) -> (RecurrenceRule?, String?) {
        if let rule = try? RecurrenceRule(parsing: text) { return (rule, nil) }
        let parts = text.split(separator: ";").map(String.init).filter { $0.contains("=") }
        guard !parts.isEmpty else { return (nil, "empty RRULE dropped: the event keeps its first instance") }
        let hasUntil = parts.contains { $0.uppercased().hasPrefix("UNTIL=") }
        let kept = parts.filter { part in
            guard part.uppercased().hasPrefix("COUNT=") else { return true }
            return !hasUntil && (Int(part.dropFirst(6)) ?? 0) > 0
        }
        if kept.count < parts.count, let rule = try? RecurrenceRule(parsing: kept.joined(separator: ";")) {
            return (rule, "RRULE \(text): contradictory COUNT dropped")
        }
        return (nil, "RRULE \(text) unreadable: dropped, the event keeps its first instance")
    }

    /// A DATE or DATE-TIME as an instant for comparing (zoned values in `zone`, floating and
    /// dates as if UTC).
    private static func instant(of value: DateOrDateTime, zone: (any ZoneRules)?) -> Int64 {
        switch value {
        case .date: return value.wallClock.secondsSinceEpoch
        case .dateTime(let dateTime):
            if dateTime.form == .utc { return dateTime.local.secondsSinceEpoch }
            return zone?.instant(of: dateTime.local) ?? dateTime.local.secondsSinceEpoch
        }
    }

    /// Reads a master component (VEVENT, VTODO) and its overrides (same UID, with
    /// RECURRENCE-ID); time zones resolve through `resolver`.
    public init(
        master: Component, overrides: [Component] = [], resolver: TimeZoneResolver,
        options: RuleExpander.Options = .init(), maxOccurrences: Int = 1_000_000
    ) throws(RecurrenceError) {
        self.master = master
        self.uid = master.uid
        self.maxOccurrences = maxOccurrences
        func invalid(_ error: some Error) -> RecurrenceError {
            RecurrenceError(.invalidComponent, hint: "\(master.name) \(master.uid ?? "without UID"): \(error)")
        }
        do throws(ValueError) {
            guard let start = try master.start else {
                throw ValueError(type: "DTSTART", hint: "a recurring component needs DTSTART")
            }
            self.start = start
        } catch {
            throw invalid(error)
        }
        var zone: (any ZoneRules)?
        if case .dateTime(let dateTime) = start, let tzid = dateTime.tzid {
            do throws(TimeZoneError) { zone = try resolver.rules(for: tzid) } catch { throw invalid(error) }
        }
        self.zone = zone
        let startPoint = start.wallClock
        let isDate = start.isDate

        // RRULEs, repaired where real calendars are broken in known ways: the event keeps at
        // least its first instance, and contradictory parts go, each with a note.
        var expanders: [RuleExpander] = []
        var repairs: [String] = []
        var rules: [RecurrenceRule] = []
        for property in master.properties(PropertyName.recurrenceRule) {
            let (rule, note) = Self.readRule(property.value)
            if let note { repairs.append(note) }
            guard let rule else { continue }
            if let until = rule.until, Self.instant(of: until, zone: zone) < Self.instant(of: start, zone: zone) {
                repairs.append("RRULE \(property.value) ends before DTSTART: dropped, the event keeps its first instance")
                continue
            }
            rules.append(rule)
        }
        self.repairs = repairs
        do {
            for rule in rules {
                var until: RuleExpander.Until?
                if case .dateTime(let limit)? = rule.until, limit.form == .utc, let zone {
                    until = .instant(limit.local.secondsSinceEpoch, zone: zone)
                }
                expanders.append(try RuleExpander(rule: rule, start: startPoint, allDay: isDate, until: until, options: options))
            }
        } catch {
            throw invalid(error)
        }
        self.expanders = expanders
        do {
            self.countedPoints = try expanders.map { (expander) throws(RecurrenceError) -> [Point]? in
                guard let count = expander.rule.count, count <= Self.maxCountedPoints else { return nil }
                var iterator = expander.makeIterator()
                var points: [Point] = []
                while let point = try iterator.next() { points.append(point) }
                return points
            }
        } catch {
            throw invalid(error)
        }

        // RDATE and EXDATE, brought into DTSTART's frame.
        let frame = Frame(start: start, zone: zone, resolver: resolver)
        do throws(ValueError) {
            var points: [Point] = []
            for date in try master.recurrenceDates {
                switch date {
                case .instant(let value): points.append(frame.converted(value))
                case .period(let period): points.append(frame.converted(.dateTime(period.start)))
                }
            }
            self.recurrenceDates = points.sorted()
            var times = Set<Point>()
            var dates = Set<CalendarDate>()
            for value in try master.exceptionDates {
                if case .date(let date) = value, !isDate { dates.insert(date) } else { times.insert(frame.converted(value)) }
            }
            self.exceptionTimes = times
            self.exceptionDates = dates

            // Overrides, keyed by RECURRENCE-ID in DTSTART's frame.
            var byID: [Point: Component] = [:]
            var future: [(id: Point, component: Component)] = []
            var shift: Int64 = 0
            var length = try Self.length(of: master, frame: frame)
            for override in overrides {
                guard let property = override.property(PropertyName.recurrenceID) else { continue }
                let id = frame.converted(try property.dateOrDateTime())
                if property.parameter("RANGE")?.value?.uppercased() == "THISANDFUTURE" {
                    future.append((id, override))
                }
                byID[id] = override
                if let overrideStart = try override.start {
                    shift = max(shift, abs(frame.converted(overrideStart).secondsSinceEpoch - id.secondsSinceEpoch))
                }
                length = max(length, try Self.length(of: override, frame: frame))
            }
            self.overrides = byID
            self.futureOverrides = future.sorted { $0.id < $1.id }
            self.maximumShift = shift
            self.maximumLength = length
        } catch {
            throw invalid(error)
        }
        self.frame = frame
        do throws(ValueError) {
            self.masterDuration = try frame.duration(of: master, startingAt: start)
        } catch {
            throw invalid(error)
        }
    }

    let frame: Frame
    private let masterDuration: CalendarDuration

    // MARK: Queries

    /// The instances that overlap `[from, to)`, in start order. An instance with no
    /// length overlaps when its start lies in the window.
    public func occurrences(from: TimeBound, to: TimeBound) throws(RecurrenceError) -> [Occurrence] {
        let lower = frame.point(from)
        let upper = frame.point(to)
        let margin = maximumShift + maximumLength + 86_400
        let points = try basePoints(
            from: LocalDateTime(secondsSinceEpoch: lower.secondsSinceEpoch - margin),
            through: LocalDateTime(secondsSinceEpoch: upper.secondsSinceEpoch + maximumShift + 86_400))
        var result: [Occurrence] = []
        result.reserveCapacity(points.count)
        for point in points {
            guard let occurrence = try occurrence(at: point) else { continue }
            if overlaps(occurrence, lower: from, upper: to) { result.append(occurrence) }
        }
        // An override whose RECURRENCE-ID the series does not produce still appears.
        for (id, _) in overrides where !Self.contains(points, id) && !isExcluded(id) {
            guard let occurrence = try occurrence(at: id, forced: true) else { continue }
            if overlaps(occurrence, lower: from, upper: to) { result.append(occurrence) }
        }
        return result.sorted(byKey: \.orderingKey)
    }

    /// Up to `limit` instances that start at or after `from`, in start order.
    public func occurrences(from: TimeBound, limit: Int) throws(RecurrenceError) -> [Occurrence] {
        var iterator = makeIterator(from: from)
        var result: [Occurrence] = []
        while result.count < limit, let next = try iterator.next() { result.append(next) }
        return result
    }

    /// The first instance starting at or after `instant`, if any.
    public func next(after bound: TimeBound) throws(RecurrenceError) -> Occurrence? {
        try occurrences(from: bound, limit: 1).first
    }

    /// The latest instant at which an instance ends — an upper bound for indexing a
    /// series by time — or `nil` when the series runs on (an RRULE without COUNT or UNTIL)
    /// or has more than `limit` instances. Floating and all-day instances are read in the
    /// latest zone on Earth (UTC−12), so the bound holds wherever they are seen.
    public func lastEnd(limit: Int = 10_000) throws(RecurrenceError) -> Int64? {
        guard !isUnbounded else { return nil }
        // Overrides may move an instance before DTSTART, and RDATEs may precede it.
        let first = min(start.wallClock, recurrenceDates.first ?? start.wallClock)
        var iterator = makeIterator(from: .local(LocalDateTime(secondsSinceEpoch: first.secondsSinceEpoch - maximumShift - 86_400)))
        var latest: Int64?
        var count = 0
        while let occurrence = try iterator.next() {
            count += 1
            if count > limit { return nil }
            let end = occurrence.endUTC ?? occurrence.end.wallClock.secondsSinceEpoch + 12 * 3600
            latest = max(latest ?? end, end)
        }
        // The walk ends with the series' own instances; an override may move one later (by
        // at most `maximumShift`, lasting at most `maximumLength`).
        guard let lastOverride = overrides.keys.max() else { return latest }
        let moved = lastOverride.secondsSinceEpoch + maximumShift + maximumLength + 12 * 3600
        return max(latest ?? moved, moved)
    }

    // MARK: Generation

    var isUnbounded: Bool {
        expanders.contains { $0.rule.count == nil && $0.rule.until == nil }
    }

    /// Whether nothing of the series (before overrides) lies after `point`.
    func isExhausted(after point: LocalDateTime) throws(RecurrenceError) -> Bool {
        if recurrenceDates.contains(where: { $0 > point }) || start.wallClock > point { return false }
        for expander in expanders {
            var iterator = expander.makeIterator(from: point)
            if try iterator.next() != nil { return false }
        }
        return true
    }

    /// DTSTART, RRULE and RDATE points in `[from, through]`, sorted, unique, less EXDATE.
    private func basePoints(from: Point, through: Point) throws(RecurrenceError) -> [Point] {
        var points: [Point] = []
        let first = start.wallClock
        if first >= from, first <= through { points.append(first) }
        for point in recurrenceDates where point >= from && point <= through { points.append(point) }
        for (expander, counted) in zip(expanders, countedPoints) {
            if let counted {
                var index = Self.firstIndex(in: counted, notBefore: from)
                while index < counted.count, counted[index] <= through {
                    points.append(counted[index])
                    index += 1
                }
                continue
            }
            var iterator = expander.makeIterator(from: from, through: through)
            while let point = try iterator.next() {
                points.append(point)
                if points.count > maxOccurrences {
                    throw RecurrenceError(.limitExceeded, hint: "more than \(maxOccurrences) instances in one query")
                }
            }
        }
        points.sort()
        var unique: [Point] = []
        unique.reserveCapacity(points.count)
        for point in points where point != unique.last && !isExcluded(point) { unique.append(point) }
        return unique
    }

    /// The most points of one COUNT rule generated up front (see `countedPoints`).
    private static let maxCountedPoints = 10_000

    /// The index of the first of `sorted` at or after `point`.
    private static func firstIndex(in sorted: [Point], notBefore point: Point) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < point { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private func isExcluded(_ point: Point) -> Bool {
        exceptionTimes.contains(point) || exceptionDates.contains(point.date)
    }

    /// The instance whose RECURRENCE-ID is `point`, or `nil` when it is cancelled.
    private func occurrence(at point: Point, forced: Bool = false) throws(RecurrenceError) -> Occurrence? {
        let id = frame.value(point, like: start)
        do throws(ValueError) {
            if let override = overrides[point] {
                if override.status == .cancelled { return nil }
                return try make(id: id, component: override, start: try override.start ?? id)
            }
            if let future = futureOverrides.last(where: { $0.id < point }) {
                if future.component.status == .cancelled { return nil }
                let futureStart = try future.component.start.map { (value) throws(ValueError) in frame.converted(value) }
                    ?? future.id
                let shifted = LocalDateTime(
                    secondsSinceEpoch: point.secondsSinceEpoch + futureStart.secondsSinceEpoch - future.id.secondsSinceEpoch)
                return try make(id: id, component: future.component, start: frame.value(shifted, like: start))
            }
            return try make(id: id, component: master, start: id, duration: masterDuration)
        } catch {
            throw RecurrenceError(.invalidComponent, hint: "\(master.uid ?? "component"): \(error)")
        }
    }

    /// An instance; `duration` is passed for the master, whose length is known.
    private func make(
        id: DateOrDateTime, component: Component, start: DateOrDateTime, duration: CalendarDuration? = nil
    ) throws(ValueError) -> Occurrence {
        let end: DateOrDateTime
        if let duration {
            end = frame.end(startingAt: start, lasting: duration)
        } else {
            end = try frame.end(of: component, startingAt: start)
        }
        return Occurrence(
            uid: uid, recurrenceID: id, start: start, end: end, startUTC: frame.utc(start), endUTC: frame.utc(end),
            component: component)
    }

    /// Seconds since 1970 UTC of a value, or `nil` when it is floating or a DATE.
    func utc(_ value: DateOrDateTime) -> Int64? { frame.utc(value) }

    /// The zone rules of a zoned DATE-TIME.
    func zone(of dateTime: DateTime) -> (any ZoneRules)? {
        dateTime.tzid.flatMap { frame.rules(for: $0) }
    }

    private func overlaps(_ occurrence: Occurrence, lower: TimeBound, upper: TimeBound) -> Bool {
        let start = frame.compare(occurrence.start, utc: occurrence.startUTC, to: lower)
        let startBeforeUpper = frame.compare(occurrence.start, utc: occurrence.startUTC, to: upper) < 0
        let endAfterLower = frame.compare(occurrence.end, utc: occurrence.endUTC, to: lower) > 0
        return startBeforeUpper && (endAfterLower || start == 0)
    }

    /// Whether sorted `points` hold `point` (binary search).
    private static func contains(_ points: [Point], _ point: Point) -> Bool {
        var low = 0
        var high = points.count
        while low < high {
            let middle = (low + high) / 2
            if points[middle] < point { low = middle + 1 } else { high = middle }
        }
        return low < points.count && points[low] == point
    }

    private static func length(of component: Component, frame: Frame) throws(ValueError) -> Int64 {
        guard let start = try component.start else { return 0 }
        let end = try frame.end(of: component, startingAt: start)
        return max(0, frame.point(end).secondsSinceEpoch - frame.point(start).secondsSinceEpoch)
    }
}

/// DTSTART's frame of reference: values of other forms (UTC, other zones) are brought
/// into DTSTART's wall-clock time, and back.
struct Frame: Sendable {
    let start: DateOrDateTime
    let zone: (any ZoneRules)?
    let resolver: TimeZoneResolver

    private var isUTC: Bool {
        if case .dateTime(let dateTime) = start { return dateTime.form == .utc }
        return false
    }

    /// A value of any form (UTC, another zone) as a wall-clock time in DTSTART's frame.
    func converted(_ value: DateOrDateTime) -> LocalDateTime {
        switch value {
        case .date(let date):
            return LocalDateTime(date: date)
        case .dateTime(let dateTime):
            guard let instant = utc(dateTime) else { return dateTime.local }
            if let zone { return zone.localTime(at: instant) }
            if isUTC { return LocalDateTime(secondsSinceEpoch: instant) }
            return dateTime.local
        }
    }

    /// A value already in DTSTART's frame.
    func point(_ value: DateOrDateTime) -> LocalDateTime { value.wallClock }

    /// A query bound in DTSTART's frame.
    func point(_ bound: TimeBound) -> LocalDateTime {
        switch bound {
        case .local(let local): return local
        case .instant(let instant):
            if let zone { return zone.localTime(at: instant) }
            return LocalDateTime(secondsSinceEpoch: instant)
        }
    }

    /// A point of DTSTART's frame as a bound of the same kind as `other`.
    func bound(_ point: LocalDateTime, like other: TimeBound) -> TimeBound {
        switch other {
        case .local: return .local(point)
        case .instant: return .instant(zone?.instant(of: point) ?? point.secondsSinceEpoch)
        }
    }

    /// A point written in DTSTART's form.
    func value(_ point: LocalDateTime, like start: DateOrDateTime) -> DateOrDateTime {
        switch start {
        case .date: return .date(point.date)
        case .dateTime(let dateTime): return .dateTime(DateTime(point, form: dateTime.form))
        }
    }

    /// Seconds since 1970 UTC, or `nil` for floating and all-day values.
    func utc(_ value: DateOrDateTime) -> Int64? {
        guard case .dateTime(let dateTime) = value, dateTime.form != .floating else { return nil }
        return utc(dateTime)
    }

    /// The instant of a zoned or UTC DATE-TIME; DTSTART's own zone needs no look-up.
    private func utc(_ dateTime: DateTime) -> Int64? {
        switch dateTime.form {
        case .utc: return dateTime.local.secondsSinceEpoch
        case .floating: return nil
        case .zoned(let tzid):
            if let zone, tzid == start.tzid { return zone.instant(of: dateTime.local) }
            return (try? resolver.utcSeconds(for: dateTime)) ?? nil
        }
    }

    /// The rules of a TZID; DTSTART's own zone needs no look-up.
    func rules(for tzid: String) -> (any ZoneRules)? {
        if let zone, tzid == start.tzid { return zone }
        return try? resolver.rules(for: tzid)
    }

    /// Compares a value with a bound: an instant bound against the value's instant (its
    /// wall-clock as UTC when it has none), a wall-clock bound against its wall-clock time.
    func compare(_ value: DateOrDateTime, utc: Int64?, to bound: TimeBound) -> Int {
        let (left, right): (Int64, Int64)
        switch bound {
        case .instant(let instant):
            left = utc ?? point(value).secondsSinceEpoch
            right = instant
        case .local(let local):
            if let utc, let zone {
                left = zone.localTime(at: utc).secondsSinceEpoch
            } else {
                left = point(value).secondsSinceEpoch
            }
            right = local.secondsSinceEpoch
        }
        return left < right ? -1 : (left > right ? 1 : 0)
    }

    /// The end of `component` when an instance starts at `start`: DTEND (or DUE) keeps
    /// its distance from DTSTART; DURATION adds nominal days to the wall clock and exact
    /// seconds to the instant (RFC 5545 §3.3.6).
    func end(of component: Component, startingAt start: DateOrDateTime) throws(ValueError) -> DateOrDateTime {
        end(startingAt: start, lasting: try duration(of: component, startingAt: start))
    }

    /// How long an instance of `component` lasts.
    func duration(of component: Component, startingAt start: DateOrDateTime) throws(ValueError) -> CalendarDuration {
        let duration: CalendarDuration
        let explicitEnd = try component.end
        let endValue = explicitEnd == nil ? try component.due : explicitEnd
        if let explicit = try component.duration {
            duration = explicit
        } else if let endValue, let originalStart = try component.start {
            switch (originalStart, endValue) {
            case (.date(let a), .date(let b)):
                duration = CalendarDuration(days: b.daysSinceEpoch - a.daysSinceEpoch)
            default:
                let from = utc(originalStart) ?? point(originalStart).secondsSinceEpoch
                let to = utc(endValue) ?? point(endValue).secondsSinceEpoch
                duration = CalendarDuration(seconds: Int(to - from))
            }
        } else {
            duration = start.isDate ? CalendarDuration(days: 1) : CalendarDuration()
        }
        return duration
    }

    /// The end of an instance that starts at `start` and lasts `duration`.
    func end(startingAt start: DateOrDateTime, lasting duration: CalendarDuration) -> DateOrDateTime {
        switch start {
        case .date(let date):
            return .date(date.adding(days: duration.nominalDays))
        case .dateTime(let dateTime):
            let day = DateTime(
                LocalDateTime(
                    date: dateTime.local.date.adding(days: duration.nominalDays), hour: dateTime.local.hour,
                    minute: dateTime.local.minute, second: dateTime.local.second), form: dateTime.form)
            if dateTime.form != .utc, let tzid = dateTime.tzid, let rules = rules(for: tzid) {
                let instant = rules.instant(of: day.local)
                let end = rules.localTime(at: instant + Int64(duration.exactSeconds))
                return .dateTime(DateTime(end, form: dateTime.form))
            }
            return .dateTime(
                DateTime(
                    LocalDateTime(secondsSinceEpoch: day.local.secondsSinceEpoch + Int64(duration.exactSeconds)),
                    form: dateTime.form))
        }
    }
}

extension CalendarDuration {
    /// An exact duration of `seconds` (negative allowed).
    init(seconds: Int) {
        let magnitude = abs(seconds)
        self.init(
            isNegative: seconds < 0, hours: magnitude / 3600, minutes: magnitude % 3600 / 60, seconds: magnitude % 60)
    }
}


extension RecurrenceSet {
    /// A lazy walk over the instances that start at or after `from`, in start order. It
    /// reads the series a window at a time, so an unbounded series costs only what is read.
    public func makeIterator(from: TimeBound) -> OccurrenceIterator {
        OccurrenceIterator(set: self, cursor: frame.point(from), bound: from)
    }

    /// The next instances of a ``RecurrenceSet``, lazily.
    public struct OccurrenceIterator: Sendable {
        let set: RecurrenceSet
        var cursor: LocalDateTime
        let bound: TimeBound
        var buffer: [Occurrence] = []
        var position = 0
        var span: Int64 = 86_400 * 32
        var finished = false

        /// The next instance, or `nil` after the last.
        public mutating func next() throws(RecurrenceError) -> Occurrence? {
            while position == buffer.count {
                guard !finished, cursor.date.year <= 9999 else { return nil }
                let upper = LocalDateTime(secondsSinceEpoch: cursor.secondsSinceEpoch + span)
                let lower = cursor
                buffer = try set.occurrences(from: set.frame.bound(lower, like: bound), to: set.frame.bound(upper, like: bound))
                    .filter { set.startPoint(of: $0) >= lower && set.startPoint(of: $0) < upper }
                position = 0
                cursor = upper
                if buffer.isEmpty, !set.isUnbounded, try set.isExhausted(after: upper) { finished = true }
                span = min(span * 2, 86_400 * 366 * 4)
            }
            position += 1
            return buffer[position - 1]
        }
    }

    /// An instance's start in DTSTART's frame.
    func startPoint(of occurrence: Occurrence) -> LocalDateTime {
        if let utc = occurrence.startUTC, let zone = frame.zone { return zone.localTime(at: utc) }
        if let utc = occurrence.startUTC { return LocalDateTime(secondsSinceEpoch: utc) }
        return frame.point(occurrence.start)
    }
}
