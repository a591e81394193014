public import Foundation
public import HTTPTransport
import NIOHTTP1

/// A file attached to a work package.
public struct OpenProjectAttachment: Sendable, Hashable, Decodable {
    public var id: Int
    public var fileName: String
    public var fileSize: Int64?
    public var contentType: String
    /// Where the content is read from, as the server gives it (its own path, or storage elsewhere).
    public var downloadLocation: String?

    enum CodingKeys: String, CodingKey { case id, fileName, fileSize, contentType, _links }
    struct Links: Decodable { var downloadLocation: HALLink? }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        fileName = try container.decode(String.self, forKey: .fileName)
        fileSize = try container.decodeIfPresent(Int64.self, forKey: .fileSize)
        contentType = try container.decodeIfPresent(String.self, forKey: .contentType) ?? "application/octet-stream"
        downloadLocation = try container.decodeIfPresent(Links.self, forKey: ._links)?.downloadLocation?.href
    }
}

/// A relation between two work packages (`relates`, `blocks`, `follows`, `duplicates`…).
public struct OpenProjectRelation: Sendable, Hashable, Decodable {
    public var id: Int
    public var type: String
    public var from: HALLink?
    public var to: HALLink?

    enum CodingKeys: String, CodingKey { case id, type, _links }
    struct Links: Decodable { var from: HALLink?; var to: HALLink? }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        type = try container.decode(String.self, forKey: .type)
        let links = try container.decodeIfPresent(Links.self, forKey: ._links)
        from = links?.from
        to = links?.to
    }
}

/// A version (a release or sprint) of a project.
public struct OpenProjectVersion: Sendable, Hashable, Decodable {
    public var id: Int
    public var name: String
    /// `open`, `locked` or `closed`.
    public var status: String
    public var startDate: String?
    public var endDate: String?
}

/// A saved query (a work package list someone kept).
public struct OpenProjectQuery: Sendable, Hashable, Decodable {
    public var id: Int
    public var name: String
    public var project: HALLink?

    enum CodingKeys: String, CodingKey { case id, name, _links }
    struct Links: Decodable { var project: HALLink? }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        project = try container.decodeIfPresent(Links.self, forKey: ._links)?.project
    }
}

extension OpenProjectClient {
    // MARK: Attachments

    public func attachments(of workPackage: Int) async throws(PlatformError) -> [OpenProjectAttachment] {
        try await get(Self.path("work_packages", String(workPackage), "attachments"), as: HALCollection<OpenProjectAttachment>.self).elements
    }

    /// Attaches a file (multipart: its metadata, then its bytes).
    public func attach(to workPackage: Int, fileName: String, contentType: String, bytes: [UInt8],
                       description: String = "") async throws(PlatformError) -> OpenProjectAttachment {
        struct Metadata: Encodable { var fileName: String; var description: Formattable }
        var form = MultipartForm()
        let metadata = (try? JSONEncoder().encode(Metadata(fileName: fileName, description: Formattable(description)))).map { Array($0) } ?? []
        form.add("metadata", value: String(decoding: metadata, as: UTF8.self), contentType: "application/json")
        form.add("file", fileName: fileName, contentType: contentType, bytes: bytes)
        let (type, body) = form.encoded()
        return try await exchange("POST", Self.path("work_packages", String(workPackage), "attachments"), query: [], body: body,
                                  contentType: type, as: OpenProjectAttachment.self)
    }

    /// Streams an attachment's content into a new file at `localPath` (replacing one), from
    /// the download link the server gave; answers the bytes written. The account's
    /// credentials go along only when the link is on the server's own origin.
    public func download(_ attachment: OpenProjectAttachment, to localPath: String) async throws(PlatformError) -> Int64 {
        let link = attachment.downloadLocation ?? "/api/v3/attachments/\(attachment.id)/content"
        let url: URL
        if link.hasPrefix("/") {
            url = try endpoint.url(link)
        } else {
            guard let absolute = URL(string: link) else {
                throw PlatformError(.malformedResponse, platform: "OpenProject", method: "GET", url: link, detail: "not a URL")
            }
            url = absolute
        }
        let response: HTTPResponse
        do {
            response = try await endpoint.transport.download(HTTPRequest(method: "GET", url: url), to: localPath)
        } catch let error as HTTPError {
            throw PlatformError(.transport, platform: "OpenProject", method: "GET", url: url.absoluteString, detail: error.description, underlying: error)
        } catch {
            throw PlatformError(.malformedRequest, platform: "OpenProject", method: "GET", url: url.absoluteString, detail: "local file \(localPath): \(error)")
        }
        guard (200..<300).contains(response.status) else {
            try? FileManager.default.removeItem(atPath: localPath)
            throw endpoint.failure("GET", url, response, message: nil)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: localPath)[.size] as? NSNumber)?.int64Value
        return size ?? 0
    }

    public func deleteAttachment(_ id: Int) async throws(PlatformError) {
        try await delete(Self.path("attachments", String(id)))
    }

    // MARK: Relations

    /// The relations a work package takes part in.
    public func relations(of workPackage: Int) async throws(PlatformError) -> [OpenProjectRelation] {
        let filters = FilterClause.queryItem([FilterClause("involved", "=", [String(workPackage)])])
        return try await get(Self.path("relations"), query: [filters], as: HALCollection<OpenProjectRelation>.self).elements
    }

    /// Relates `from` to `to` (`relates`, `blocks`, `precedes`, `duplicates`…); a relation
    /// between them already is a ``PlatformError/Code/conflict``.
    public func relate(_ from: Int, to: Int, type: String) async throws(PlatformError) -> OpenProjectRelation {
        var body = WriteBody(fields: ["type": .text(type)])
        body.link("to", "work_packages", to)
        return try await send("POST", Self.path("work_packages", String(from), "relations"), body: body, as: OpenProjectRelation.self)
    }

    public func deleteRelation(_ id: Int) async throws(PlatformError) {
        try await delete(Self.path("relations", String(id)))
    }

    // MARK: Versions and saved queries

    public func versions(of project: Int) async throws(PlatformError) -> [OpenProjectVersion] {
        try await get(Self.path("projects", String(project), "versions"), as: HALCollection<OpenProjectVersion>.self).elements
    }

    public func createVersion(in project: Int, name: String, startDate: String? = nil, endDate: String? = nil) async throws(PlatformError) -> OpenProjectVersion {
        var body = WriteBody(fields: ["name": .text(name)])
        if let startDate { body.fields["startDate"] = .text(startDate) }
        if let endDate { body.fields["endDate"] = .text(endDate) }
        body.link("definingProject", "projects", project)
        return try await send("POST", Self.path("versions"), body: body, as: OpenProjectVersion.self)
    }

    /// The saved queries the user can see.
    public func savedQueries() async throws(PlatformError) -> [OpenProjectQuery] {
        try await get(Self.path("queries"), as: HALCollection<OpenProjectQuery>.self).elements
    }

    /// The work packages a saved query lists, as its owner kept it (its filters and order).
    public func workPackages(savedQuery id: Int) async throws(PlatformError) -> [OpenProjectWorkPackage] {
        struct Query: Decodable {
            struct Embedded: Decodable { var results: HALCollection<OpenProjectWorkPackage> }
            var _embedded: Embedded
        }
        var results = try await get(Self.path("queries", String(id)), query: [URLQueryItem(name: "pageSize", value: String(pageSize))],
                                    as: Query.self)._embedded.results
        var packages = results.elements
        while let next = results.next, !results.elements.isEmpty {
            results = try await get(next, as: HALCollection<OpenProjectWorkPackage>.self)
            packages += results.elements
        }
        return packages
    }
}
