public import Foundation
public import NIOHTTP1

/// A platform's API root on one transport, as the platform clients (Nextcloud's OCS,
/// OpenProject, Zulip) share it: URLs built below the root with every value from outside
/// percent-encoded, and the HTTP layer's failures as ``PlatformError``s.
public struct PlatformEndpoint: Sendable {
    /// The platform's name, for errors.
    public let platform: String
    /// The root every path is below.
    public let baseURL: URL
    public let transport: HTTPTransport

    public init(platform: String, baseURL: URL, transport: HTTPTransport) {
        self.platform = platform
        self.baseURL = baseURL
        self.transport = transport
    }

    /// A value as one path segment or query value: every character but unreserved ones
    /// percent-encoded, so an id or name can neither leave its segment (`/`, `..`) nor start
    /// a query, and a search text keeps its `+` and `&` (PHP and Rails read `+` as a space).
    /// Not even `.` is left: no segment may read `..`.
    public static func segment(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_~")

    /// `path` (its segments already encoded with ``segment(_:)`` where they come from outside)
    /// below ``baseURL``, with `query` encoded; or an absolute path (`/api/v3/…`, a link the
    /// server gave) on ``baseURL``'s origin.
    public func url(_ path: String, query: [URLQueryItem] = []) throws(PlatformError) -> URL {
        guard var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false) else {
            throw PlatformError(.malformedRequest, platform: platform, method: "", url: baseURL.absoluteString, detail: "not a URL")
        }
        if path.hasPrefix("/") {
            let (linkPath, linkQuery) = path.split(separator: "?", maxSplits: 1).map(String.init).splitFirst()
            components.percentEncodedPath = linkPath
            components.percentEncodedQuery = linkQuery
        } else {
            let base = components.percentEncodedPath
            components.percentEncodedPath = (base.hasSuffix("/") ? base : base + "/") + path
            components.percentEncodedQuery = nil
        }
        if !query.isEmpty {
            let encoded = query.map { Self.segment($0.name) + "=" + Self.segment($0.value ?? "") }.joined(separator: "&")
            components.percentEncodedQuery = [components.percentEncodedQuery, encoded].compactMap { $0 }.joined(separator: "&")
        }
        guard let url = components.url else {
            throw PlatformError(.malformedRequest, platform: platform, method: "", url: baseURL.absoluteString + path, detail: "not a URL")
        }
        return url
    }

    /// Sends a request; what the HTTP layer throws (connection, timeout, the network policy,
    /// retries spent) becomes a ``PlatformError/Code/transport`` error. Any status is answered.
    public func send(_ method: String, _ url: URL, headers: HTTPHeaders, body: [UInt8]? = nil) async throws(PlatformError) -> HTTPResponse {
        do throws(HTTPError) {
            return try await transport.send(HTTPRequest(method: method, url: url, headers: headers, body: body))
        } catch {
            throw PlatformError(.transport, platform: platform, method: method, url: url.absoluteString, detail: error.description, underlying: error)
        }
    }

    /// An error for a response that is not a success: its category from the status, and the
    /// platform's message or the start of the body.
    public func failure(_ method: String, _ url: URL, _ response: HTTPResponse, message: String?) -> PlatformError {
        PlatformError(PlatformError.Code(status: response.status), platform: platform, method: method, url: url.absoluteString, status: response.status,
                      detail: message ?? String(decoding: response.body.prefix(200), as: UTF8.self))
    }
}

extension Array where Element == String {
    fileprivate func splitFirst() -> (String, String?) { (first ?? "", count > 1 ? self[1] : nil) }
}
