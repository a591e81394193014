import Foundation

/// When and how long to wait before sending a request again: exponential backoff with
/// full jitter for idempotent requests that met a connection failure or a 5xx, and the
/// server's own `Retry-After` for 429 and 503 (any method: the server did not act).
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    /// The first backoff ceiling, in seconds; it doubles per attempt.
    public var baseDelay: Double
    /// The largest backoff ceiling, in seconds.
    public var maxDelay: Double
    /// The longest `Retry-After` the client waits out; a longer one fails at once with
    /// ``HTTPError/Code/rateLimited`` so the caller can schedule the retry itself.
    public var maxRetryAfter: Double

    /// Creates a policy.
    public init(maxAttempts: Int = 4, baseDelay: Double = 0.2, maxDelay: Double = 10, maxRetryAfter: Double = 60) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// No retries.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// What happened on one attempt.
    enum Outcome: Sendable, Hashable {
        /// No response: connection refused, reset, or an idle timeout.
        case connectionFailure
        /// A response with this status and the server's `Retry-After` (seconds), if any.
        case response(status: Int, retryAfter: Double?)
    }

    /// What to do next.
    enum Decision: Sendable, Hashable {
        case give(up: Reason)
        case retry(afterSeconds: Double)

        enum Reason: Sendable, Hashable { case notRetryable, attemptsExhausted, retryAfterTooLong }
    }

    /// The decision after `attempt` (1-based) ended with `outcome`; `random` in [0, 1)
    /// supplies the jitter.
    func decide(method: String, attempt: Int, outcome: Outcome, random: Double) -> Decision {
        let backoff = ExponentialBackoff(base: baseDelay, maximum: maxDelay).delay(afterFailures: attempt) * random
        var delay: Double
        switch outcome {
        case .connectionFailure:
            guard Self.isIdempotent(method) else { return .give(up: .notRetryable) }
            delay = backoff
        case .response(let status, let retryAfter) where status == 429 || status == 503:
            if let retryAfter {
                guard retryAfter <= maxRetryAfter else { return .give(up: .retryAfterTooLong) }
                delay = retryAfter
            } else {
                delay = backoff
            }
        case .response(let status, _) where status == 500 || status == 502 || status == 504:
            guard Self.isIdempotent(method) else { return .give(up: .notRetryable) }
            delay = backoff
        case .response:
            return .give(up: .notRetryable)
        }
        guard attempt < maxAttempts else { return .give(up: .attemptsExhausted) }
        return .retry(afterSeconds: delay)
    }

    /// Methods that may be repeated without changing the outcome (RFC 9110 §9.2.2, RFC 4918).
    /// `PUT` and `DELETE` count: with an ETag precondition a repeat is refused rather than
    /// applied twice.
    static func isIdempotent(_ method: String) -> Bool {
        ["GET", "HEAD", "OPTIONS", "PROPFIND", "REPORT", "PUT", "DELETE", "UNLOCK"].contains(method)
    }

    /// Reads `Retry-After`: delay-seconds, or an HTTP-date relative to `now` (seconds since 1970).
    static func retryAfterSeconds(_ value: String, now: Double) -> Double? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed), seconds >= 0 { return Double(seconds) }
        guard let date = HTTPDate.parse(trimmed) else { return nil }
        return max(0, date - now)
    }
}
