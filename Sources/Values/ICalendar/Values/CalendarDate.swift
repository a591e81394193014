/// A DATE value (RFC 5545 §3.3.4): a day in the Gregorian calendar, with no time and no
/// zone. All-day events stay dates; they are never turned into midnight timestamps.
public struct CalendarDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The year, 0…9999.
    public var year: Int
    /// The month, 1…12.
    public var month: Int
    /// The day of the month, 1…31.
    public var day: Int

    /// Creates a date without checking it; see ``init(validatingYear:month:day:)``.
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Creates a date if it exists (no February 30).
    public init?(validatingYear year: Int, month: Int, day: Int) {
        guard (0...9999).contains(year), (1...12).contains(month),
            day >= 1, day <= CalendarDate.daysIn(month: month, year: year)
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// Parses `date-value = date-fullyear date-month date-mday` (`19970714`).
    public init(parsing text: some StringProtocol) throws(ValueError) {
        self = try DigitReader.read(text) { reader in
            guard let year = reader.fixed(4), let month = reader.fixed(2), let day = reader.fixed(2), reader.isAtEnd
            else { return .failure(ValueError(type: "DATE", hint: "expected YYYYMMDD")) }
            guard let date = CalendarDate(validatingYear: year, month: month, day: day) else {
                return .failure(ValueError(type: "DATE", hint: "no such day"))
            }
            return .success(date)
        }
    }

    /// The value as written in iCalendar (`19970714`).
    public var icalendarText: String {
        var digits = DigitWriter()
        digits.write(self)
        return digits.string
    }

    public var description: String { icalendarText }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Whether `year` is a Gregorian leap year.
    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// The number of days in a month.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (negative before), after Howard Hinnant's `days_from_civil`.
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` days after 1970-01-01, after Howard Hinnant's `civil_from_days`.
    public init(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }

    /// The date `days` days later (or earlier, when negative).
    public func adding(days: Int) -> CalendarDate {
        CalendarDate(daysSinceEpoch: daysSinceEpoch + days)
    }

    /// The day of the week.
    public var weekday: Weekday {
        // 1970-01-01 was a Thursday.
        let index = ((daysSinceEpoch % 7) + 7 + 4) % 7
        return Weekday.allCases[index]
    }
}

/// A day of the week, as RRULE writes it (`SU` … `SA`).
public enum Weekday: String, Sendable, Hashable, CaseIterable, Codable {
    case sunday = "SU", monday = "MO", tuesday = "TU", wednesday = "WE"
    case thursday = "TH", friday = "FR", saturday = "SA"
}
