/// One instance of a (possibly recurring) event or to-do.
public struct Occurrence: Sendable, Hashable {
    /// The UID.
    public var uid: String?
    /// The instance's RECURRENCE-ID: its original start, in DTSTART's form.
    public var recurrenceID: DateOrDateTime
    /// The start, in the form of the component that describes the instance.
    public var start: DateOrDateTime
    /// The end (from DTEND, DUE or DURATION; a DATE start without either lasts a day).
    public var end: DateOrDateTime
    /// The start as seconds since 1970 UTC, or `nil` for floating and all-day instances.
    public var startUTC: Int64?
    /// The end as seconds since 1970 UTC, or `nil` for floating and all-day instances.
    public var endUTC: Int64?
    /// The component that describes this instance: the master, or its override.
    public var component: Component

    /// What instances are ordered by: the UTC start, or the wall-clock start of a floating
    /// or all-day instance read as UTC.
    public var orderingKey: Int64 { startUTC ?? start.wallClock.secondsSinceEpoch }
}

/// A bound of a time window: an instant, or a wall-clock time that each series reads in
/// its own zone (a floating query time).
public enum TimeBound: Sendable, Hashable {
    /// Seconds since 1970 UTC.
    case instant(Int64)
    /// A wall-clock time.
    case local(LocalDateTime)
}

extension Array where Element == Occurrence {
    /// The occurrences in ascending order of `key`, stable. Sorting keys and moving each
    /// occurrence once is much cheaper than sorting the (large) occurrences themselves.
    func sorted(byKey key: (Occurrence) -> Int64, limit: Int? = nil) -> [Occurrence] {
        let keys = map(key)
        let order = indices.sorted { keys[$0] < keys[$1] || (keys[$0] == keys[$1] && $0 < $1) }
        return order.prefix(limit ?? order.count).map { self[$0] }
    }
}
