public import Foundation

/// How an ``HTTPTransport`` reaches its server: credentials, timeouts, retries, limits and trust.
public struct ClientConfiguration: Sendable {
    /// How the client proves who it is.
    public enum Credentials: Sendable, Hashable, CustomStringConvertible {
        /// HTTP Basic, sent with the first request (an app password for Nextcloud).
        case basic(user: String, password: String)
        /// A bearer token (OAuth 2).
        case bearer(token: String)

        /// The `Authorization` header value.
        var headerValue: String {
            switch self {
            case .basic(let user, let password): "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
            case .bearer(let token): "Bearer " + token
            }
        }

        /// Names the scheme and user only: a secret never reaches a log.
        public var description: String {
            switch self {
            case .basic(let user, _): "basic(user: \(user), password: <redacted>)"
            case .bearer: "bearer(<redacted>)"
            }
        }
    }

    /// The credentials, if the server needs any.
    public var credentials: Credentials?
    /// Seconds to establish a connection (TCP and TLS).
    public var connectTimeout: Double = 10
    /// Seconds the server may stay silent while a response is read.
    public var idleReadTimeout: Double = 30
    /// Seconds for a whole request, response body included (a slow-loris bound).
    public var requestTimeout: Double = 120
    /// Seconds an unused pooled connection is kept open.
    public var poolIdleTimeout: Double = 60
    /// Connections kept per host.
    public var maxConnectionsPerHost: Int = 8
    /// Redirects followed per request (`/.well-known` needs one or two).
    public var maxRedirects: Int = 10
    /// Retries with backoff.
    public var retry = RetryPolicy()
    /// The per-host circuit breaker.
    public var circuitBreaker = CircuitBreakerPolicy()
    /// The largest response body read into memory, in bytes (streaming downloads are not bound).
    public var maxResponseBytes: Int = 64 << 20
    /// The largest request body sent from memory, in bytes.
    public var maxRequestBytes: Int = 64 << 20
    /// A PEM file of certificates to trust besides the system's (a self-hosted server's own CA).
    public var additionalTrustRootsFile: String?
    /// The addresses requests may reach, or `nil` for any (the operator's own accounts).
    public var networkPolicy: NetworkPolicy?
    /// How host names are resolved for the network policy's check (the connection then goes
    /// to the address checked).
    public var resolver: AddressResolver = .system
    /// The origin (scheme, host and port) the credentials belong to: they go with requests
    /// to it and to nothing else, redirects included. `nil`: the origin of each request
    /// as first sent (a redirect elsewhere still drops them).
    public var credentialOrigin: URL?
    /// The `User-Agent` header.
    public var userAgent: String = "Switchboard/0.1"

    /// Creates a configuration.
    public init(credentials: Credentials? = nil) {
        self.credentials = credentials
    }
}
