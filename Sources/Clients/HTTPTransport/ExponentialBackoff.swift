/// Waits that double after each failure up to a ceiling: what the HTTP layer's retries,
/// sync runs and webhook deliveries all back off by (each adds its own jitter or none).
public struct ExponentialBackoff: Sendable, Hashable {
    /// The wait after the first failure, in seconds.
    public var base: Double
    /// The longest wait, in seconds.
    public var maximum: Double

    public init(base: Double, maximum: Double) {
        self.base = base
        self.maximum = maximum
    }

    /// The wait after `failures` failures in a row (the first: ``base``), in seconds.
    public func delay(afterFailures failures: Int) -> Double {
        min(maximum, base * Double(1 << min(max(failures, 1) - 1, 30)))
    }
}
