public import Foundation
import Synchronization

/// The UTC offset rules of one time zone: a VTIMEZONE, or an IANA zone.
public protocol ZoneRules: Sendable {
    /// The offset from UTC, in seconds, in force at `instant` (seconds since 1970 UTC).
    func utcOffset(at instant: Int64) -> Int
}

extension ZoneRules {
    /// `instant` (seconds since 1970 UTC) as ISO 8601 wall-clock time in this zone with its
    /// offset: `2026-03-02T10:00:00+01:00`, or `…Z` where the offset is zero.
    public func iso8601(_ instant: Int64) -> String {
        let local = localTime(at: instant)
        let offset = utcOffset(at: instant)
        func pad(_ value: Int, _ width: Int = 2) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let zone = offset == 0 ? "Z" : (offset < 0 ? "-" : "+") + pad(abs(offset) / 3600) + ":" + pad(abs(offset) % 3600 / 60)
        return "\(pad(local.date.year, 4))-\(pad(local.date.month))-\(pad(local.date.day))T\(pad(local.hour)):\(pad(local.minute)):\(pad(local.second))"
            + zone
    }

    /// The instant of a wall-clock time in this zone, following RFC 5545 §3.3.5: a time
    /// that does not exist (in a gap) is read with the offset before the gap; a time
    /// that exists twice (in an overlap) is the first of the two.
    public func instant(of local: LocalDateTime) -> Int64 {
        let wall = local.secondsSinceEpoch
        // Offsets in force a day either side bracket every real-world transition.
        let before = utcOffset(at: wall - 86_400)
        let after = before == utcOffset(at: wall + 86_400) ? before : utcOffset(at: wall + 86_400)
        let beforeFits = utcOffset(at: wall - Int64(before)) == before
        let afterFits = after == before ? beforeFits : utcOffset(at: wall - Int64(after)) == after
        switch (beforeFits, afterFits) {
        case (true, true): return wall - Int64(max(before, after))  // The larger offset is the earlier instant.
        case (true, false): return wall - Int64(before)
        case (false, true): return wall - Int64(after)
        case (false, false):
            let current = utcOffset(at: wall)
            if utcOffset(at: wall - Int64(current)) == current { return wall - Int64(current) }
            return wall - Int64(before)  // In a gap: the offset before it.
        }
    }

    /// The wall-clock time in this zone at `instant`.
    public func localTime(at instant: Int64) -> LocalDateTime {
        LocalDateTime(secondsSinceEpoch: instant + Int64(utcOffset(at: instant)))
    }
}

/// An IANA zone from the system's time zone database (Foundation `TimeZone`).
///
/// The zone's transitions from 1900 to 2100 are read once into a table, so that an
/// offset is a binary search rather than a call into ICU (expansion asks for one per
/// instance); instants outside that range ask Foundation.
public struct IANAZoneRules: ZoneRules {
    /// The zone.
    public let timeZone: TimeZone
    private let transitions: [Int64]
    private let offsets: [Int]
    private let tableRange: ClosedRange<Int64>

    /// Wraps a Foundation zone.
    public init(_ timeZone: TimeZone) {
        self.timeZone = timeZone
        let lower = LocalDateTime(date: CalendarDate(year: 1900, month: 1, day: 1)).secondsSinceEpoch
        let upper = LocalDateTime(date: CalendarDate(year: 2100, month: 1, day: 1)).secondsSinceEpoch
        var transitions: [Int64] = []
        var offsets = [timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(lower)))]
        var cursor = Date(timeIntervalSince1970: TimeInterval(lower))
        while let next = timeZone.nextDaylightSavingTimeTransition(after: cursor), next.timeIntervalSince1970 < Double(upper),
            transitions.count < 10_000
        {
            transitions.append(Int64(next.timeIntervalSince1970.rounded()))
            offsets.append(timeZone.secondsFromGMT(for: next))
            cursor = next
        }
        self.transitions = transitions
        self.offsets = offsets
        self.tableRange = lower...upper
    }

    /// The zone with this IANA identifier, if the database has it. Each zone is built once
    /// per process (reading two centuries of transitions costs about a millisecond) and
    /// shared after that.
    public init?(identifier: String) {
        if let zone = Self.built.withLock({ $0[identifier] }) {
            self = zone
            return
        }
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.init(zone)
        let built = self
        Self.built.withLock { zones in
            // Only identifiers the database knows get here; the cap is a second guard.
            if zones.count < 2_000 { zones[identifier] = built }
        }
    }

    /// The zones built so far, by identifier.
    private static let built = Mutex<[String: IANAZoneRules]>([:])

    public func utcOffset(at instant: Int64) -> Int {
        guard tableRange.contains(instant) else {
            return timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
        }
        // The number of transitions at or before `instant`.
        var low = 0
        var high = transitions.count
        while low < high {
            let middle = (low + high) / 2
            if transitions[middle] <= instant { low = middle + 1 } else { high = middle }
        }
        return offsets[low]
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
