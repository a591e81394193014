import ContentLines
public import Foundation

/// Writes VTIMEZONE components from the IANA database, for calendars that name a zone
/// without defining it (servers and clients need the definition, RFC 5545 §3.6.5).
///
/// Transitions that repeat every year on the same weekday rule become one observance
/// with an RRULE; the rest are listed with RDATEs. The zone's rules are exact for
/// every year in the requested range, and the rule in force at its end continues.
public enum VTimeZoneGenerator {
    /// A VTIMEZONE with TZID `tzid` and the rules of `zone` for `years`; the yearly rule
    /// in force at the end of that range is written without an end.
    public static func component(tzid: String, zone: TimeZone, years requested: ClosedRange<Int>) -> Component {
        // Two more years are read so that a yearly rule is seen more than once.
        let years = requested.lowerBound...(requested.upperBound + 2)
        let transitions = Self.transitions(in: zone, years: years)
        var timeZone = Component(ComponentName.timeZone, properties: [Property(name: PropertyName.timeZoneID, value: tzid)])
        guard !transitions.isEmpty else {
            let start = LocalDateTime(date: CalendarDate(year: years.lowerBound, month: 1, day: 1))
            let instant = Date(timeIntervalSince1970: TimeInterval(start.secondsSinceEpoch))
            let offset = zone.secondsFromGMT(for: instant)
            timeZone.appendComponent(
                observance(
                    isDaylight: false, start: start, from: offset, to: offset,
                    name: zone.abbreviation(for: instant), recurrence: []))
            return timeZone
        }
        var groups: [[Transition]] = []
        for transition in transitions {
            if let index = groups.firstIndex(where: { $0[0].ruleKey == transition.ruleKey }) {
                groups[index].append(transition)
            } else {
                groups.append([transition])
            }
        }
        for group in groups {
            let first = group[0]
            let consecutive = zip(group, group.dropFirst()).allSatisfy { $1.local.date.year == $0.local.date.year + 1 }
            var recurrence: [Property] = []
            if group.count > 1, consecutive {
                var rule = RecurrenceRule(
                    frequency: .yearly, byDay: [.init(first.local.date.weekday, ordinal: first.weekdayOrdinal)],
                    byMonth: [first.local.date.month])
                if group[group.count - 1].local.date.year < years.upperBound {
                    let last = group[group.count - 1]
                    rule.until = .dateTime(DateTime(LocalDateTime(secondsSinceEpoch: last.instant), form: .utc))
                }
                recurrence.append(Property(name: PropertyName.recurrenceRule, value: rule.icalendarText))
            } else {
                for transition in group.dropFirst() {
                    recurrence.append(Property(name: PropertyName.recurrenceDate, value: transition.local.icalendarText))
                }
            }
            timeZone.appendComponent(
                observance(
                    isDaylight: first.isDaylight, start: first.local, from: first.offsetFrom, to: first.offsetTo,
                    name: first.name, recurrence: recurrence))
        }
        return timeZone
    }

    private static func observance(
        isDaylight: Bool, start: LocalDateTime, from: Int, to: Int, name: String?, recurrence: [Property]
    ) -> Component {
        var observance = Component(isDaylight ? ComponentName.daylight : ComponentName.standard)
        observance.appendProperty(Property(name: PropertyName.start, value: start.icalendarText))
        observance.appendProperty(Property(name: PropertyName.offsetFrom, value: UTCOffset(seconds: from).icalendarText))
        observance.appendProperty(Property(name: PropertyName.offsetTo, value: UTCOffset(seconds: to).icalendarText))
        if let name { observance.appendProperty(Property(name: PropertyName.timeZoneName, text: name)) }
        for property in recurrence { observance.appendProperty(property) }
        return observance
    }

    /// One change of offset.
    struct Transition {
        var instant: Int64
        var local: LocalDateTime
        var offsetFrom: Int
        var offsetTo: Int
        var isDaylight: Bool
        var name: String?

        /// `-1` for a weekday in the last seven days of its month, else its ordinal.
        var weekdayOrdinal: Int {
            let length = CalendarDate.daysIn(month: local.date.month, year: local.date.year)
            return local.date.day > length - 7 ? -1 : (local.date.day - 1) / 7 + 1
        }

        /// Transitions with equal keys follow one yearly rule.
        var ruleKey: [Int] {
            [
                isDaylight ? 1 : 0, offsetFrom, offsetTo, local.date.month, weekdayOrdinal,
                CalendarDate.weekdayIndex(local.date.weekday), local.hour, local.minute, local.second,
            ]
        }
    }

    static func transitions(in zone: TimeZone, years: ClosedRange<Int>) -> [Transition] {
        let start = LocalDateTime(date: CalendarDate(year: years.lowerBound, month: 1, day: 1)).secondsSinceEpoch
        let end = LocalDateTime(date: CalendarDate(year: years.upperBound + 1, month: 1, day: 1)).secondsSinceEpoch
        var result: [Transition] = []
        var cursor = Date(timeIntervalSince1970: TimeInterval(start))
        while result.count < 2000, let next = zone.nextDaylightSavingTimeTransition(after: cursor),
            next.timeIntervalSince1970 < TimeInterval(end)
        {
            let instant = Int64(next.timeIntervalSince1970.rounded())
            let from = zone.secondsFromGMT(for: next.addingTimeInterval(-1))
            let to = zone.secondsFromGMT(for: next)
            if from != to {
                result.append(
                    Transition(
                        instant: instant, local: LocalDateTime(secondsSinceEpoch: instant + Int64(from)),
                        offsetFrom: from, offsetTo: to, isDaylight: zone.isDaylightSavingTime(for: next),
                        name: zone.abbreviation(for: next)))
            }
            cursor = next
        }
        return result
    }
}

extension CalendarDate {
    static func weekdayIndex(_ weekday: Weekday) -> Int {
        Weekday.allCases.firstIndex(of: weekday)!
    }
}

extension Component {
    /// Adds a VTIMEZONE, generated from the IANA database, for every TZID the calendar
    /// uses but does not define, covering the years its dates fall in. Returns the TZIDs
    /// that no zone could be found for.
    @discardableResult
    public mutating func addMissingTimeZones() -> [String] {
        let defined = Set(components(ComponentName.timeZone).compactMap { $0.property(PropertyName.timeZoneID)?.value })
        var years: [String: ClosedRange<Int>] = [:]
        func collect(_ component: Component) {
            guard component.name != ComponentName.timeZone else { return }
            for property in component.properties {
                guard let tzid = property.timeZoneID, !defined.contains(tzid) else { continue }
                let dates = (try? property.dateOrDateTimeList()) ?? []
                let known = dates.map(\.date.year)
                guard let low = known.min(), let high = known.max() else {
                    years[tzid] = years[tzid] ?? (1970...1970)
                    continue
                }
                let range = years[tzid].map { min($0.lowerBound, low)...max($0.upperBound, high) } ?? (low...high)
                years[tzid] = range
            }
            component.components.forEach(collect)
        }
        collect(self)
        var unresolved: [String] = []
        var generated: [Component] = []
        for (tzid, range) in years.sorted(by: { $0.key < $1.key }) {
            guard let identifier = TimeZoneResolver.ianaIdentifier(for: tzid), let zone = TimeZone(identifier: identifier)
            else {
                unresolved.append(tzid)
                continue
            }
            generated.append(VTimeZoneGenerator.component(tzid: tzid, zone: zone, years: range))
        }
        let insertAt = components.firstIndex { $0.name != ComponentName.timeZone } ?? components.count
        components.insert(contentsOf: generated, at: insertAt)
        if !componentPositions.isEmpty {
            let position = insertAt < componentPositions.count ? componentPositions[insertAt] : properties.count
            componentPositions.insert(contentsOf: Array(repeating: position, count: generated.count), at: insertAt)
        }
        return unresolved
    }
}
