import HTTPTypes
import Hummingbird
import Synchronization

/// How many requests one caller may make: `perSecond` on average, in bursts of `burst`.
public struct RateLimit: Sendable, Hashable {
    public var perSecond: Double
    public var burst: Int

    public init(perSecond: Double, burst: Int) {
        self.perSecond = perSecond
        self.burst = burst
    }
}

/// The limits the server holds callers to: each API key or token subject, each tenant (all
/// its keys and tokens together, so a tenant's own token issuer cannot mint subjects to
/// escape its limit), and each client address for requests that carry no valid credential
/// (401s, feeds, calendar servers' webhook calls, health checks).
public struct RateLimits: Sendable, Hashable {
    public var perKey: RateLimit
    public var perTenant: RateLimit
    public var perAnonymousAddress: RateLimit

    /// Limits per key; by default a tenant may make five times a key's, and an address
    /// without a credential 20 a second (bursts of 100).
    public init(perKey: RateLimit, perTenant: RateLimit? = nil, perAnonymousAddress: RateLimit = RateLimit(perSecond: 20, burst: 100)) {
        self.perKey = perKey
        self.perTenant = perTenant ?? RateLimit(perSecond: perKey.perSecond * 5, burst: perKey.burst * 5)
        self.perAnonymousAddress = perAnonymousAddress
    }
}

/// Token buckets by name: each request takes a token; an empty bucket tells how long until
/// one is back. At most `capacity` buckets are kept: past it the least recently used tenth
/// is forgotten (a forgotten bucket is full again, which only the quietest callers were
/// near anyway), so many names cannot reset the busy ones.
final class TokenBuckets: Sendable {
    struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let limit: RateLimit
    let capacity: Int
    private let state = Mutex<[String: Bucket]>([:])

    init(limit: RateLimit, capacity: Int = 100_000) {
        self.limit = limit
        self.capacity = capacity
    }

    /// Takes a token for `name`; `nil` when there was one, else the seconds until there is.
    func take(_ name: String, now: ContinuousClock.Instant = .now) -> Double? {
        state.withLock { buckets in
            var bucket = buckets[name] ?? Bucket(tokens: Double(limit.burst), updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(Double(limit.burst), bucket.tokens + seconds * limit.perSecond)
            bucket.updated = now
            if buckets[name] == nil, buckets.count >= capacity { Self.evictLeastRecentlyUsed(&buckets, keeping: capacity * 9 / 10) }
            defer { buckets[name] = bucket }
            guard bucket.tokens >= 1 else { return max((1 - bucket.tokens) / limit.perSecond, 1) }
            bucket.tokens -= 1
            return nil
        }
    }

    /// How many buckets are kept.
    var count: Int { state.withLock { $0.count } }

    private static func evictLeastRecentlyUsed(_ buckets: inout [String: Bucket], keeping kept: Int) {
        let byUse = buckets.sorted { $0.value.updated > $1.value.updated }
        buckets = Dictionary(uniqueKeysWithValues: byUse.prefix(kept).map { ($0.key, $0.value) })
    }
}

extension Problem {
    /// A 429 for a caller over `limit`, with `Retry-After`.
    static func rateLimited(_ who: String, _ limit: RateLimit) -> Problem {
        Problem(status: 429, code: "rate_limited", title: "Too many requests",
                detail: "\(who) may make \(limit.perSecond) requests a second (bursts of \(limit.burst))")
    }
}

/// Holds each authenticated request to its key's and its tenant's buckets: a 429 with
/// `Retry-After` (whole seconds until a token is back) when either is empty. Runs after
/// authentication; requests without a valid credential are held to their address's bucket
/// there (``AuthenticationMiddleware``).
struct RateLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let keys: TokenBuckets
    let tenants: TokenBuckets

    init(limits: RateLimits) {
        keys = TokenBuckets(limit: limits.perKey)
        tenants = TokenBuckets(limit: limits.perTenant)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let principal = Principal.current else { return try await next(request, context) }
        if let wait = keys.take(principal.keyID) {
            return Problem.rateLimited("this key", keys.limit).retrying(after: wait).response(requestID: Principal.requestID)
        }
        if let wait = tenants.take(principal.tenantID) {
            return Problem.rateLimited("this tenant", tenants.limit).retrying(after: wait).response(requestID: Principal.requestID)
        }
        return try await next(request, context)
    }
}
