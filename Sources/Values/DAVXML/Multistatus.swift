/// A WebDAV `207 Multi-Status` body (RFC 4918 §13, §14.16), as servers of any namespace
/// prefix style send it, with RFC 6578's `sync-token`.
public struct Multistatus: Sendable, Hashable {
    /// The `DAV:response` elements, in order.
    public var responses: [Response]
    /// `DAV:sync-token` (RFC 6578), when present.
    public var syncToken: String?

    /// Reads a body; the root must be `DAV:multistatus`.
    public init(parsing body: [UInt8], limits: XMLLimits = XMLLimits()) throws(XMLError) {
        let root = try XMLDocumentParser(limits: limits).parse(body)
        guard root.name == .dav("multistatus") else {
            throw XMLError(.unexpectedRoot, hint: "expected DAV:multistatus, found \(root.name)")
        }
        responses = root.children(.dav("response")).map(Response.init(element:))
        syncToken = root.child(.dav("sync-token"))?.trimmedText
    }
}

/// One `DAV:response`: an href (or several) and either a status or per-property statuses.
public struct Response: Sendable, Hashable {
    /// The first `DAV:href`, as written (percent-encoded).
    public var href: String
    /// Further `DAV:href`s of a status-only response.
    public var additionalHrefs: [String]
    /// The response's own status code (`HTTP/1.1 404 Not Found` → 404), if it has one.
    public var status: Int?
    /// The `DAV:propstat` groups.
    public var propstats: [Propstat]
    /// A `DAV:error` element explaining a failure.
    public var error: XMLElement?
    /// `DAV:responsedescription`.
    public var responseDescription: String?
    /// `DAV:location` (a redirect).
    public var location: String?

    init(element: XMLElement) {
        let hrefs = element.children(.dav("href")).map(\.trimmedText)
        href = hrefs.first ?? ""
        additionalHrefs = Array(hrefs.dropFirst())
        status = element.child(.dav("status")).flatMap { StatusLine.code($0.trimmedText) }
        propstats = element.children(.dav("propstat")).map(Propstat.init(element:))
        error = element.child(.dav("error"))
        responseDescription = element.child(.dav("responsedescription"))?.trimmedText
        location = element.child(.dav("location"))?.child(.dav("href"))?.trimmedText
    }

    /// A property and the status it came with (200 when found).
    public func property(_ name: QualifiedName) -> (element: XMLElement, status: Int)? {
        for propstat in propstats {
            if let element = propstat.properties.first(where: { $0.name == name }) { return (element, propstat.status) }
        }
        return nil
    }

    /// The properties that came with status 200.
    public var foundProperties: [XMLElement] {
        propstats.filter { $0.status == 200 }.flatMap(\.properties)
    }
}

/// One `DAV:propstat`: properties that share a status.
public struct Propstat: Sendable, Hashable {
    /// The status code; 0 when the line could not be read.
    public var status: Int
    /// The properties (children of `DAV:prop`).
    public var properties: [XMLElement]
    /// A `DAV:error` element.
    public var error: XMLElement?

    init(element: XMLElement) {
        status = element.child(.dav("status")).flatMap { StatusLine.code($0.trimmedText) } ?? 0
        properties = element.child(.dav("prop"))?.children ?? []
        error = element.child(.dav("error"))
    }
}

/// A `DAV:error` body (RFC 4918 §16): the preconditions or postconditions that failed.
public struct DAVErrorBody: Sendable, Hashable {
    /// The condition elements (`{DAV:}valid-sync-token`, `{urn:…:caldav}supported-filter`…).
    public var conditions: [QualifiedName]

    /// Reads a body; the root must be `DAV:error`.
    public init(parsing body: [UInt8], limits: XMLLimits = XMLLimits()) throws(XMLError) {
        let root = try XMLDocumentParser(limits: limits).parse(body)
        guard root.name == .dav("error") else {
            throw XMLError(.unexpectedRoot, hint: "expected DAV:error, found \(root.name)")
        }
        conditions = root.children.map(\.name)
    }
}

/// `HTTP/1.1 200 OK` → 200.
enum StatusLine {
    static func code(_ line: String) -> Int? {
        let parts = line.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let code = Int(parts[1]), (100...599).contains(code) else {
            return nil
        }
        return code
    }
}
