public import ICalendar

/// A span of a day in minutes from local midnight, `[start, end)`; `end` may be 1440.
public struct MinuteRange: Sendable, Hashable, Codable, CustomStringConvertible {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    public var description: String {
        func clock(_ minutes: Int) -> String {
            let hours = String(minutes / 60), rest = String(minutes % 60)
            return (hours.count < 2 ? "0" + hours : hours) + ":" + (rest.count < 2 ? "0" + rest : rest)
        }
        return clock(start) + "-" + clock(end)
    }
}

/// Working hours on a weekday.
public struct WeeklyHours: Sendable, Hashable, Codable, CustomStringConvertible {
    public var day: Weekday
    public var ranges: [MinuteRange]

    public init(day: Weekday, ranges: [MinuteRange]) {
        self.day = day
        self.ranges = ranges
    }

    /// The day's hours as ``parse(_:)`` reads them: `mon 09:00-12:00,13:00-17:00`.
    public var description: String {
        (Self.names.first { $0.value == day }?.key ?? day.rawValue.lowercased()) + " " + ranges.map(\.description).joined(separator: ",")
    }

    /// A week's hours as ``parse(_:)`` reads them, days joined by `; `.
    public static func text(of week: [WeeklyHours]) -> String { week.map(\.description).joined(separator: "; ") }

    private static let names: [String: Weekday] = ["mon": .monday, "tue": .tuesday, "wed": .wednesday, "thu": .thursday,
                                                   "fri": .friday, "sat": .saturday, "sun": .sunday]

    /// Parses `mon-fri 09:00-12:00,13:00-17:00; sat 10:00-14:00` (day names of three
    /// letters; a range of days wraps over the week's end).
    public static func parse(_ text: String) throws(AvailabilityError) -> [WeeklyHours] {
        let order: [Weekday] = [.monday, .tuesday, .wednesday, .thursday, .friday, .saturday, .sunday]
        var result: [Weekday: [MinuteRange]] = [:]
        for clause in text.split(separator: ";").map({ $0.trimmingSpaces }) where !clause.isEmpty {
            let parts = clause.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw AvailabilityError("working hours: \"\(clause)\" needs days and times") }
            let dayNames = parts[0].lowercased().split(separator: "-").map(String.init)
            guard (1...2).contains(dayNames.count), let first = names[dayNames[0]], let last = names[dayNames.last!],
                let from = order.firstIndex(of: first), let to = order.firstIndex(of: last)
            else { throw AvailabilityError("working hours: unknown days \"\(parts[0])\" (use mon, tue … sun)") }
            var days: [Weekday] = []
            var index = from
            while true {
                days.append(order[index])
                if index == to { break }
                index = (index + 1) % 7
            }
            let ranges = try parts[1].split(separator: ",").map { part throws(AvailabilityError) in try MinuteRange.parse(String(part)) }
            for day in days { result[day, default: []] += ranges }
        }
        return order.compactMap { day in result[day].map { WeeklyHours(day: day, ranges: $0) } }
    }
}

extension MinuteRange {
    /// Parses `09:00-17:30` (`24:00` ends at midnight).
    public static func parse(_ text: String) throws(AvailabilityError) -> MinuteRange {
        let ends = text.trimmingSpaces.split(separator: "-")
        func minutes(_ clock: Substring) -> Int? {
            let parts = clock.split(separator: ":")
            guard parts.count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]), (0...24).contains(hours),
                (0..<60).contains(minutes), hours * 60 + minutes <= 1440
            else { return nil }
            return hours * 60 + minutes
        }
        guard ends.count == 2, let start = minutes(ends[0]), let end = minutes(ends[1]), start < end else {
            throw AvailabilityError("time range \"\(text)\" must look like 09:00-17:00")
        }
        return MinuteRange(start: start, end: end)
    }
}

extension DateOverride {
    /// Parses `2026-12-24` (closed all day) or `2026-12-27 10:00-14:00,15:00-16:00`.
    public static func parse(_ text: String) throws(AvailabilityError) -> DateOverride {
        let parts = text.trimmingSpaces.split(separator: " ", maxSplits: 1).map(String.init)
        let digits = parts.first?.split(separator: "-").compactMap { Int($0) } ?? []
        guard digits.count == 3, let date = CalendarDate(validatingYear: digits[0], month: digits[1], day: digits[2]) else {
            throw AvailabilityError("date override \"\(text)\" must start with a date like 2026-12-24")
        }
        let ranges = parts.count == 2
            ? try parts[1].split(separator: ",").map { part throws(AvailabilityError) in try MinuteRange.parse(String(part)) } : []
        return DateOverride(date: date, ranges: ranges)
    }
}

/// Working hours on one date instead of the weekday's: other hours, or none (a holiday).
public struct DateOverride: Sendable, Hashable, Codable {
    public var date: CalendarDate
    public var ranges: [MinuteRange]

    public init(date: CalendarDate, ranges: [MinuteRange]) {
        self.date = date
        self.ranges = ranges
    }
}

/// When a resource (a person, a room) can be booked. Durations are in seconds.
public struct ResourceRules: Sendable, Hashable, Codable {
    /// The IANA zone working hours and all-day events are read in.
    public var timeZone: String
    public var weeklyHours: [WeeklyHours]
    public var dateOverrides: [DateOverride]
    /// Kept free before each event.
    public var bufferBefore: Int64
    /// Kept free after each event.
    public var bufferAfter: Int64
    /// How soon a slot may start, from now.
    public var minimumNotice: Int64
    /// How far ahead a slot may start, from now.
    public var horizon: Int64
    public var slotLength: Int64
    /// The distance between slot starts (from the start of each working range).
    public var slotStep: Int64
    public var maxBookingsPerDay: Int?
    public var maxBookingsPerWeek: Int?
    public var busy: BusyRules
    /// Busy rules for particular calendars (by store collection id), instead of ``busy``:
    /// e.g. a shared family calendar whose all-day entries do not block.
    public var calendarBusy: [String: BusyRules]
    /// Data older than this (seconds since the last sync) is checked live before "free".
    public var maxDataAge: Int64
    /// Published availability (RFC 7953): a VCALENDAR of VAVAILABILITY components that
    /// decides the time it covers, in place of the weekly hours (date overrides still win).
    public var publishedAvailability: String?
    /// The calendar (store collection id) whose server-side `calendar-availability`
    /// property is read into ``publishedAvailability`` whenever the calendars are refreshed.
    public var availabilityCalendar: String?

    /// The busy rules for one calendar.
    public func busyRules(forCalendar id: String) -> BusyRules { calendarBusy[id] ?? busy }

    public init(timeZone: String, weeklyHours: [WeeklyHours], dateOverrides: [DateOverride] = [], bufferBefore: Int64 = 0,
                bufferAfter: Int64 = 0, minimumNotice: Int64 = 0, horizon: Int64 = 60 * 86_400, slotLength: Int64 = 3600,
                slotStep: Int64 = 1800, maxBookingsPerDay: Int? = nil, maxBookingsPerWeek: Int? = nil,
                busy: BusyRules = BusyRules(), calendarBusy: [String: BusyRules] = [:], maxDataAge: Int64 = 300,
                publishedAvailability: String? = nil, availabilityCalendar: String? = nil) {
        self.timeZone = timeZone
        self.weeklyHours = weeklyHours
        self.dateOverrides = dateOverrides
        self.bufferBefore = bufferBefore
        self.bufferAfter = bufferAfter
        self.minimumNotice = minimumNotice
        self.horizon = horizon
        self.slotLength = slotLength
        self.slotStep = slotStep
        self.maxBookingsPerDay = maxBookingsPerDay
        self.maxBookingsPerWeek = maxBookingsPerWeek
        self.busy = busy
        self.calendarBusy = calendarBusy
        self.maxDataAge = maxDataAge
        self.publishedAvailability = publishedAvailability
        self.availabilityCalendar = availabilityCalendar
    }
}

/// A rule or an input that cannot be used.
public struct AvailabilityError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
