import HTTPTypes
import Hummingbird
import Synchronization

/// How many requests one API key may make: `perSecond` on average, in bursts of `burst`.
public struct RateLimit: Sendable, Hashable {
    public var perSecond: Double
    public var burst: Int

    public init(perSecond: Double, burst: Int) {
        self.perSecond = perSecond
        self.burst = burst
    }
}

/// Token buckets by key id: each request takes a token; an empty bucket is a 429 with
/// `Retry-After` (whole seconds until a token is back). Runs after authentication, so
/// unauthenticated requests are refused before they cost a bucket.
struct RateLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: RateLimit
    let buckets = Buckets()

    final class Buckets: Sendable {
        struct Bucket {
            var tokens: Double
            var updated: ContinuousClock.Instant
        }

        let state = Mutex<[String: Bucket]>([:])
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let principal = Principal.current else { return try await next(request, context) }
        if let wait = take(for: principal.keyID, now: .now) {
            var response = Problem(status: 429, code: "rate_limited", title: "Too many requests",
                                   detail: "this key may make \(limit.perSecond) requests a second (bursts of \(limit.burst))")
                .response(requestID: Principal.requestID)
            response.headers[.retryAfter] = String(Int(wait.rounded(.up)))
            return response
        }
        return try await next(request, context)
    }

    /// Takes a token for `key`; `nil` when there was one, else the seconds until there is.
    func take(for key: String, now: ContinuousClock.Instant) -> Double? {
        buckets.state.withLock { state in
            var bucket = state[key] ?? Buckets.Bucket(tokens: Double(limit.burst), updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(Double(limit.burst), bucket.tokens + seconds * limit.perSecond)
            bucket.updated = now
            defer {
                if state.count > 100_000 { state.removeAll(keepingCapacity: true) }
                state[key] = bucket
            }
            guard bucket.tokens >= 1 else { return max((1 - bucket.tokens) / limit.perSecond, 1) }
            bucket.tokens -= 1
            return nil
        }
    }
}
