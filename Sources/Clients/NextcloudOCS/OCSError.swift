public import HTTPTransport

/// Why an OCS request failed, with the request it belongs to.
public struct OCSError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// `401`: the credentials were refused.
        case unauthorized
        /// `403`: signed in, but not allowed (registering webhooks needs an administrator).
        case forbidden
        /// `404`: no such resource, or the app is not enabled.
        case notFound
        /// `400`: the server refused a value (an invalid quota, a user id taken: see ``ocsStatus``).
        case invalid
        /// `409`: the resource is in another state.
        case conflict
        /// `429`: too many requests (the transport has already waited and retried).
        case rateLimited
        /// `5xx`: the server failed.
        case server
        /// Any other unexpected status.
        case status
        /// A success whose body is not the OCS envelope expected.
        case malformedResponse
        /// The request could not be encoded.
        case malformedRequest
        /// The HTTP exchange failed (connection, timeout, the network policy…): see ``underlying``.
        case transport
    }

    public var code: Code
    public var method: String
    public var url: String
    /// The HTTP status, when a response arrived.
    public var status: Int?
    /// The server's message, or the start of its body, or the transport's error.
    public var detail: String
    /// The HTTP layer's error, for ``Code/transport``.
    public var underlying: HTTPError?
    /// The OCS envelope's own status code (`meta.statuscode`) when there was one: OCS v2 sends
    /// an app's own codes (102: "user exists", 104: "group does not exist", …) with HTTP 400.
    public var ocsStatus: Int?

    public init(_ code: Code, method: String, url: String, status: Int? = nil, detail: String = "", underlying: HTTPError? = nil) {
        self.code = code
        self.method = method
        self.url = url
        self.status = status
        self.detail = detail
        self.underlying = underlying
    }

    public var description: String {
        var text = "\(code.rawValue): \(method) \(url)"
        if let status { text += " → \(status)" }
        if let ocsStatus, ocsStatus != status { text += " (OCS \(ocsStatus))" }
        if !detail.isEmpty { text += ": \(detail)" }
        return text
    }
}
