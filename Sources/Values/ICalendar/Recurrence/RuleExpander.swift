/// Expands one RRULE (RFC 5545 §3.3.10) from its DTSTART into wall-clock occurrences,
/// in order, following the BYxxx expand/limit table exactly.
///
/// Occurrences are generated period by period (a year, a month, a week, a day) in the
/// event's local time; days that do not exist (February 30, a fifth Monday) are never
/// generated rather than clamped. Resolving occurrences to instants through a time zone
/// is the caller's job, which is what keeps a 09:00 meeting at 09:00 across DST.
public struct RuleExpander: Sendable {
    /// Bounds on work.
    public struct Options: Sendable, Hashable {
        /// The most consecutive periods without an occurrence before expansion stops
        /// with ``RecurrenceError/Code/limitExceeded``. Default: 10,000 (enough for a
        /// February 29 rule, which matches once in four years, or once in eight).
        public var maxEmptyPeriods: Int

        /// Creates options.
        public init(maxEmptyPeriods: Int = 10_000) {
            self.maxEmptyPeriods = maxEmptyPeriods
        }
    }

    /// Where expansion stops (UNTIL), compared as RFC 5545 says: a UTC UNTIL against the
    /// occurrence's instant, a floating or DATE UNTIL against its wall-clock time.
    public enum Until: Sendable {
        /// Wall-clock comparison.
        case local(LocalDateTime)
        /// Instant comparison, through the event's zone.
        case instant(Int64, zone: any ZoneRules)
    }

    /// The rule.
    public let rule: RecurrenceRule
    /// DTSTART's wall-clock time.
    public let start: LocalDateTime
    /// UNTIL, resolved for comparison.
    public let until: Until?
    /// The bounds in force.
    public let options: Options
    /// The times of day of a daily or longer period: BYHOUR × BYMINUTE × BYSECOND, each
    /// DTSTART's when absent (computed once; they hold for every period).
    private let hours: [Int]
    private let minutes: [Int]
    private let seconds: [Int]

    /// Creates an expander. `allDay` says DTSTART is a DATE: then BYHOUR, BYMINUTE and
    /// BYSECOND are ignored. `until` overrides the rule's UNTIL resolution (see
    /// ``Until``); without it a DATE-TIME UNTIL is compared by its wall-clock digits.
    public init(
        rule: RecurrenceRule, start: LocalDateTime, allDay: Bool = false, until: Until? = nil,
        options: Options = Options()
    ) throws(RecurrenceError) {
        if let part = rule.extensions.first(where: { $0.name == "RSCALE" || $0.name == "SKIP" }) {
            throw RecurrenceError(.unsupported, hint: "RFC 7529 \(part.name) is not supported")
        }
        // Repeated values mean nothing more (`BYHOUR=9,10,9`); sorted sets are what expansion needs.
        var rule = rule
        rule.byMonth = Array(Set(rule.byMonth)).sorted()
        rule.byMonthDay = Array(Set(rule.byMonthDay)).sorted()
        rule.byYearDay = Array(Set(rule.byYearDay)).sorted()
        rule.byWeekNumber = Array(Set(rule.byWeekNumber)).sorted()
        rule.bySetPosition = Array(Set(rule.bySetPosition)).sorted()
        rule.byHour = allDay ? [] : Array(Set(rule.byHour)).sorted()
        rule.byMinute = allDay ? [] : Array(Set(rule.byMinute)).sorted()
        rule.bySecond = allDay ? [] : Array(Set(rule.bySecond)).sorted()
        self.rule = rule
        self.start = start
        self.options = options
        self.hours = rule.byHour.isEmpty ? [start.hour] : rule.byHour
        self.minutes = rule.byMinute.isEmpty ? [start.minute] : rule.byMinute
        self.seconds = rule.bySecond.isEmpty ? [start.second] : rule.bySecond
        if let until {
            self.until = until
        } else {
            switch rule.until {
            case .date(let date)?:
                self.until = .local(LocalDateTime(date: date, hour: 23, minute: 59, second: 59))
            case .dateTime(let dateTime)?:
                self.until = .local(dateTime.local)
            case nil:
                self.until = nil
            }
        }
    }

    /// An iterator over every occurrence from the start.
    public func makeIterator() -> Iterator {
        Iterator(expander: self, firstPeriod: 0)
    }

    /// An iterator over the occurrences at or after `time` (and, when `through` is
    /// given, not after it). Without COUNT it skips whole periods instead of generating
    /// every occurrence before `time`.
    public func makeIterator(from time: LocalDateTime, through: LocalDateTime? = nil) -> Iterator {
        var iterator = Iterator(expander: self, firstPeriod: rule.count == nil ? periodIndex(before: time) : 0)
        iterator.notBefore = time
        iterator.notAfter = through
        return iterator
    }

    /// Occurrences in order. `next()` throws when the rule passes the work bound.
    public struct Iterator: Sendable {
        let expander: RuleExpander
        var period: Int
        var buffer: [LocalDateTime] = []
        var position = 0
        var emitted = 0
        var finished = false
        var notBefore: LocalDateTime?
        var notAfter: LocalDateTime?

        init(expander: RuleExpander, firstPeriod: Int) {
            self.expander = expander
            self.period = firstPeriod
        }

        /// The next occurrence, or `nil` after the last.
        public mutating func next() throws(RecurrenceError) -> LocalDateTime? {
            var emptyPeriods = 0
            while !finished {
                while position < buffer.count {
                    let candidate = buffer[position]
                    position += 1
                    guard candidate >= expander.start else { continue }
                    if expander.isBeyondUntil(candidate) {
                        finished = true
                        return nil
                    }
                    emitted += 1
                    if let count = expander.rule.count, emitted > count {
                        finished = true
                        return nil
                    }
                    if let notBefore, candidate < notBefore { continue }
                    if let notAfter, candidate > notAfter {
                        finished = true
                        return nil
                    }
                    return candidate
                }
                guard let days = expander.periodDays(period) else {
                    finished = true
                    return nil
                }
                if let first = days.first,
                    expander.isBeyondUntil(LocalDateTime(date: first)) || notAfter.map({ LocalDateTime(date: first) > $0 }) == true
                {
                    finished = true
                    return nil
                }
                buffer = expander.occurrences(on: days, period: period)
                position = 0
                period += 1
                if buffer.isEmpty {
                    emptyPeriods += 1
                    if emptyPeriods > expander.options.maxEmptyPeriods {
                        throw RecurrenceError(
                            .limitExceeded,
                            hint: "no occurrence in \(expander.options.maxEmptyPeriods) consecutive periods")
                    }
                } else {
                    emptyPeriods = 0
                }
            }
            return nil
        }
    }

    // MARK: Periods

    private var interval: Int { rule.interval }

    private var isSubDaily: Bool {
        switch rule.frequency {
        case .hourly, .minutely, .secondly: true
        default: false
        }
    }

    /// The first day of the week that holds `date`.
    private func weekStart(of date: CalendarDate) -> CalendarDate {
        let weekday = CalendarDate.weekdayIndex(date.weekday)
        let first = CalendarDate.weekdayIndex(rule.weekStart)
        return date.adding(days: -((weekday - first + 7) % 7))
    }

    /// The candidate days of period `index`, or `nil` past year 9999.
    func periodDays(_ index: Int) -> [CalendarDate]? {
        switch rule.frequency {
        case .yearly where !rule.byWeekNumber.isEmpty:
            // Week numbers belong to week-years, which can start in late December.
            let year = weekYear(of: start.date) + index * interval
            guard year < 9999 else { return nil }
            let first = firstWeekStart(year)
            return (0..<(firstWeekStart(year + 1) - first)).map { CalendarDate(daysSinceEpoch: first + $0) }
        case .yearly:
            let year = start.date.year + index * interval
            guard year <= 9999 else { return nil }
            let months: [Int]
            if !rule.byMonth.isEmpty {
                months = rule.byMonth
            } else if rule.byYearDay.isEmpty && rule.byDay.isEmpty {
                months = [start.date.month]  // The month comes from DTSTART (see `matches`).
            } else {
                months = Array(1...12)
            }
            return months.flatMap { month in
                (1...CalendarDate.daysIn(month: month, year: year)).map { CalendarDate(year: year, month: month, day: $0) }
            }
        case .monthly:
            let monthIndex = start.date.year * 12 + (start.date.month - 1) + index * interval
            let year = monthIndex / 12
            guard year <= 9999 else { return nil }
            let month = monthIndex % 12 + 1
            return (1...CalendarDate.daysIn(month: month, year: year)).map { CalendarDate(year: year, month: month, day: $0) }
        case .weekly:
            let first = weekStart(of: start.date).adding(days: index * interval * 7)
            guard first.year <= 9999 else { return nil }
            return (0..<7).map { first.adding(days: $0) }
        case .daily:
            let day = start.date.adding(days: index * interval)
            return day.year <= 9999 ? [day] : nil
        case .hourly, .minutely, .secondly:
            let day = start.date.adding(days: index)
            return day.year <= 9999 ? [day] : nil
        }
    }

    /// The period index whose occurrences start no later than `time` (for skipping).
    func periodIndex(before time: LocalDateTime) -> Int {
        guard time > start else { return 0 }
        let raw: Int
        switch rule.frequency {
        case .yearly: raw = (time.date.year - start.date.year) / interval
        case .monthly:
            raw = ((time.date.year * 12 + time.date.month) - (start.date.year * 12 + start.date.month)) / interval
        case .weekly:
            raw = (weekStart(of: time.date).daysSinceEpoch - weekStart(of: start.date).daysSinceEpoch) / 7 / interval
        case .daily: raw = (time.date.daysSinceEpoch - start.date.daysSinceEpoch) / interval
        case .hourly, .minutely, .secondly: raw = time.date.daysSinceEpoch - start.date.daysSinceEpoch
        }
        return max(0, raw - 1)
    }

    func isBeyondUntil(_ time: LocalDateTime) -> Bool {
        switch until {
        case nil: return false
        case .local(let limit): return time > limit
        case .instant(let limit, let zone): return zone.instant(of: time) > limit
        }
    }

    // MARK: Days

    /// Whether the rule names days itself (otherwise DTSTART's day is used).
    private var hasDayRules: Bool {
        !rule.byWeekNumber.isEmpty || !rule.byYearDay.isEmpty || !rule.byMonthDay.isEmpty || !rule.byDay.isEmpty
    }

    /// Whether a candidate day of the period passes every day-level rule part.
    private func matches(_ day: CalendarDate) -> Bool {
        if !rule.byMonth.isEmpty, !rule.byMonth.contains(day.month) { return false }
        if !hasDayRules {
            switch rule.frequency {
            case .yearly:
                return day.day == start.date.day && (!rule.byMonth.isEmpty || day.month == start.date.month)
            case .monthly:
                return day.day == start.date.day
            case .weekly:
                return day.weekday == start.date.weekday
            default:
                return true
            }
        }
        // What the rule leaves open comes from DTSTART (RFC 5545 §3.3.10): the weekday of
        // a week-number rule, the month of a yearly month-day rule.
        if rule.frequency == .yearly, rule.byDay.isEmpty, rule.byYearDay.isEmpty, rule.byMonthDay.isEmpty,
            day.weekday != start.date.weekday
        {
            return false
        }
        if rule.frequency == .yearly, rule.byMonth.isEmpty, rule.byWeekNumber.isEmpty, rule.byYearDay.isEmpty,
            rule.byDay.isEmpty, day.month != start.date.month
        {
            return false
        }
        if !rule.byWeekNumber.isEmpty, rule.frequency == .yearly {
            let (week, weeksInYear) = weekNumber(of: day)
            guard rule.byWeekNumber.contains(where: { $0 > 0 ? $0 == week : weeksInYear + 1 + $0 == week }) else {
                return false
            }
        }
        if !rule.byYearDay.isEmpty {
            let dayOfYear = day.daysSinceEpoch - CalendarDate(year: day.year, month: 1, day: 1).daysSinceEpoch + 1
            let length = CalendarDate.isLeapYear(day.year) ? 366 : 365
            guard rule.byYearDay.contains(where: { $0 > 0 ? $0 == dayOfYear : length + 1 + $0 == dayOfYear }) else {
                return false
            }
        }
        if !rule.byMonthDay.isEmpty {
            let length = CalendarDate.daysIn(month: day.month, year: day.year)
            guard rule.byMonthDay.contains(where: { $0 > 0 ? $0 == day.day : length + 1 + $0 == day.day }) else {
                return false
            }
        }
        if !rule.byDay.isEmpty {
            guard rule.byDay.contains(where: { matches(day, $0) }) else { return false }
        }
        return true
    }

    /// BYDAY: ordinals count within the month (MONTHLY, or YEARLY with BYMONTH) or the
    /// year (YEARLY); other frequencies ignore them, as RFC 5545 allows them only there.
    private func matches(_ day: CalendarDate, _ entry: RecurrenceRule.WeekdayNumber) -> Bool {
        guard day.weekday == entry.weekday else { return false }
        guard let ordinal = entry.ordinal else { return true }
        let withinMonth = rule.frequency == .monthly || (rule.frequency == .yearly && !rule.byMonth.isEmpty)
        let withinYear = rule.frequency == .yearly && rule.byMonth.isEmpty && rule.byWeekNumber.isEmpty
        if withinMonth {
            let length = CalendarDate.daysIn(month: day.month, year: day.year)
            return ordinal > 0 ? (day.day - 1) / 7 + 1 == ordinal : (length - day.day) / 7 + 1 == -ordinal
        }
        if withinYear {
            let dayOfYear = day.daysSinceEpoch - CalendarDate(year: day.year, month: 1, day: 1).daysSinceEpoch
            let length = CalendarDate.isLeapYear(day.year) ? 366 : 365
            return ordinal > 0 ? dayOfYear / 7 + 1 == ordinal : (length - 1 - dayOfYear) / 7 + 1 == -ordinal
        }
        return true
    }

    /// The week number of `day` within its year's weeks (week 1 is the first week, starting
    /// on WKST, with at least four days in the year), and that year's number of weeks.
    /// Days before week 1 count as the last week of the year before; days after the last
    /// week as week 1 of the next.
    private func weekNumber(of day: CalendarDate) -> (week: Int, weeksInYear: Int) {
        let year = weekYear(of: day)
        let weeksInYear = (firstWeekStart(year + 1) - firstWeekStart(year)) / 7
        return ((day.daysSinceEpoch - firstWeekStart(year)) / 7 + 1, weeksInYear)
    }

    /// The first day (days since 1970) of week 1 of `year`.
    private func firstWeekStart(_ year: Int) -> Int {
        weekStart(of: CalendarDate(year: year, month: 1, day: 4)).daysSinceEpoch
    }

    /// The year whose weeks `day` belongs to.
    private func weekYear(of day: CalendarDate) -> Int {
        let days = day.daysSinceEpoch
        if days < firstWeekStart(day.year) { return day.year - 1 }
        if days >= firstWeekStart(day.year + 1) { return day.year + 1 }
        return day.year
    }

    // MARK: Times

    /// The occurrences of one period, in order, after BYSETPOS.
    func occurrences(on days: [CalendarDate], period: Int) -> [LocalDateTime] {
        let matching = days.filter(matches)
        guard !matching.isEmpty else { return [] }
        if isSubDaily {
            return subDailyOccurrences(on: matching[0])
        }
        var times: [LocalDateTime] = []
        times.reserveCapacity(matching.count * hours.count * minutes.count * seconds.count)
        for day in matching {
            for hour in hours {
                for minute in minutes {
                    for second in seconds {
                        times.append(LocalDateTime(date: day, hour: hour, minute: minute, second: second))
                    }
                }
            }
        }
        return applySetPositions(times)
    }

    /// HOURLY, MINUTELY and SECONDLY: the times of `day` that lie a whole number of
    /// intervals from DTSTART, with BYHOUR/BYMINUTE/BYSECOND limiting the frequency's own
    /// unit and expanding the smaller ones. BYSETPOS applies within each hour, minute or
    /// second.
    private func subDailyOccurrences(on day: CalendarDate) -> [LocalDateTime] {
        let unit: Int64 = rule.frequency == .hourly ? 3600 : rule.frequency == .minutely ? 60 : 1
        let step = unit * Int64(interval)
        let dayStart = LocalDateTime(date: day).secondsSinceEpoch
        let origin = start.secondsSinceEpoch
        // The first aligned time at or after the start of the day.
        var aligned = origin + ((dayStart - origin) / step) * step
        if aligned < dayStart { aligned += step }
        var groups: [[LocalDateTime]] = []
        while aligned < dayStart + 86_400 {
            let time = LocalDateTime(secondsSinceEpoch: aligned)
            aligned += step
            if !rule.byHour.isEmpty, !rule.byHour.contains(time.hour) { continue }
            let minutes: [Int]
            let seconds: [Int]
            switch rule.frequency {
            case .hourly:
                minutes = rule.byMinute.isEmpty ? [time.minute] : rule.byMinute.sorted()
                seconds = rule.bySecond.isEmpty ? [time.second] : rule.bySecond.sorted()
            case .minutely:
                if !rule.byMinute.isEmpty, !rule.byMinute.contains(time.minute) { continue }
                minutes = [time.minute]
                seconds = rule.bySecond.isEmpty ? [time.second] : rule.bySecond.sorted()
            default:
                if !rule.byMinute.isEmpty, !rule.byMinute.contains(time.minute) { continue }
                if !rule.bySecond.isEmpty, !rule.bySecond.contains(time.second) { continue }
                minutes = [time.minute]
                seconds = [time.second]
            }
            var group: [LocalDateTime] = []
            for minute in minutes {
                for second in seconds {
                    group.append(LocalDateTime(date: day, hour: time.hour, minute: minute, second: second))
                }
            }
            groups.append(applySetPositions(group))
        }
        return groups.flatMap { $0 }
    }

    /// BYSETPOS: the n-th (or n-th from last) of a period's occurrences.
    private func applySetPositions(_ times: [LocalDateTime]) -> [LocalDateTime] {
        guard !rule.bySetPosition.isEmpty, !times.isEmpty else { return times }
        var chosen = Set<Int>()
        for position in rule.bySetPosition {
            let index = position > 0 ? position - 1 : times.count + position
            if times.indices.contains(index) { chosen.insert(index) }
        }
        return chosen.sorted().map { times[$0] }
    }
}
