public import DAVXML
public import HTTPTransport

/// Why a DAV request failed, with the request it belongs to.
///
/// Codes follow swift-nio-imap's style: a closed set of named cases behind a struct so
/// new ones do not break callers' `switch`es.
public struct DAVError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        enum Base: String, Sendable, Hashable {
            case conflict, notFound, unauthorized, forbidden, locked, rateLimited, status, insufficientStorage
            case invalidSyncToken, tooLarge, timeout, redirectLoop, tooManyRedirects, circuitOpen
            case connection, invalidURL, malformedResponse, cancelled, destinationRefused
        }
        let base: Base
        init(_ base: Base) { self.base = base }

        /// A precondition failed (`412`, or `409` on a write): somebody else changed the
        /// object first. ``DAVError/currentETag`` holds the server's ETag when it was learnt.
        public static let conflict = Code(.conflict)
        /// `404` or `410`: the resource does not exist (any more).
        public static let notFound = Code(.notFound)
        /// `401`: the credentials were refused.
        public static let unauthorized = Code(.unauthorized)
        /// `403`: the credentials are fine but the operation is not allowed.
        public static let forbidden = Code(.forbidden)
        /// `423`: the resource is locked (RFC 4918 §11.3) and the request did not name the lock.
        public static let locked = Code(.locked)
        /// Any other unexpected status.
        public static let status = Code(.status)
        /// `507`: the server stopped a listing or a write for lack of space or a result limit.
        public static let insufficientStorage = Code(.insufficientStorage)
        /// The sync token was refused (`DAV:valid-sync-token`); list the collection again.
        public static let invalidSyncToken = Code(.invalidSyncToken)
        /// The response body could not be read (bad XML, wrong root, missing fields).
        public static let malformedResponse = Code(.malformedResponse)
        /// An href could not be made a URL, or the transport's ``HTTPError/Code/invalidURL``.
        public static let invalidURL = Code(.invalidURL)

        // The exchange itself failed: the transport's codes, as ``DAVError/init(_:)`` carries them over.

        /// The transport's ``HTTPError/Code/rateLimited``.
        public static let rateLimited = Code(.rateLimited)
        /// The transport's ``HTTPError/Code/tooLarge``.
        public static let tooLarge = Code(.tooLarge)
        /// The transport's ``HTTPError/Code/timeout``.
        public static let timeout = Code(.timeout)
        /// The transport's ``HTTPError/Code/redirectLoop``.
        public static let redirectLoop = Code(.redirectLoop)
        /// The transport's ``HTTPError/Code/tooManyRedirects``.
        public static let tooManyRedirects = Code(.tooManyRedirects)
        /// The transport's ``HTTPError/Code/circuitOpen``.
        public static let circuitOpen = Code(.circuitOpen)
        /// The transport's ``HTTPError/Code/connection``.
        public static let connection = Code(.connection)
        /// The transport's ``HTTPError/Code/cancelled``.
        public static let cancelled = Code(.cancelled)
        /// The transport's ``HTTPError/Code/destinationRefused``.
        public static let destinationRefused = Code(.destinationRefused)

        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// The HTTP method of the failed request.
    public var method: String
    /// The URL it was sent to.
    public var url: String
    /// The response status, when a response arrived.
    public var status: Int?
    /// The server's current ETag of the resource, for ``Code/conflict``.
    public var currentETag: String?
    /// The `DAV:error` conditions the server named (RFC 4918 §16).
    public var conditions: [QualifiedName]
    /// Seconds the server asked to wait (`Retry-After`), for ``Code/rateLimited``.
    public var retryAfterSeconds: Double?
    /// Human-readable detail (an XML error, the start of an error body, a socket error).
    public var detail: String

    /// Creates an error.
    public init(
        _ code: Code, method: String, url: String, status: Int? = nil, currentETag: String? = nil,
        conditions: [QualifiedName] = [], retryAfterSeconds: Double? = nil, detail: String = ""
    ) {
        self.code = code
        self.method = method
        self.url = url
        self.status = status
        self.currentETag = currentETag
        self.conditions = conditions
        self.retryAfterSeconds = retryAfterSeconds
        self.detail = detail
    }

    public var description: String {
        var text = "\(code): \(method) \(url)"
        if let status { text += " → \(status)" }
        if !conditions.isEmpty { text += " [" + conditions.map(\.description).joined(separator: ", ") + "]" }
        if let currentETag { text += " (current ETag \(currentETag))" }
        if !detail.isEmpty { text += ": \(detail)" }
        return text
    }

    /// The DAV error for a failed exchange: the transport's code, with its context.
    public init(_ error: HTTPError) {
        let code: Code = switch error.code {
        case .rateLimited: .rateLimited
        case .tooLarge: .tooLarge
        case .timeout: .timeout
        case .redirectLoop: .redirectLoop
        case .tooManyRedirects: .tooManyRedirects
        case .circuitOpen: .circuitOpen
        case .invalidURL: .invalidURL
        case .cancelled: .cancelled
        case .destinationRefused: .destinationRefused
        default: .connection
        }
        self.init(code, method: error.method, url: error.url, status: error.status,
                  retryAfterSeconds: error.retryAfterSeconds, detail: error.detail)
    }
}
