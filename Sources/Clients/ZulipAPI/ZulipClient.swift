public import Foundation
public import HTTPTransport
import NIOHTTP1
import Synchronization

/// A client of a Zulip organisation's REST API (`/api/v1`): parameters sent as form data
/// (JSON-encoded where Zulip wants JSON), answers read from Zulip's `result`/`msg` envelope
/// with unknown fields accepted (newer servers add them), errors as ``PlatformError``s with
/// Zulip's `code` as the vendor code. Credentials are the transport's: the bot's email and
/// API key. Rate limits: `Retry-After` on a 429 is the transport's to wait out; when a
/// response says `X-RateLimit-Remaining: 0`, the next request waits for `X-RateLimit-Reset`.
public struct ZulipClient: Sendable {
    /// The organisation's URL (where `api/v1` is found).
    public let baseURL: URL
    let endpoint: PlatformEndpoint
    let gate: RateLimitGate

    /// The longest wait for a rate-limit reset before a request is sent anyway (the server
    /// then answers 429 with its own `Retry-After`).
    public var longestRateLimitWait: Duration = .seconds(60)

    public init(baseURL: URL, transport: HTTPTransport) {
        self.baseURL = baseURL
        endpoint = PlatformEndpoint(platform: "Zulip", baseURL: baseURL, transport: transport)
        gate = RateLimitGate()
    }

    /// `api/v1` followed by `segments`, each percent-encoded as one segment.
    static func path(_ segments: String...) -> String {
        segments.reduce("api/v1") { $0 + "/" + PlatformEndpoint.segment($1) }
    }

    /// A request's parameters, as Zulip reads them: plain values, or JSON for lists and objects.
    public struct Parameters: Sendable {
        var items: [URLQueryItem] = []

        public init() {}

        mutating func add(_ name: String, _ value: String?) {
            if let value { items.append(URLQueryItem(name: name, value: value)) }
        }

        mutating func add(_ name: String, _ value: Int?) {
            if let value { items.append(URLQueryItem(name: name, value: String(value))) }
        }

        mutating func add(_ name: String, _ value: Bool?) {
            if let value { items.append(URLQueryItem(name: name, value: value ? "true" : "false")) }
        }

        /// A list or object as Zulip's JSON parameters are sent: encoded, never pasted.
        mutating func add(_ name: String, json value: some Encodable) {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            // Strings, numbers, arrays and dictionaries of them always encode.
            items.append(URLQueryItem(name: name, value: (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"))
        }

        /// The form body (`application/x-www-form-urlencoded`).
        var form: [UInt8] {
            Array(items.map { PlatformEndpoint.segment($0.name) + "=" + PlatformEndpoint.segment($0.value ?? "") }.joined(separator: "&").utf8)
        }
    }

    /// Sends a request: a GET's parameters in the query, any other's as a form body (or
    /// `form`, multipart, for an upload).
    func call<Answer: Decodable>(_ method: String, _ path: String, _ parameters: Parameters = Parameters(), form: MultipartForm? = nil,
                                 as answer: Answer.Type) async throws(PlatformError) -> Answer {
        let url = try endpoint.url(path, query: method == "GET" ? parameters.items : [])
        var headers: HTTPHeaders = ["Accept": "application/json"]
        var body: [UInt8]?
        if let form {
            let (type, bytes) = form.encoded()
            headers.add(name: "Content-Type", value: type)
            body = bytes
        } else if method != "GET", !parameters.items.isEmpty {
            headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            body = parameters.form
        }
        await gate.waitIfExhausted(longest: longestRateLimitWait)
        let response = try await endpoint.send(method, url, headers: headers, body: body)
        gate.note(remaining: response.headers.first(name: "X-RateLimit-Remaining"), reset: response.headers.first(name: "X-RateLimit-Reset"))
        let decoder = JSONDecoder()
        guard (200..<300).contains(response.status), let success = try? decoder.decode(Envelope.self, from: Data(response.body)), success.result == "success" else {
            let failure = try? decoder.decode(Envelope.self, from: Data(response.body))
            var error = endpoint.failure(method, url, response, message: failure?.msg)
            if (200..<300).contains(response.status) { error.code = .malformedResponse }
            error.vendorCode = failure?.code
            if error.vendorCode == "BAD_EVENT_QUEUE_ID" { error.code = .notFound }
            error.field = failure?.var_name
            throw error
        }
        do {
            return try decoder.decode(Answer.self, from: Data(response.body))
        } catch {
            throw PlatformError(.malformedResponse, platform: "Zulip", method: method, url: url.absoluteString, status: response.status, detail: "\(error)")
        }
    }

    /// Zulip's envelope: `result` (`success` or `error`), `msg`, and an error's `code` and the
    /// parameter it is about (`var_name`).
    struct Envelope: Decodable {
        var result: String
        var msg: String?
        var code: String?
        var var_name: String?
    }

    /// An answer with nothing read but the envelope.
    struct Done: Decodable {}
}

/// Waits, before a request, while the server has said no requests remain until a reset time.
final class RateLimitGate: Sendable {
    private let resetAt = Mutex<Date?>(nil)

    func note(remaining: String?, reset: String?) {
        guard let remaining = remaining.flatMap({ Int($0) }) else { return }
        let until = remaining <= 0 ? reset.flatMap { Double($0) }.map { Date(timeIntervalSince1970: $0) } : nil
        resetAt.withLock { $0 = until }
    }

    func waitIfExhausted(longest: Duration) async {
        guard let until = resetAt.withLock({ $0 }) else { return }
        let seconds = min(until.timeIntervalSinceNow, Double(longest.components.seconds))
        if seconds > 0 { try? await Task.sleep(for: .milliseconds(Int(seconds * 1000))) }
        resetAt.withLock { if $0 == until { $0 = nil } }
    }
}
