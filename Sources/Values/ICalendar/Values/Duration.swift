/// A DURATION value (RFC 5545 §3.3.6). Weeks and days are nominal (a day is a calendar
/// day, 23 or 25 hours across a DST change); hours, minutes and seconds are exact.
public struct CalendarDuration: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Whether the duration points backwards (`-PT15M`).
    public var isNegative: Bool
    /// Nominal weeks.
    public var weeks: Int
    /// Nominal days.
    public var days: Int
    /// Exact hours.
    public var hours: Int
    /// Exact minutes.
    public var minutes: Int
    /// Exact seconds.
    public var seconds: Int

    /// Creates a duration.
    public init(
        isNegative: Bool = false, weeks: Int = 0, days: Int = 0, hours: Int = 0, minutes: Int = 0, seconds: Int = 0
    ) {
        self.isNegative = isNegative
        self.weeks = weeks
        self.days = days
        self.hours = hours
        self.minutes = minutes
        self.seconds = seconds
    }

    /// Parses `dur-value = (["+"] / "-") "P" (dur-date / dur-time / dur-week)`.
    ///
    /// Mixed weeks and days (`P1W2D`, RFC 2445 style) are accepted, as real producers
    /// write them.
    public init(parsing text: some StringProtocol) throws(ValueError) {
        self = try DigitReader.read(text) { reader in
            var duration = CalendarDuration()
            if reader.consume(UInt8(ascii: "-")) {
                duration.isNegative = true
            } else {
                _ = reader.consume(UInt8(ascii: "+"))
            }
            guard reader.consume(UInt8(ascii: "P")) else {
                return .failure(ValueError(type: "DURATION", hint: "expected P after the sign"))
            }
            var inTime = false
            var sawComponent = false
            var lastRank = -1
            while !reader.isAtEnd {
                if !inTime, reader.consume(UInt8(ascii: "T")) {
                    inTime = true
                    continue
                }
                guard let number = reader.number(), let unit = reader.peek else {
                    return .failure(ValueError(type: "DURATION", hint: "expected a number and a unit (W, D, H, M or S)"))
                }
                _ = reader.consume(unit)
                let rank: Int
                switch (unit, inTime) {
                case (UInt8(ascii: "W"), false): rank = 0; duration.weeks = number
                case (UInt8(ascii: "D"), false): rank = 1; duration.days = number
                case (UInt8(ascii: "H"), true): rank = 2; duration.hours = number
                case (UInt8(ascii: "M"), true): rank = 3; duration.minutes = number
                case (UInt8(ascii: "S"), true): rank = 4; duration.seconds = number
                default: return .failure(ValueError(type: "DURATION", hint: "unexpected unit"))
                }
                guard rank > lastRank else { return .failure(ValueError(type: "DURATION", hint: "units out of order")) }
                lastRank = rank
                sawComponent = true
            }
            guard sawComponent else { return .failure(ValueError(type: "DURATION", hint: "no length given")) }
            return .success(duration)
        }
    }

    /// Whole nominal days (weeks × 7 + days), signed.
    public var nominalDays: Int { (isNegative ? -1 : 1) * (weeks * 7 + days) }

    /// The exact part in seconds, signed.
    public var exactSeconds: Int { (isNegative ? -1 : 1) * (hours * 3600 + minutes * 60 + seconds) }

    /// The canonical text (`-P1DT2H`, `P2W`, `PT0S`).
    public var icalendarText: String {
        var text = isNegative ? "-P" : "P"
        if weeks > 0 { text += "\(weeks)W" }
        if days > 0 { text += "\(days)D" }
        if hours > 0 || minutes > 0 || seconds > 0 {
            text += "T"
            if hours > 0 { text += "\(hours)H" }
            if minutes > 0 { text += "\(minutes)M" }
            if seconds > 0 { text += "\(seconds)S" }
        }
        if text.hasSuffix("P") { text += "T0S" }
        return text
    }

    public var description: String { icalendarText }
}

extension LocalDateTime {
    /// This wall-clock time moved by a duration: nominal days first, on the calendar,
    /// then the exact part (RFC 5545 §3.3.6).
    public func adding(_ duration: CalendarDuration) -> LocalDateTime {
        var moved = self
        moved.date = date.adding(days: duration.nominalDays)
        return LocalDateTime(secondsSinceEpoch: moved.secondsSinceEpoch + Int64(duration.exactSeconds))
    }
}
