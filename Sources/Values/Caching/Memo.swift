import Synchronization

/// Values worth keeping between questions, by key and version: a calendar object read
/// into recurrence series (reading it — parsing, time zones, rules — costs more than
/// expanding it over a month, and a booking page asks about the same calendars again and
/// again), a resource's decoded rules, an API key, a recent answer. A value is used only
/// for the version it was made from (an item's store revision, the store's write
/// generation), so any write makes it be made again, and — with a lifetime — only for that
/// long after it was made (what the version cannot see: another process's writes, time
/// passing). Bounded: when full, everything is dropped and the cache fills again.
public final class Memo<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        var version: Int64
        var value: Value
        var expires: ContinuousClock.Instant?
    }

    private let entries = Mutex<[Key: Entry]>([:])
    private let capacity: Int
    private let lifetime: Duration?

    /// A cache of at most `capacity` values, each used for at most `lifetime` (`nil`: while
    /// its version holds).
    public init(capacity: Int, lifetime: Duration? = nil) {
        self.capacity = capacity
        self.lifetime = lifetime
    }

    /// The value kept for `key` at `version`, or the one `make` makes now (and kept).
    public func value<Failure: Error>(for key: Key, version: Int64 = 0, make: () throws(Failure) -> Value) throws(Failure) -> Value {
        if let value = cached(for: key, version: version) { return value }
        let started = ContinuousClock.now
        let value = try make()
        keep(value, for: key, version: version, madeAt: started)
        return value
    }

    /// The value kept for `key` at `version`, or the one `load` reads now (and kept; its
    /// lifetime counts from before the read): for values read from a store. Concurrent misses
    /// each read.
    public func value<Failure: Error>(for key: Key, version: Int64 = 0, loading load: () async throws(Failure) -> Value) async throws(Failure)
        -> Value
    {
        if let value = cached(for: key, version: version) { return value }
        let started = ContinuousClock.now
        let value = try await load()
        keep(value, for: key, version: version, madeAt: started)
        return value
    }

    /// The value kept for `key` at `version`, if any and not expired.
    public func cached(for key: Key, version: Int64) -> Value? {
        guard let entry = entries.withLock({ $0[key] }), entry.version == version else { return nil }
        if let expires = entry.expires, expires <= .now { return nil }
        return entry.value
    }

    /// Keeps `value` for `key` at `version`, in place of any other; its lifetime counts from
    /// `madeAt` (when the data it was made from was read).
    public func keep(_ value: Value, for key: Key, version: Int64, madeAt: ContinuousClock.Instant = .now) {
        let expires = lifetime.map { madeAt + $0 }
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(version: version, value: value, expires: expires)
        }
    }
}
