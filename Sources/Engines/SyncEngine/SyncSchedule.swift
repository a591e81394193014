public import Foundation
import DAVClient
import HTTPTransport

/// When a collection syncs next: its interval after a good run, longer and longer after
/// failures (doubling, capped), always with jitter so that many collections do not hit a
/// server in step. Pure: the random draw is passed in.
public struct SyncSchedule: Sendable, Hashable {
    /// The share of the delay added or taken at random (0.1: ±10%).
    public var jitter: Double
    /// The longest wait after failures.
    public var maxBackoff: TimeInterval
    /// How soon a run that found the collection busy (leased elsewhere) tries again.
    public var busyRetry: TimeInterval

    public init(jitter: Double = 0.1, maxBackoff: TimeInterval = 3600, busyRetry: TimeInterval = 30) {
        self.jitter = jitter
        self.maxBackoff = maxBackoff
        self.busyRetry = busyRetry
    }

    /// The next run after one that ended at `finished`; `random` is uniform in 0...1.
    public func nextRun(after finished: Date, interval: TimeInterval, consecutiveFailures: Int, busy: Bool = false,
                        random: Double) -> Date {
        let base: TimeInterval
        if busy {
            base = busyRetry
        } else if consecutiveFailures == 0 {
            base = interval
        } else {
            // Twice the interval after the first failure, doubling from there.
            base = ExponentialBackoff(base: max(interval, 1) * 2, maximum: maxBackoff).delay(afterFailures: consecutiveFailures)
        }
        let spread = base * jitter * (random * 2 - 1)
        return finished + max(1, base + spread)
    }
}
