public import HTTPTransport
import Foundation

/// A provider of Nextcloud's unified search (files, contacts, talk conversations…).
public struct NextcloudSearchProvider: Sendable, Hashable, Decodable {
    public var id: String
    public var name: String
    public var appId: String
}

/// One page of a unified search: its entries and the cursor to the next page.
public struct NextcloudSearchPage: Sendable, Hashable, Decodable {
    public struct Entry: Sendable, Hashable, Decodable {
        public var title: String
        public var subline: String
        public var resourceUrl: String
    }

    public var name: String
    public var isPaginated: Bool
    public var entries: [Entry]
    /// Where the next page starts (a number or a text, as the provider chooses); `nil` at the end.
    public var cursor: String?

    enum CodingKeys: String, CodingKey { case name, isPaginated, entries, cursor }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        isPaginated = try container.decode(Bool.self, forKey: .isPaginated)
        entries = try container.decode([Entry].self, forKey: .entries)
        if let number = try? container.decodeIfPresent(Int64.self, forKey: .cursor) {
            cursor = String(number)
        } else {
            cursor = try container.decodeIfPresent(String.self, forKey: .cursor)
        }
    }
}

/// Unified search (core's `/ocs/v2.php/search/…`).
extension OCSClient {
    /// The providers the user may search.
    public func searchProviders() async throws(PlatformError) -> [NextcloudSearchProvider] {
        try await send("GET", "ocs/v2.php/search/providers", as: [NextcloudSearchProvider].self)
    }

    /// A page of `provider`'s results for `term`, from `cursor` on. A paginated provider gives
    /// a cursor on every page: a page with fewer than `limit` entries is the last.
    public func search(_ term: String, provider: String, limit: Int = 25, cursor: String? = nil) async throws(PlatformError) -> NextcloudSearchPage {
        var query = [URLQueryItem(name: "term", value: term), URLQueryItem(name: "limit", value: String(limit))]
        if let cursor { query.append(URLQueryItem(name: "cursor", value: cursor)) }
        return try await send("GET", "ocs/v2.php/search/providers/\(Self.segment(provider))/search", query: query, as: NextcloudSearchPage.self)
    }
}
