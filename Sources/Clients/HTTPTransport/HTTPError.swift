/// Why an HTTP exchange failed, with the request it belongs to: the transport's own errors
/// (no connection, a timeout, a refused destination, a limit), never a status a response
/// carried — callers read statuses from the ``HTTPResponse``.
///
/// Codes follow swift-nio-imap's style: a closed set of named cases behind a struct so
/// new ones do not break callers' `switch`es.
public struct HTTPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        enum Base: String, Sendable, Hashable {
            case rateLimited, tooLarge, timeout, redirectLoop, tooManyRedirects, circuitOpen
            case connection, invalidURL, cancelled, destinationRefused
        }
        let base: Base
        init(_ base: Base) { self.base = base }

        /// `429`/`503` whose `Retry-After` was longer than the client may wait, or that
        /// persisted through every retry. ``HTTPError/status`` holds the status.
        public static let rateLimited = Code(.rateLimited)
        /// A request or response body is larger than the configured limit.
        public static let tooLarge = Code(.tooLarge)
        /// Connecting, an idle read, or the whole request took longer than allowed.
        public static let timeout = Code(.timeout)
        /// A redirect led back to a URL already visited.
        public static let redirectLoop = Code(.redirectLoop)
        /// More redirects than allowed.
        public static let tooManyRedirects = Code(.tooManyRedirects)
        /// The host failed too often recently; requests are refused until it cools down.
        public static let circuitOpen = Code(.circuitOpen)
        /// The connection could not be made or broke.
        public static let connection = Code(.connection)
        /// A URL (or a redirect's `Location`) could not be used.
        public static let invalidURL = Code(.invalidURL)
        /// The task was cancelled.
        public static let cancelled = Code(.cancelled)
        /// The host resolves to an address the ``NetworkPolicy`` does not allow (nothing was sent).
        public static let destinationRefused = Code(.destinationRefused)

        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// The HTTP method of the failed request.
    public var method: String
    /// The URL it was sent to.
    public var url: String
    /// The last response's status, when one arrived (a redirect, a `429`).
    public var status: Int?
    /// Seconds the server asked to wait (`Retry-After`), for ``Code/rateLimited``.
    public var retryAfterSeconds: Double?
    /// Human-readable detail (a socket error, the limit that was passed).
    public var detail: String

    /// Creates an error.
    public init(
        _ code: Code, method: String, url: String, status: Int? = nil, retryAfterSeconds: Double? = nil, detail: String = ""
    ) {
        self.code = code
        self.method = method
        self.url = url
        self.status = status
        self.retryAfterSeconds = retryAfterSeconds
        self.detail = detail
    }

    public var description: String {
        var text = "\(code): \(method) \(url)"
        if let status { text += " → \(status)" }
        if !detail.isEmpty { text += ": \(detail)" }
        return text
    }
}
