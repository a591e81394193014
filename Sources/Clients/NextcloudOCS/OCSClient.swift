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
        return try await exchange(method, path, body: bytes, as: answer)
    }

    /// Sends a request without a body to `path` and decodes the answer's `data`.
    func send<Answer: Decodable>(_ method: String, _ path: String, as answer: Answer.Type) async throws(OCSError) -> Answer {
        try await exchange(method, path, body: nil, as: answer)
    }

    private func exchange<Answer: Decodable>(_ method: String, _ path: String, body: [UInt8]?, as: Answer.Type) async throws(OCSError) -> Answer {
        let url = baseURL.appending(path: path)
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
        case 401: .unauthorized
        case 403: .forbidden
        case 404: .notFound
        case 200..<300: .malformedResponse
        default: .status
        }
        let message = (try? JSONDecoder().decode(Envelope<Ignored>.self, from: Data(response.body)))?.ocs.meta.message
        throw OCSError(code, method: method, url: url.absoluteString, status: response.status,
                       detail: message ?? String(decoding: response.body.prefix(200), as: UTF8.self))
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
