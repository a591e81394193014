public import Foundation

/// The UTC offset rules of one time zone: a VTIMEZONE, or an IANA zone.
public protocol ZoneRules: Sendable {
    /// The offset from UTC, in seconds, in force at `instant` (seconds since 1970 UTC).
    func utcOffset(at instant: Int64) -> Int
}

extension ZoneRules {
    /// The instant of a wall-clock time in this zone, following RFC 5545 §3.3.5: a time
    /// that does not exist (in a gap) is read with the offset before the gap; a time
    /// that exists twice (in an overlap) is the first of the two.
    public func instant(of local: LocalDateTime) -> Int64 {
        let wall = local.secondsSinceEpoch
        // Offsets in force a day either side bracket every real-world transition.
        let before = utcOffset(at: wall - 86_400)
        let after = utcOffset(at: wall + 86_400)
        let valid = [before, after].filter { utcOffset(at: wall - Int64($0)) == $0 }
        if let offset = valid.max() {
            return wall - Int64(offset)  // The larger offset gives the earlier instant.
        }
        if let offset = [utcOffset(at: wall)].first(where: { utcOffset(at: wall - Int64($0)) == $0 }) {
            return wall - Int64(offset)
        }
        return wall - Int64(before)  // In a gap: the offset before it.
    }

    /// The wall-clock time in this zone at `instant`.
    public func localTime(at instant: Int64) -> LocalDateTime {
        LocalDateTime(secondsSinceEpoch: instant + Int64(utcOffset(at: instant)))
    }
}

/// An IANA zone from the system's time zone database (Foundation `TimeZone`).
public struct IANAZoneRules: ZoneRules {
    /// The zone.
    public let timeZone: TimeZone

    /// Wraps a Foundation zone.
    public init(_ timeZone: TimeZone) { self.timeZone = timeZone }

    /// The zone with this IANA identifier, if the database has it.
    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.init(zone)
    }

    public func utcOffset(at instant: Int64) -> Int {
        timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
    }
}

/// Why a time could not be placed in real time.
public struct TimeZoneError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The TZID concerned.
    public var tzid: String
    /// What went wrong.
    public var hint: String

    /// Creates an error.
    public init(tzid: String, hint: String) {
        self.tzid = tzid
        self.hint = hint
    }

    public var description: String { "time zone \(tzid): \(hint)" }
}
