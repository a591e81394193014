/// A RECUR value (RFC 5545 §3.3.10), parsed into its parts. Expansion lives in the
/// recurrence engine; this type only reads, checks and writes the rule.
public struct RecurrenceRule: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `FREQ`.
    public enum Frequency: String, Sendable, Hashable, Codable, CaseIterable {
        case secondly = "SECONDLY", minutely = "MINUTELY", hourly = "HOURLY", daily = "DAILY"
        case weekly = "WEEKLY", monthly = "MONTHLY", yearly = "YEARLY"
    }

    /// A `BYDAY` entry: a weekday with an optional ordinal (`-1FR`, `2MO`, `TU`).
    public struct WeekdayNumber: Sendable, Hashable, Codable, CustomStringConvertible {
        /// The ordinal, -53…53 except 0, or `nil` for every such weekday.
        public var ordinal: Int?
        /// The weekday.
        public var weekday: Weekday

        /// Creates an entry.
        public init(_ weekday: Weekday, ordinal: Int? = nil) {
            self.weekday = weekday
            self.ordinal = ordinal
        }

        public var description: String { (ordinal.map(String.init) ?? "") + weekday.rawValue }
    }

    /// `FREQ`, required.
    public var frequency: Frequency
    /// `INTERVAL`, default 1.
    public var interval: Int
    /// `COUNT`.
    public var count: Int?
    /// `UNTIL`: a DATE or a DATE-TIME.
    public var until: DateOrDateTime?
    /// `BYSECOND`, 0…60.
    public var bySecond: [Int]
    /// `BYMINUTE`, 0…59.
    public var byMinute: [Int]
    /// `BYHOUR`, 0…23.
    public var byHour: [Int]
    /// `BYDAY`.
    public var byDay: [WeekdayNumber]
    /// `BYMONTHDAY`, ±1…31.
    public var byMonthDay: [Int]
    /// `BYYEARDAY`, ±1…366.
    public var byYearDay: [Int]
    /// `BYWEEKNO`, ±1…53.
    public var byWeekNumber: [Int]
    /// `BYMONTH`, 1…12.
    public var byMonth: [Int]
    /// `BYSETPOS`, ±1…366.
    public var bySetPosition: [Int]
    /// `WKST`, default Monday.
    public var weekStart: Weekday
    /// Parts this type does not model (`RSCALE`, `SKIP`, `X-…`), in order, as written.
    public var extensions: [Extension]

    /// A rule part kept as text.
    public struct Extension: Sendable, Hashable, Codable {
        /// The part name, upper case.
        public var name: String
        /// The part value as written.
        public var value: String
    }

    /// Creates a rule.
    public init(
        frequency: Frequency, interval: Int = 1, count: Int? = nil, until: DateOrDateTime? = nil,
        bySecond: [Int] = [], byMinute: [Int] = [], byHour: [Int] = [], byDay: [WeekdayNumber] = [],
        byMonthDay: [Int] = [], byYearDay: [Int] = [], byWeekNumber: [Int] = [], byMonth: [Int] = [],
        bySetPosition: [Int] = [], weekStart: Weekday = .monday, extensions: [Extension] = []
    ) {
        self.frequency = frequency
        self.interval = interval
        self.count = count
        self.until = until
        self.bySecond = bySecond
        self.byMinute = byMinute
        self.byHour = byHour
        self.byDay = byDay
        self.byMonthDay = byMonthDay
        self.byYearDay = byYearDay
        self.byWeekNumber = byWeekNumber
        self.byMonth = byMonth
        self.bySetPosition = bySetPosition
        self.weekStart = weekStart
        self.extensions = extensions
    }

    /// Parses `recur = recur-rule-part *( ";" recur-rule-part )`, checking each part's range.
    public init(parsing text: some StringProtocol) throws(ValueError) {
        // Bytes, not Characters: rules are ASCII and this runs for every RRULE read.
        let bytes = Array(text.utf8)
        var frequency: Frequency?
        var rule = RecurrenceRule(frequency: .daily)
        var seen: [String] = []
        var partStart = 0
        while partStart < bytes.count {
            let partEnd = bytes[partStart...].firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
            defer { partStart = partEnd + 1 }
            guard partEnd > partStart else { continue }
            guard let equals = bytes[partStart..<partEnd].firstIndex(of: UInt8(ascii: "=")) else {
                throw ValueError(type: "RECUR", hint: "rule part without '='")
            }
            let name = String(decoding: bytes[partStart..<equals], as: UTF8.self).asciiUppercased
            let value = bytes[(equals + 1)..<partEnd]
            guard !seen.contains(name) else { throw ValueError(type: "RECUR", hint: "\(name) appears twice") }
            seen.append(name)
            switch name {
            case "FREQ":
                guard let parsed = Frequency(rawValue: String(decoding: value, as: UTF8.self).asciiUppercased) else {
                    throw ValueError(type: "RECUR", hint: "unknown FREQ")
                }
                frequency = parsed
            case "INTERVAL":
                guard let number = Self.integer(value), number >= 1 else {
                    throw ValueError(type: "RECUR", hint: "INTERVAL must be a positive integer")
                }
                rule.interval = number
            case "COUNT":
                guard let number = Self.integer(value), number >= 1 else {
                    throw ValueError(type: "RECUR", hint: "COUNT must be a positive integer")
                }
                rule.count = number
            case "UNTIL":
                rule.until = try DateOrDateTime(parsing: String(decoding: value, as: UTF8.self))
            case "BYSECOND": rule.bySecond = try Self.numbers(value, name, 0...60, signed: false)
            case "BYMINUTE": rule.byMinute = try Self.numbers(value, name, 0...59, signed: false)
            case "BYHOUR": rule.byHour = try Self.numbers(value, name, 0...23, signed: false)
            case "BYMONTHDAY": rule.byMonthDay = try Self.numbers(value, name, 1...31, signed: true)
            case "BYYEARDAY": rule.byYearDay = try Self.numbers(value, name, 1...366, signed: true)
            case "BYWEEKNO": rule.byWeekNumber = try Self.numbers(value, name, 1...53, signed: true)
            case "BYMONTH": rule.byMonth = try Self.numbers(value, name, 1...12, signed: false)
            case "BYSETPOS": rule.bySetPosition = try Self.numbers(value, name, 1...366, signed: true)
            case "BYDAY":
                rule.byDay = try value.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map {
                    (entry) throws(ValueError) in try Self.weekdayNumber(entry)
                }
            case "WKST":
                guard let weekday = Weekday(rawValue: String(decoding: value, as: UTF8.self).asciiUppercased) else {
                    throw ValueError(type: "RECUR", hint: "unknown WKST")
                }
                rule.weekStart = weekday
            default:
                rule.extensions.append(Extension(name: name, value: String(decoding: value, as: UTF8.self)))
            }
        }
        guard let frequency else { throw ValueError(type: "RECUR", hint: "FREQ is required") }
        guard rule.count == nil || rule.until == nil else {
            throw ValueError(type: "RECUR", hint: "COUNT and UNTIL must not both appear")
        }
        rule.frequency = frequency
        self = rule
    }

    /// `["+" / "-"] 1*DIGIT`, at most 9 digits.
    private static func integer(_ bytes: ArraySlice<UInt8>) -> Int? {
        var digits = bytes[...]
        var sign = 1
        if let first = digits.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            sign = first == UInt8(ascii: "-") ? -1 : 1
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.count <= 9 else { return nil }
        var value = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return sign * value
    }

    private static func numbers(
        _ text: ArraySlice<UInt8>, _ name: String, _ range: ClosedRange<Int>, signed: Bool
    ) throws(ValueError) -> [Int] {
        var result: [Int] = []
        for item in text.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            guard let number = integer(item), signed || item.first != UInt8(ascii: "-"),
                range.contains(signed ? abs(number) : number)
            else {
                throw ValueError(type: "RECUR", hint: "\(name) value out of range \(range)")
            }
            result.append(number)
        }
        return result
    }

    private static func weekdayNumber(_ text: ArraySlice<UInt8>) throws(ValueError) -> WeekdayNumber {
        guard text.count >= 2,
            let weekday = Weekday(rawValue: String(decoding: text.suffix(2), as: UTF8.self).asciiUppercased)
        else {
            throw ValueError(type: "RECUR", hint: "unknown weekday in BYDAY")
        }
        let prefix = text.dropLast(2)
        guard !prefix.isEmpty else { return WeekdayNumber(weekday) }
        guard let ordinal = integer(prefix), ordinal != 0, abs(ordinal) <= 53 else {
            throw ValueError(type: "RECUR", hint: "BYDAY ordinal out of range")
        }
        return WeekdayNumber(weekday, ordinal: ordinal)
    }

    /// The canonical text: FREQ first, then the other parts in RFC order.
    public var icalendarText: String {
        var parts = ["FREQ=\(frequency.rawValue)"]
        if let until { parts.append("UNTIL=\(until.icalendarText)") }
        if let count { parts.append("COUNT=\(count)") }
        if interval != 1 { parts.append("INTERVAL=\(interval)") }
        func list(_ name: String, _ values: [Int]) {
            if !values.isEmpty { parts.append("\(name)=" + values.map(String.init).joined(separator: ",")) }
        }
        list("BYSECOND", bySecond)
        list("BYMINUTE", byMinute)
        list("BYHOUR", byHour)
        if !byDay.isEmpty { parts.append("BYDAY=" + byDay.map(\.description).joined(separator: ",")) }
        list("BYMONTHDAY", byMonthDay)
        list("BYYEARDAY", byYearDay)
        list("BYWEEKNO", byWeekNumber)
        list("BYMONTH", byMonth)
        list("BYSETPOS", bySetPosition)
        if weekStart != .monday { parts.append("WKST=\(weekStart.rawValue)") }
        parts += extensions.map { "\($0.name)=\($0.value)" }
        return parts.joined(separator: ";")
    }

    public var description: String { icalendarText }
}

extension StringProtocol {
    /// The text upper-cased, without the Unicode case mapping when it is already upper
    /// case (rule parts almost always are).
    var asciiUppercased: String {
        utf8.contains { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") } ? uppercased() : String(self)
    }
}
