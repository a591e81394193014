import ContentLines
import Synchronization

/// The offset rules a VTIMEZONE defines (RFC 5545 §3.6.5): its STANDARD and DAYLIGHT
/// observances, each with a DTSTART, offsets, and RRULE/RDATE onsets.
///
/// Observance rules are evaluated year by year, so an instant far in the future costs
/// the same as one near DTSTART. The rules VTIMEZONEs use in practice (yearly, by month,
/// by weekday with an ordinal or by month day, UNTIL, COUNT) are supported; anything
/// else is refused with a ``TimeZoneError`` so that the resolver can fall back to IANA.
public struct VTimeZoneRules: ZoneRules {
    /// One STANDARD or DAYLIGHT sub-component.
    struct Observance: Sendable {
        var start: LocalDateTime
        var offsetFrom: Int
        var offsetTo: Int
        var rule: ObservanceRule?
        /// Onsets as instants (RDATEs, and every onset of a rule with COUNT).
        var onsets: [Int64]

        var startInstant: Int64 { start.secondsSinceEpoch - Int64(offsetFrom) }

        /// The latest onset at or before `instant`.
        func latestOnset(atOrBefore instant: Int64) -> Int64? {
            guard startInstant <= instant else { return nil }
            var best = startInstant
            for onset in onsets where onset <= instant && onset > best { best = onset }
            if let rule, let ruled = rule.latestOnset(atOrBefore: instant, observance: self) {
                best = max(best, ruled)
            }
            return best
        }
    }

    /// The TZID.
    public let tzid: String
    let observances: [Observance]

    /// Reads a VTIMEZONE component.
    public init(_ component: Component) throws(TimeZoneError) {
        let tzid = component.property(PropertyName.timeZoneID)?.value ?? ""
        self.tzid = tzid
        var observances: [Observance] = []
        for child in component.components
        where child.name == ComponentName.standard || child.name == ComponentName.daylight {
            do throws(ValueError) {
                observances.append(try Self.observance(child))
            } catch {
                throw TimeZoneError(tzid: tzid, hint: "\(child.name): \(error)")
            }
        }
        guard !observances.isEmpty else {
            throw TimeZoneError(tzid: tzid, hint: "VTIMEZONE has no STANDARD or DAYLIGHT observance")
        }
        self.observances = observances
    }

    private static func observance(_ component: Component) throws(ValueError) -> Observance {
        guard let startProperty = component.property(PropertyName.start),
            case .dateTime(let start) = try startProperty.dateOrDateTime()
        else { throw ValueError(type: "DTSTART", hint: "observance needs a DATE-TIME DTSTART") }
        guard let from = component.property(PropertyName.offsetFrom), let to = component.property(PropertyName.offsetTo)
        else { throw ValueError(type: "UTC-OFFSET", hint: "observance needs TZOFFSETFROM and TZOFFSETTO") }
        var observance = Observance(
            start: start.local, offsetFrom: try from.utcOffset().seconds, offsetTo: try to.utcOffset().seconds,
            rule: nil, onsets: [])
        for property in component.properties(PropertyName.recurrenceDate) {
            for date in try property.recurrenceDates() {
                switch date {
                case .instant(.dateTime(let dateTime)):
                    observance.onsets.append(
                        dateTime.form == .utc
                            ? dateTime.local.secondsSinceEpoch
                            : dateTime.local.secondsSinceEpoch - Int64(observance.offsetFrom))
                case .instant(.date(let date)):
                    observance.onsets.append(
                        LocalDateTime(date: date).secondsSinceEpoch - Int64(observance.offsetFrom))
                case .period(let period):
                    observance.onsets.append(period.start.local.secondsSinceEpoch - Int64(observance.offsetFrom))
                }
            }
        }
        if let ruleProperty = component.property(PropertyName.recurrenceRule) {
            let rule = try ObservanceRule(try ruleProperty.recurrenceRule(), start: start.local)
            if let count = rule.count {
                observance.onsets += rule.firstOnsets(count, observance: observance)
            } else {
                observance.rule = rule
            }
        }
        return observance
    }

    public func utcOffset(at instant: Int64) -> Int {
        var best: (onset: Int64, offset: Int)?
        for observance in observances {
            guard let onset = observance.latestOnset(atOrBefore: instant) else { continue }
            if best == nil || onset > best!.onset { best = (onset, observance.offsetTo) }
        }
        if let best { return best.offset }
        // Before every onset: the offset the earliest observance changes from.
        let earliest = observances.min { $0.startInstant < $1.startInstant }!
        return earliest.offsetFrom
    }
}

/// The yearly rules VTIMEZONE observances use.
struct ObservanceRule: Sendable {
    let months: [Int]
    let byDay: [RecurrenceRule.WeekdayNumber]
    let byMonthDay: [Int]
    let interval: Int
    let count: Int?
    let until: DateOrDateTime?
    let start: LocalDateTime
    /// The onsets of the years asked so far: every conversion near an instant asks for the
    /// same year or two (shared by the copies of the rules).
    private let computed = OnsetsByYear()

    init(_ rule: RecurrenceRule, start: LocalDateTime) throws(ValueError) {
        // BYHOUR/BYMINUTE/BYSECOND that repeat DTSTART's time (Lotus Notes writes them) change nothing.
        guard rule.frequency == .yearly, rule.byYearDay.isEmpty, rule.byWeekNumber.isEmpty,
            rule.bySetPosition.isEmpty, rule.byHour.isEmpty || rule.byHour == [start.hour],
            rule.byMinute.isEmpty || rule.byMinute == [start.minute],
            rule.bySecond.isEmpty || rule.bySecond == [start.second], rule.extensions.isEmpty
        else {
            throw ValueError(type: "RECUR", hint: "observance rule is not a simple yearly rule")
        }
        months = rule.byMonth.isEmpty ? [start.date.month] : rule.byMonth.sorted()
        byDay = rule.byDay
        byMonthDay = rule.byMonthDay
        interval = rule.interval
        count = rule.count
        until = rule.until
        self.start = start
    }

    /// The days of a month BYDAY names (`2SU`, `-1SU`, `SU`), in order: counted from the
    /// weekday of the 1st, not by looking at every day (time zone conversions ask often).
    func weekdayDays(year: Int, month: Int, length: Int) -> [Int] {
        let firstWeekday = Weekday.allCases.firstIndex(of: CalendarDate(year: year, month: month, day: 1).weekday)!
        var days: Set<Int> = []
        for entry in byDay {
            let first = 1 + (Weekday.allCases.firstIndex(of: entry.weekday)! - firstWeekday + 7) % 7
            let all = Array(stride(from: first, through: length, by: 7))
            switch entry.ordinal {
            case nil: days.formUnion(all)
            case let ordinal? where ordinal > 0 && ordinal <= all.count: days.insert(all[ordinal - 1])
            case let ordinal? where ordinal < 0 && -ordinal <= all.count: days.insert(all[all.count + ordinal])
            default: break
            }
        }
        return days.sorted()
    }

    /// The onsets (wall-clock) the rule gives in one year, in order.
    func onsets(inYear year: Int) -> [LocalDateTime] {
        if let known = computed.onsets(inYear: year) { return known }
        let onsets = computeOnsets(inYear: year)
        computed.keep(onsets, forYear: year)
        return onsets
    }

    private func computeOnsets(inYear year: Int) -> [LocalDateTime] {
        guard year >= start.date.year, (year - start.date.year) % interval == 0 else { return [] }
        var result: [LocalDateTime] = []
        for month in months {
            let length = CalendarDate.daysIn(month: month, year: year)
            var days: [Int]
            if !byMonthDay.isEmpty {
                days = byMonthDay.map { $0 > 0 ? $0 : length + 1 + $0 }.filter { (1...length).contains($0) }.sorted()
                if !byDay.isEmpty {
                    let weekdays = Set(weekdayDays(year: year, month: month, length: length))
                    days = days.filter(weekdays.contains)
                }
            } else if !byDay.isEmpty {
                days = weekdayDays(year: year, month: month, length: length)
            } else {
                days = start.date.day <= length ? [start.date.day] : []
            }
            for day in days {
                result.append(
                    LocalDateTime(
                        date: CalendarDate(year: year, month: month, day: day), hour: start.hour, minute: start.minute,
                        second: start.second))
            }
        }
        return result.filter { $0 >= start }
    }

    private func isBeforeUntil(_ onset: Int64, local: LocalDateTime) -> Bool {
        switch until {
        case nil: return true
        case .date(let date)?: return local.date <= date
        case .dateTime(let dateTime)?:
            return dateTime.form == .utc ? onset <= dateTime.local.secondsSinceEpoch : local <= dateTime.local
        }
    }

    func latestOnset(atOrBefore instant: Int64, observance: VTimeZoneRules.Observance) -> Int64? {
        let offsetFrom = Int64(observance.offsetFrom)
        var year = LocalDateTime(secondsSinceEpoch: instant + offsetFrom).date.year
        if case .dateTime(let limit)? = until { year = min(year, limit.local.date.year) }
        if case .date(let limit)? = until { year = min(year, limit.year) }
        while year >= start.date.year {
            let candidates = onsets(inYear: year).compactMap { local -> Int64? in
                let onset = local.secondsSinceEpoch - offsetFrom
                return onset <= instant && isBeforeUntil(onset, local: local) ? onset : nil
            }
            if let latest = candidates.max() { return latest }
            year -= 1
        }
        return nil
    }

    /// The first `count` onsets as instants (COUNT rules), at most 10,000.
    func firstOnsets(_ count: Int, observance: VTimeZoneRules.Observance) -> [Int64] {
        var result: [Int64] = []
        var year = start.date.year
        while result.count < min(count, 10_000), year <= 9999 {
            for local in onsets(inYear: year) where result.count < count {
                result.append(local.secondsSinceEpoch - Int64(observance.offsetFrom))
            }
            year += 1
        }
        return result
    }
}

/// Onsets by year, for one observance rule: at most 512 years kept.
private final class OnsetsByYear: Sendable {
    private let years = Mutex<[Int: [LocalDateTime]]>([:])

    func onsets(inYear year: Int) -> [LocalDateTime]? { years.withLock { $0[year] } }

    func keep(_ onsets: [LocalDateTime], forYear year: Int) {
        years.withLock { years in
            if years.count < 512 { years[year] = onsets }
        }
    }
}
