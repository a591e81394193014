public import HTTPTransport
public import Foundation
import NIOHTTP1

/// A client of a Nextcloud server's OCS API (`/ocs/v2.php/…`): JSON requests with the
/// `OCS-APIRequest` header, answers unwrapped from their `ocs.meta`/`ocs.data` envelope.
/// The HTTP layer (credentials, retries, timeouts, the network policy) is the shared `HTTPTransport`.
public struct OCSClient: Sendable {
    /// The server's root (where `ocs/v2.php` is found).
    public let baseURL: URL
    let transport: HTTPTransport

    /// A client of the server at `baseURL` over `transport`, which carries the credentials.
    public init(baseURL: URL, transport: HTTPTransport) {
        self.baseURL = baseURL
        self.transport = transport
    }

    /// Sends `body` as JSON to `path` (below ``baseURL``) and decodes the answer's `data`.
    func send<Answer: Decodable>(_ method: String, _ path: String, body: some Encodable, as answer: Answer.Type) async throws(OCSError) -> Answer {
        let bytes: [UInt8]
        do {
            bytes = Array(try JSONEncoder().encode(body))
        } catch {
            throw OCSError(.malformedRequest, method: method, url: path, detail: "\(error)")
        }
        return try await exchange(method, path, query: [], body: bytes, as: answer)
    }

    /// Sends a request without a body to `path` (its segments already percent-encoded where
    /// they come from outside: ``segment(_:)``), with `query`, and decodes the answer's `data`.
    func send<Answer: Decodable>(_ method: String, _ path: String, query: [URLQueryItem] = [], as answer: Answer.Type) async throws(OCSError) -> Answer {
        try await exchange(method, path, query: query, body: nil, as: answer)
    }

    /// A Nextcloud's root (where `ocs/v2.php` is) in a URL below it: what comes before
    /// `/remote.php/`, as a folder; `nil` when the URL has no `/remote.php/`.
    public static func root(before url: URL) -> URL? {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false),
              let remote = components.percentEncodedPath.range(of: "/remote.php/") else { return nil }
        components.percentEncodedPath = String(components.percentEncodedPath[..<remote.lowerBound]) + "/"
        components.query = nil
        components.fragment = nil
        return components.url
    }

    /// A value as one path segment or query value: every character but unreserved ones
    /// percent-encoded, so a user id or group name can neither leave its segment (`/`, `..`)
    /// nor start a query, and a search text keeps its `+` and `&`. Not even `.` is left: no
    /// segment may read `..`.
    static func segment(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_~")) ?? ""
    }

    private func exchange<Answer: Decodable>(_ method: String, _ path: String, query: [URLQueryItem], body: [UInt8]?,
                                             as: Answer.Type) async throws(OCSError) -> Answer {
        guard var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false) else {
            throw OCSError(.malformedRequest, method: method, url: baseURL.absoluteString, detail: "not a URL")
        }
        let base = components.percentEncodedPath
        components.percentEncodedPath = (base.hasSuffix("/") ? base : base + "/") + path
        // PHP reads `+` in a query as a space: every value is percent-encoded but for unreserved characters.
        components.percentEncodedQuery = query.isEmpty ? nil : query.map { Self.segment($0.name) + "=" + Self.segment($0.value ?? "") }.joined(separator: "&")
        guard let url = components.url else {
            throw OCSError(.malformedRequest, method: method, url: baseURL.absoluteString + path, detail: "not a URL")
        }
        var headers: HTTPHeaders = ["OCS-APIRequest": "true", "Accept": "application/json"]
        if body != nil { headers.add(name: "Content-Type", value: "application/json") }
        let response: HTTPResponse
        do throws(HTTPError) {
            response = try await transport.send(HTTPRequest(method: method, url: url, headers: headers, body: body))
        } catch {
            throw OCSError(.transport, method: method, url: url.absoluteString, detail: error.description, underlying: error)
        }
        if (200..<300).contains(response.status), let envelope = try? JSONDecoder().decode(Envelope<Answer>.self, from: Data(response.body)) {
            return envelope.ocs.data
        }
        let code: OCSError.Code = switch response.status {
        case 400, 422: .invalid
        case 401: .unauthorized
        case 403: .forbidden
        case 404: .notFound
        case 409: .conflict
        case 429: .rateLimited
        case 500...: .server
        case 200..<300: .malformedResponse
        default: .status
        }
        let meta = (try? JSONDecoder().decode(Envelope<Ignored>.self, from: Data(response.body)))?.ocs.meta
        var error = OCSError(code, method: method, url: url.absoluteString, status: response.status,
                             detail: meta?.message ?? String(decoding: response.body.prefix(200), as: UTF8.self))
        error.ocsStatus = meta?.statuscode
        throw error
    }

    /// The OCS envelope: `{"ocs": {"meta": {…}, "data": …}}`.
    struct Envelope<Answer: Decodable>: Decodable {
        struct Body: Decodable {
            struct Meta: Decodable {
                var status: String
                var statuscode: Int
                var message: String?
            }

            var meta: Meta
            var data: Answer
        }

        var ocs: Body
    }

    /// Any `data` at all (an error's is `[]`): only the envelope's message is read.
    struct Ignored: Decodable {
        init(from decoder: any Decoder) {}
    }
}
