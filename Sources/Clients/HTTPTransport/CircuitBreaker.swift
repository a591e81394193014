/// A per-host circuit breaker: after `failureThreshold` consecutive failures the host is
/// refused for `cooldown` seconds, then one trial request is let through; its success
/// closes the circuit, its failure opens it again.
///
/// A value type driven by the caller's clock, so its rules are tested without waiting.
public struct CircuitBreakerPolicy: Sendable, Hashable {
    /// Consecutive failures (connection failures and 5xx after retries) that open the circuit.
    public var failureThreshold: Int
    /// Seconds the circuit stays open.
    public var cooldown: Double

    /// Creates a policy.
    public init(failureThreshold: Int = 5, cooldown: Double = 30) {
        self.failureThreshold = failureThreshold
        self.cooldown = cooldown
    }
}

/// The state of one host's circuit.
struct CircuitState: Sendable, Hashable {
    private(set) var consecutiveFailures = 0
    private(set) var openUntil: Double?
    private var trialInFlight = false

    /// Whether a request may go out at `now`; a `true` while the cooldown has passed
    /// claims the single trial slot.
    mutating func admit(now: Double) -> Bool {
        guard let openUntil else { return true }
        guard now >= openUntil, !trialInFlight else { return false }
        trialInFlight = true
        return true
    }

    /// Records a request's outcome.
    mutating func record(success: Bool, now: Double, policy: CircuitBreakerPolicy) {
        trialInFlight = false
        if success {
            consecutiveFailures = 0
            openUntil = nil
            return
        }
        consecutiveFailures += 1
        if consecutiveFailures >= policy.failureThreshold || openUntil != nil {
            openUntil = now + policy.cooldown
        }
    }
}
