import DAVXML
public import Foundation
public import HTTPTransport
public import NIOHTTP1

/// A WebDAV client for one server (RFC 4918), the base of the CalDAV and CardDAV
/// operations in the extensions beside it.
///
/// Hrefs are server paths as the server writes them (`/anna/calendar/x.ics`, percent-
/// encoded); any href works, none is assumed to end in `.ics` or `.vcf`.
public struct DAVClient: Sendable {
    /// The HTTP layer.
    public let transport: HTTPTransport
    /// The URL hrefs are resolved against.
    public let baseURL: URL
    /// What the server is known to do differently: set it from ``DiscoveryResult/quirks``.
    public var quirks: ServerQuirks

    /// A client over `transport` for the server at `baseURL`.
    public init(baseURL: URL, transport: HTTPTransport, quirks: ServerQuirks = ServerQuirks()) {
        self.baseURL = baseURL
        self.transport = transport
        self.quirks = quirks
    }

    /// The absolute URL of `href` (a path or a full URL).
    public func url(_ href: String) throws(DAVError) -> URL {
        guard let url = URL(string: href, relativeTo: baseURL)?.absoluteURL else {
            throw DAVError(.invalidURL, method: "", url: href, detail: "not a URL or path")
        }
        return url
    }

    // MARK: Exchanges

    /// Sends a request to `href` and returns the response if its status is one of `expected`;
    /// any other status becomes a typed ``DAVError``.
    @discardableResult
    public func request(
        _ method: String, _ href: String, headers: HTTPHeaders = [:], body: [UInt8]? = nil, expected: Set<Int>
    ) async throws(DAVError) -> HTTPResponse {
        var request = HTTPRequest(method: method, url: try url(href), headers: headers, body: body)
        request.retriesServerErrors = !quirks.known.contains(.serverErrorForForeignCollections)
        let response = try await send(request)
        guard expected.contains(response.status) else { throw Self.error(for: response, request: request) }
        return response
    }

    /// Sends `request` through the transport; a failed exchange becomes a ``DAVError``.
    func send(_ request: HTTPRequest) async throws(DAVError) -> HTTPResponse {
        do {
            return try await transport.send(request)
        } catch {
            throw DAVError(error)
        }
    }

    /// Sends an XML body and reads a `207 Multi-Status`.
    func multistatus(_ method: String, _ href: String, depth: Depth?, body: String) async throws(DAVError) -> Multistatus {
        try await multistatusAndURL(method, href, depth: depth, body: body).multistatus
    }

    /// Sends an XML body and reads a `207 Multi-Status`, with the URL that answered (after redirects).
    func multistatusAndURL(_ method: String, _ href: String, depth: Depth?, body: String)
        async throws(DAVError) -> (multistatus: Multistatus, url: URL)
    {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/xml; charset=utf-8")
        if let depth { headers.add(name: "Depth", value: depth.rawValue) }
        let response = try await request(method, href, headers: headers, body: Array(body.utf8), expected: [207])
        do {
            var multistatus = try Multistatus(parsing: response.body, limits: xmlLimits)
            for index in multistatus.responses.indices {
                multistatus.responses[index].href = Self.canonicalHref(multistatus.responses[index].href)
            }
            return (multistatus, response.url)
        } catch {
            throw DAVError(.malformedResponse, method: method, url: response.url.absoluteString, status: 207, detail: error.description)
        }
    }

    /// One spelling per path, so that hrefs compare equal when servers write them
    /// differently: the path only (an absolute URL loses scheme and host), each segment
    /// percent-decoded and re-encoded with everything but RFC 3986's unreserved characters
    /// encoded (`uid@host.ics` and `uid%40host.ics` are one member). Every href the client
    /// returns from a multistatus, and every href it makes, is in this form.
    public static func canonicalHref(_ href: String) -> String {
        var path = href
        if let url = URL(string: href), url.scheme != nil { path = url.path(percentEncoded: true) }
        return path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            let decoded = segment.removingPercentEncoding ?? String(segment)
            return decoded.addingPercentEncoding(withAllowedCharacters: unreservedCharacters) ?? String(segment)
        }.joined(separator: "/")
    }

    private static let unreservedCharacters = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    var xmlLimits: XMLLimits { XMLLimits(maxBodySize: transport.configuration.maxResponseBytes) }

    /// The typed error for an unexpected response.
    static func error(for response: HTTPResponse, request: HTTPRequest) -> DAVError {
        let conditions = (try? DAVErrorBody(parsing: response.body))?.conditions ?? []
        let code: DAVError.Code =
            switch response.status {
            // RFC 6578 §3.2 says 403 or 409; Xandikos sends 412. The condition decides.
            case _ where conditions.contains(.dav("valid-sync-token")): .invalidSyncToken
            case 401: .unauthorized
            case 403: .forbidden
            case 404, 410: .notFound
            case 412: .conflict
            case 423: .locked
            case 429: .rateLimited
            case 507: .insufficientStorage
            default: .status
            }
        let snippet = String(decoding: response.body.prefix(200), as: UTF8.self)
        return DAVError(code, method: request.method, url: response.url.absoluteString, status: response.status,
                        conditions: conditions, detail: conditions.isEmpty ? snippet : "")
    }
}

/// The `Depth` header.
public enum Depth: String, Sendable, Hashable {
    case zero = "0"
    case one = "1"
    case infinity = "infinity"
}
