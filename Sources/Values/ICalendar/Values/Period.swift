/// A PERIOD value (RFC 5545 §3.3.9): a start and either an end or a duration.
public struct Period: Sendable, Hashable, Codable, CustomStringConvertible {
    /// How a period ends.
    public enum End: Sendable, Hashable, Codable {
        /// `period-explicit`: a DATE-TIME.
        case dateTime(DateTime)
        /// `period-start`: a positive duration.
        case duration(CalendarDuration)
    }

    /// The start.
    public var start: DateTime
    /// The end.
    public var end: End

    /// Creates a period.
    public init(start: DateTime, end: End) {
        self.start = start
        self.end = end
    }

    /// Parses `period = period-explicit / period-start`.
    public init(parsing text: some StringProtocol, tzid: String? = nil) throws(ValueError) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw ValueError(type: "PERIOD", hint: "expected start/end or start/duration") }
        start = try DateTime(parsing: parts[0], tzid: tzid)
        let second = parts[1]
        if second.first == "P" || second.first == "+" || second.first == "-" {
            let duration = try CalendarDuration(parsing: second)
            guard !duration.isNegative else { throw ValueError(type: "PERIOD", hint: "duration must be positive") }
            end = .duration(duration)
        } else {
            end = .dateTime(try DateTime(parsing: second, tzid: tzid))
        }
    }

    /// The value text (`19970101T180000Z/PT5H30M`).
    public var icalendarText: String {
        switch end {
        case .dateTime(let dateTime): start.icalendarText + "/" + dateTime.icalendarText
        case .duration(let duration): start.icalendarText + "/" + duration.icalendarText
        }
    }

    public var description: String { icalendarText }
}
