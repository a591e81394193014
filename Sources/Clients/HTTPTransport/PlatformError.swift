/// Why a call to a platform's API (Nextcloud's OCS, OpenProject, Zulip) failed, by category,
/// with the request it belongs to and the platform's own code: the one error model the
/// platform clients share, so callers map categories once, whatever the platform.
public struct PlatformError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// `401`: the credentials were refused.
        case unauthorized
        /// `403`: signed in, but not allowed.
        case forbidden
        /// `404`: no such resource, or the app or module is not enabled.
        case notFound
        /// `400`/`422`: the server refused a value (``PlatformError/field`` names it when the
        /// platform says which; ``PlatformError/vendorCode`` is the platform's reason).
        case invalid
        /// `409`: the resource is in another state (OpenProject: changed since it was read).
        case conflict
        /// `429`: too many requests (the transport has already waited and retried).
        case rateLimited
        /// `5xx`: the server failed.
        case server
        /// Any other unexpected status.
        case status
        /// A success whose body is not what the platform's API describes.
        case malformedResponse
        /// The request could not be encoded.
        case malformedRequest
        /// The HTTP exchange failed (connection, timeout, the network policy…): see ``underlying``.
        case transport

        /// The category of an HTTP status that is not a success.
        public init(status: Int) {
            self = switch status {
            case 400, 422: .invalid
            case 401: .unauthorized
            case 403: .forbidden
            case 404, 410: .notFound
            case 409, 412: .conflict
            case 429: .rateLimited
            case 500...: .server
            case 200..<300: .malformedResponse
            default: .status
            }
        }
    }

    public var code: Code
    /// The platform's name, for messages ("Nextcloud", "OpenProject", "Zulip").
    public var platform: String
    public var method: String
    public var url: String
    /// The HTTP status, when a response arrived.
    public var status: Int?
    /// The server's message, or the start of its body, or the transport's error.
    public var detail: String
    /// The HTTP layer's error, for ``Code/transport``.
    public var underlying: HTTPError?
    /// The platform's own code for the error, when it sent one: OCS's `meta.statuscode` (102:
    /// "user exists"), OpenProject's `errorIdentifier`, Zulip's `code`.
    public var vendorCode: String?
    /// The field a refused value belongs to, when the platform names it.
    public var field: String?

    public init(_ code: Code, platform: String, method: String, url: String, status: Int? = nil, detail: String = "", underlying: HTTPError? = nil) {
        self.code = code
        self.platform = platform
        self.method = method
        self.url = url
        self.status = status
        self.detail = detail
        self.underlying = underlying
    }

    public var description: String {
        var text = "\(code.rawValue): \(method) \(url)"
        if let status { text += " → \(status)" }
        if let vendorCode, vendorCode != status.map(String.init) { text += " (\(platform) \(vendorCode))" }
        if let field { text += " [\(field)]" }
        if !detail.isEmpty { text += ": \(detail)" }
        return text
    }
}
