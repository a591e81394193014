/// A wall-clock date and time with no zone: the digits of a DATE-TIME value.
public struct LocalDateTime: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The date.
    public var date: CalendarDate
    /// The hour, 0…23.
    public var hour: Int
    /// The minute, 0…59.
    public var minute: Int
    /// The second, 0…60 (60 is a leap second, RFC 5545 §3.3.12).
    public var second: Int

    /// Creates a local date-time.
    public init(date: CalendarDate, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// Seconds since 1970-01-01T00:00:00 of the same wall clock, as if it were UTC.
    public var secondsSinceEpoch: Int64 {
        Int64(date.daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// The wall-clock time `seconds` seconds after 1970-01-01T00:00:00.
    public init(secondsSinceEpoch seconds: Int64) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = Int(seconds - days * 86_400)
        self.init(
            date: CalendarDate(daysSinceEpoch: Int(days)), hour: rest / 3600, minute: rest % 3600 / 60,
            second: rest % 60)
    }

    /// `YYYYMMDDTHHMMSS`.
    /// Appends the ISO 8601 form, `2024-03-01T09:00:00` (no offset), to `bytes`.
    public func appendISO8601(to bytes: inout [UInt8]) {
        DigitWriter.append(date.year, width: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        DigitWriter.append(date.month, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        DigitWriter.append(date.day, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        DigitWriter.append(hour, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        DigitWriter.append(minute, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        DigitWriter.append(second, width: 2, to: &bytes)
    }

    public var icalendarText: String {
        var digits = DigitWriter()
        digits.write(date)
        digits.append(UInt8(ascii: "T"))
        digits.write(hour, width: 2)
        digits.write(minute, width: 2)
        digits.write(second, width: 2)
        return digits.string
    }

    public var description: String { icalendarText }

    public static func < (lhs: LocalDateTime, rhs: LocalDateTime) -> Bool {
        (lhs.date, lhs.hour, lhs.minute, lhs.second) < (rhs.date, rhs.hour, rhs.minute, rhs.second)
    }
}

/// A DATE-TIME value (RFC 5545 §3.3.5) in one of its three forms.
public struct DateTime: Sendable, Hashable, Codable, CustomStringConvertible {
    /// How a DATE-TIME relates to real time.
    public enum Form: Sendable, Hashable, Codable {
        /// Form #1: the same wall-clock time wherever the reader is.
        case floating
        /// Form #2: UTC, written with a trailing `Z`.
        case utc
        /// Form #3: local time in the zone named by the `TZID` parameter.
        case zoned(tzid: String)
    }

    /// The wall-clock digits.
    public var local: LocalDateTime
    /// Which form it is.
    public var form: Form

    /// Creates a date-time.
    public init(_ local: LocalDateTime, form: Form) {
        self.local = local
        self.form = form
    }

    /// Parses `date-time = date "T" time` with an optional `Z`; `tzid` (the `TZID`
    /// parameter) makes a time without `Z` zoned.
    public init(parsing text: some StringProtocol, tzid: String? = nil) throws(ValueError) {
        let (local, isUTC) = try DigitReader.read(text) { reader -> Result<(LocalDateTime, Bool), ValueError> in
            guard let year = reader.fixed(4), let month = reader.fixed(2), let day = reader.fixed(2),
                reader.consume(UInt8(ascii: "T")),
                let hour = reader.fixed(2), let minute = reader.fixed(2), let second = reader.fixed(2)
            else {
                return .failure(ValueError(type: "DATE-TIME", hint: "expected YYYYMMDDTHHMMSS with an optional Z"))
            }
            let isUTC = reader.consume(UInt8(ascii: "Z"))
            guard reader.isAtEnd else {
                return .failure(ValueError(type: "DATE-TIME", hint: "unexpected text after the time"))
            }
            guard let date = CalendarDate(validatingYear: year, month: month, day: day) else {
                return .failure(ValueError(type: "DATE-TIME", hint: "no such day"))
            }
            guard hour <= 23, minute <= 59, second <= 60 else {
                return .failure(ValueError(type: "DATE-TIME", hint: "time out of range"))
            }
            return .success((LocalDateTime(date: date, hour: hour, minute: minute, second: second), isUTC))
        }
        if isUTC {
            self.init(local, form: .utc)
        } else if let tzid {
            self.init(local, form: .zoned(tzid: tzid))
        } else {
            self.init(local, form: .floating)
        }
    }

    /// The value text (`19980119T020000`, or with `Z` for UTC); the zone of form #3 is
    /// written as a `TZID` parameter, not here.
    public var icalendarText: String {
        form == .utc ? local.icalendarText + "Z" : local.icalendarText
    }

    /// The TZID of a zoned value.
    public var tzid: String? {
        if case .zoned(let tzid) = form { return tzid }
        return nil
    }

    public var description: String {
        tzid.map { "TZID=\($0):\(icalendarText)" } ?? icalendarText
    }
}

/// A value that is a DATE or a DATE-TIME (DTSTART, DTEND, DUE, RECURRENCE-ID, EXDATE…).
public enum DateOrDateTime: Sendable, Hashable, Codable, CustomStringConvertible {
    /// An all-day value.
    case date(CalendarDate)
    /// A timed value.
    case dateTime(DateTime)

    /// Parses the value, as a DATE when `isDate` (the `VALUE=DATE` parameter) or when the
    /// text has no time part, else as a DATE-TIME.
    public init(parsing text: some StringProtocol, isDate: Bool = false, tzid: String? = nil) throws(ValueError) {
        if isDate || text.utf8.count == 8 {
            self = .date(try CalendarDate(parsing: text))
        } else {
            self = .dateTime(try DateTime(parsing: text, tzid: tzid))
        }
    }

    /// The calendar date, for either case.
    public var date: CalendarDate {
        switch self {
        case .date(let date): date
        case .dateTime(let dateTime): dateTime.local.date
        }
    }

    /// The wall-clock digits: a DATE as midnight of its day.
    public var wallClock: LocalDateTime {
        switch self {
        case .date(let date): LocalDateTime(date: date)
        case .dateTime(let dateTime): dateTime.local
        }
    }

    /// The TZID of a zoned DATE-TIME.
    public var tzid: String? {
        if case .dateTime(let dateTime) = self { return dateTime.tzid }
        return nil
    }

    /// Whether this is an all-day value.
    public var isDate: Bool {
        if case .date = self { return true }
        return false
    }

    /// The value text, without parameters.
    public var icalendarText: String {
        switch self {
        case .date(let date): date.icalendarText
        case .dateTime(let dateTime): dateTime.icalendarText
        }
    }

    /// Appends ``icalendarText``'s bytes to `bytes` (for writers that build output in place).
    public func appendICalendarText(to bytes: inout [UInt8]) {
        switch self {
        case .date(let date):
            DigitWriter.append(date, to: &bytes)
        case .dateTime(let dateTime):
            let local = dateTime.local
            DigitWriter.append(local.date, to: &bytes)
            bytes.append(UInt8(ascii: "T"))
            DigitWriter.append(local.hour, width: 2, to: &bytes)
            DigitWriter.append(local.minute, width: 2, to: &bytes)
            DigitWriter.append(local.second, width: 2, to: &bytes)
            if dateTime.form == .utc { bytes.append(UInt8(ascii: "Z")) }
        }
    }

    public var description: String {
        switch self {
        case .date(let date): "VALUE=DATE:\(date)"
        case .dateTime(let dateTime): dateTime.description
        }
    }
}
