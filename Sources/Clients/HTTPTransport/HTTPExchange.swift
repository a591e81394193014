public import Foundation
public import NIOHTTP1

/// One HTTP request as a client builds it.
public struct HTTPRequest: Sendable {
    /// The method (`PROPFIND`, `REPORT`, `PUT`…).
    public var method: String
    /// The absolute URL.
    public var url: URL
    /// Header fields.
    public var headers: HTTPHeaders
    /// The body, if any.
    public var body: [UInt8]?
    /// A file streamed as the body instead of `body` (for large uploads; read afresh on each attempt).
    public var bodyFile: String?
    /// Told the bytes of `bodyFile` sent so far, as they go (an attempt tried again starts over).
    public var bodyProgress: (@Sendable (Int64) -> Void)?
    /// Whether a 500 is a server failure worth retrying and counting against the host's
    /// circuit (false for servers that answer 500 for a permission problem).
    public var retriesServerErrors = true

    /// Creates a request.
    public init(method: String, url: URL, headers: HTTPHeaders = [:], body: [UInt8]? = nil, bodyFile: String? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.bodyFile = bodyFile
    }
}

/// A response with its body read into memory.
public struct HTTPResponse: Sendable {
    /// The status code.
    public var status: Int
    /// Header fields.
    public var headers: HTTPHeaders
    /// The body.
    public var body: [UInt8]
    /// The URL that answered, after redirects.
    public var url: URL

    /// Creates a response.
    public init(status: Int, headers: HTTPHeaders, body: [UInt8], url: URL) {
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
    }

    /// The `ETag` header, as sent (quotes and `W/` kept: it is compared, never parsed).
    public var etag: String? { headers.first(name: "etag") }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}
