public import Foundation
public import HTTPTransport
import NIOHTTP1

/// A client of an OpenProject server's API v3 (HAL+JSON): resources decoded from their
/// `_links` and `_embedded`, collections paged by following the server's own
/// `nextByOffset` links, and errors as ``PlatformError``s with OpenProject's
/// `errorIdentifier` as the vendor code and the attribute a refused value belongs to as the
/// field. Credentials are the transport's: user `apikey` with the API key as password.
public struct OpenProjectClient: Sendable {
    /// The server's root (where `api/v3` is found).
    public let baseURL: URL
    let endpoint: PlatformEndpoint

    /// Elements per page asked for when listing; OpenProject's default is 20 and its
    /// maximum a server setting (1,000 out of the box).
    public var pageSize = 1_000

    public init(baseURL: URL, transport: HTTPTransport) {
        self.baseURL = baseURL
        endpoint = PlatformEndpoint(platform: "OpenProject", baseURL: baseURL, transport: transport)
    }

    /// `api/v3` followed by `segments`, each percent-encoded as one segment.
    static func path(_ segments: String...) -> String {
        segments.reduce("api/v3") { $0 + "/" + PlatformEndpoint.segment($1) }
    }

    /// The server's root resource: its instance name and core version when the user may see them.
    public func root() async throws(PlatformError) -> OpenProjectRoot {
        try await get(Self.path(), as: OpenProjectRoot.self)
    }

    /// The signed-in user.
    public func currentUser() async throws(PlatformError) -> OpenProjectUser {
        try await get(Self.path("users", "me"), as: OpenProjectUser.self)
    }

    // MARK: Requests

    func get<Answer: Decodable>(_ path: String, query: [URLQueryItem] = [], as answer: Answer.Type) async throws(PlatformError) -> Answer {
        try await exchange("GET", path, query: query, body: nil, as: answer)
    }

    func send<Answer: Decodable>(_ method: String, _ path: String, query: [URLQueryItem] = [], body: some Encodable,
                                 as answer: Answer.Type) async throws(PlatformError) -> Answer {
        let bytes: [UInt8]
        do {
            bytes = Array(try JSONEncoder().encode(body))
        } catch {
            throw PlatformError(.malformedRequest, platform: "OpenProject", method: method, url: path, detail: "\(error)")
        }
        return try await exchange(method, path, query: query, body: bytes, as: answer)
    }

    /// A deletion whose answer carries nothing to read (`204`, or a resource not needed).
    func delete(_ path: String) async throws(PlatformError) {
        _ = try await delete(path, as: Nothing.self)
    }

    /// A deletion answered with the resource as it is after (a user unlocked).
    func delete<Answer: Decodable>(_ path: String, as answer: Answer.Type) async throws(PlatformError) -> Answer {
        try await exchange("DELETE", path, query: [], body: nil, as: answer)
    }

    /// Every element of a collection: the first page from `path` with `query`, then each
    /// `nextByOffset` link the server gives, until none. `limit` stops early.
    func collection<Element: Decodable & Sendable>(_ path: String, query: [URLQueryItem] = [], limit: Int? = nil,
                                                   of: Element.Type) async throws(PlatformError) -> [Element] {
        var elements: [Element] = []
        var page = try await get(path, query: query + [URLQueryItem(name: "pageSize", value: String(pageSize))], as: HALCollection<Element>.self)
        while true {
            elements += page.elements
            if let limit, elements.count >= limit { return Array(elements.prefix(limit)) }
            guard let next = page.next, !page.elements.isEmpty else { return elements }
            page = try await get(next, as: HALCollection<Element>.self)
        }
    }

    func exchange<Answer: Decodable>(_ method: String, _ path: String, query: [URLQueryItem], body: [UInt8]?,
                                     contentType: String = "application/json", as: Answer.Type) async throws(PlatformError) -> Answer {
        let url = try endpoint.url(path, query: query)
        var headers: HTTPHeaders = ["Accept": "application/hal+json"]
        if body != nil { headers.add(name: "Content-Type", value: contentType) }
        let response = try await endpoint.send(method, url, headers: headers, body: body)
        guard (200..<300).contains(response.status) else {
            let problem = try? JSONDecoder().decode(HALError.self, from: Data(response.body))
            var error = endpoint.failure(method, url, response, message: problem?.message)
            error.vendorCode = problem?.identifier
            error.field = problem?.attribute
            throw error
        }
        if Answer.self == Nothing.self, let nothing = Nothing() as? Answer { return nothing }
        do {
            return try JSONDecoder().decode(Answer.self, from: Data(response.body))
        } catch {
            throw PlatformError(.malformedResponse, platform: "OpenProject", method: method, url: url.absoluteString, status: response.status,
                                detail: "\(error)")
        }
    }

    /// An answer not read.
    struct Nothing: Decodable { init() {} }
}

/// OpenProject's error resource: `errorIdentifier` (`urn:openproject-org:api:v3:errors:NotFound`),
/// a message, and for a refused value the attribute it belongs to.
struct HALError: Decodable {
    var errorIdentifier: String
    var message: String
    var _embedded: Embedded?

    struct Embedded: Decodable {
        struct Details: Decodable { var attribute: String? }
        var details: Details?
        var errors: [HALError]?
    }

    /// The identifier's last part: `NotFound`, `UpdateConflict`, `PropertyConstraintViolation`.
    var identifier: String { errorIdentifier.split(separator: ":").last.map(String.init) ?? errorIdentifier }

    /// The refused attribute, of this error or of the first of several.
    var attribute: String? { _embedded?.details?.attribute ?? _embedded?.errors?.first?.attribute }
}

/// One page of a HAL collection: its elements, the total, and the link to the next page.
struct HALCollection<Element: Decodable>: Decodable {
    var total: Int
    var elements: [Element]
    var next: String?

    enum CodingKeys: String, CodingKey { case total, _embedded, _links }
    struct Embedded: Decodable { var elements: [Element] }
    struct Links: Decodable { var nextByOffset: HALLink? }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        total = try container.decode(Int.self, forKey: .total)
        elements = try container.decode(Embedded.self, forKey: ._embedded).elements
        next = try container.decodeIfPresent(Links.self, forKey: ._links)?.nextByOffset?.href
    }
}

/// A HAL link: where it points and its label (`{"href": "/api/v3/statuses/1", "title": "New"}`).
public struct HALLink: Sendable, Hashable, Codable {
    public var href: String?
    public var title: String?

    public init(href: String?, title: String? = nil) {
        self.href = href
        self.title = title
    }

    /// The id at the end of the link (`/api/v3/statuses/7` → 7).
    public var id: Int? { href.flatMap { $0.split(separator: "/").last }.flatMap { Int($0) } }
}
