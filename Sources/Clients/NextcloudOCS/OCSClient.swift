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
    func send<Answer: Decodable>(_ method: String, _ path: String, body: some Encodable, as answer: Answer.Type) async throws(PlatformError) -> Answer {
        let bytes: [UInt8]
        do {
            bytes = Array(try JSONEncoder().encode(body))
        } catch {
            throw PlatformError(.malformedRequest, platform: "Nextcloud", method: method, url: path, detail: "\(error)")
        }
        return try await exchange(method, path, query: [], body: bytes, as: answer)
    }

    /// Sends a request without a body to `path` (its segments already percent-encoded where
    /// they come from outside: ``segment(_:)``), with `query`, and decodes the answer's `data`.
    func send<Answer: Decodable>(_ method: String, _ path: String, query: [URLQueryItem] = [], as answer: Answer.Type) async throws(PlatformError) -> Answer {
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

    /// A value as one path segment or query value (``PlatformEndpoint/segment(_:)``).
    static func segment(_ value: String) -> String { PlatformEndpoint.segment(value) }

    private func exchange<Answer: Decodable>(_ method: String, _ path: String, query: [URLQueryItem], body: [UInt8]?,
                                             as: Answer.Type) async throws(PlatformError) -> Answer {
        let endpoint = PlatformEndpoint(platform: "Nextcloud", baseURL: baseURL, transport: transport)
        let url = try endpoint.url(path, query: query)
        var headers: HTTPHeaders = ["OCS-APIRequest": "true", "Accept": "application/json"]
        if body != nil { headers.add(name: "Content-Type", value: "application/json") }
        let response = try await endpoint.send(method, url, headers: headers, body: body)
        if (200..<300).contains(response.status), let envelope = try? JSONDecoder().decode(Envelope<Answer>.self, from: Data(response.body)) {
            return envelope.ocs.data
        }
        let meta = (try? JSONDecoder().decode(Envelope<Ignored>.self, from: Data(response.body)))?.ocs.meta
        var error = endpoint.failure(method, url, response, message: meta?.message)
        error.vendorCode = meta.map { String($0.statuscode) }
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
