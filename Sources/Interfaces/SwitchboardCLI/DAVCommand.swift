import ArgumentParser
import DAVClient
import DAVXML

/// `switchboard dav …`: discovery and raw listings on any WebDAV/CalDAV/CardDAV server.
struct DAVCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dav",
        abstract: "Discover a server's principal, home sets and collections; list a collection.",
        subcommands: [Discover.self, List.self]
    )

    struct Discover: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find the principal, calendar and address book homes, and every collection in them.",
            discussion: "Works from a bare host (through /.well-known), a Nextcloud server URL, or any DAV URL."
        )

        @OptionGroup var server: ServerOptions

        func run() async throws {
            let report = try await server.withClient { client in
                let found = try await client.discover()
                let collections = try await client.collections(of: found).map(CollectionSummary.init)
                return DiscoveryReport(
                    principal: found.principal, displayName: found.displayName, calendarHomes: found.calendarHomes,
                    addressBookHomes: found.addressBookHomes, server: found.quirks.product.rawValue,
                    capabilities: CapabilityNames(found.capabilities).names, quirks: found.quirks.known.map(\.rawValue).sorted(),
                    collections: collections)
            }
            try server.print(report) {
                var lines = [
                    "principal: \(report.principal)" + (report.displayName.map { " (\($0))" } ?? ""),
                    "calendar homes: \(report.calendarHomes.joined(separator: " "))",
                    "address book homes: \(report.addressBookHomes.joined(separator: " "))",
                    "server: \(report.server); supports: \(report.capabilities.joined(separator: ", "))",
                ]
                if !report.quirks.isEmpty { lines.append("known quirks: \(report.quirks.joined(separator: ", "))") }
                lines += report.collections.map(\.line)
                return lines.joined(separator: "\n")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls", abstract: "List a collection's members with their ETags and types (PROPFIND depth 1).")

        @OptionGroup var server: ServerOptions

        @Argument(help: "The collection's href (a path on the server).")
        var href: String

        func run() async throws {
            let members = try await server.withClient { client in
                let result = try await client.propfind(href, depth: .one, .properties([
                    .dav("resourcetype"), .dav("getetag"), .dav("getcontenttype"), .dav("getcontentlength"), .dav("displayname"),
                ]))
                return result.responses.map(Member.init)
            }
            try server.print(members) { members.map(\.line).joined(separator: "\n") }
        }
    }
}

/// What `dav discover` reports.
struct DiscoveryReport: Encodable {
    var principal: String
    var displayName: String?
    var calendarHomes: [String]
    var addressBookHomes: [String]
    var server: String
    var capabilities: [String]
    var quirks: [String]
    var collections: [CollectionSummary]
}

/// One collection in `dav discover` and `calendars list`.
struct CollectionSummary: Encodable {
    var href: String
    var kind: String
    var displayName: String?
    var components: [String]
    var color: String?
    var ctag: String?
    var syncToken: String?
    var writable: Bool

    init(_ properties: CollectionProperties) {
        href = properties.href
        kind =
            if properties.kind.contains(.calendar) { "calendar" }
            else if properties.kind.contains(.addressBook) { "addressbook" }
            else if properties.kind.contains(.subscribed) { "subscription" }
            else if properties.kind.contains(.scheduling) { "scheduling" }
            else { "collection" }
        displayName = properties.displayName
        components = properties.supportedComponents
        color = properties.color
        ctag = properties.ctag
        syncToken = properties.syncToken
        writable = properties.isWritable
    }

    var line: String {
        [href, kind, displayName ?? "-", components.isEmpty ? "-" : components.joined(separator: ","), ctag ?? "-", syncToken ?? "-"]
            .joined(separator: "\t")
    }
}

/// The names of what a server supports, for reports.
struct CapabilityNames {
    let names: [String]

    init(_ capabilities: ServerCapabilities) {
        var names: [String] = []
        if capabilities.calendarAccess { names.append("caldav") }
        if capabilities.addressBook { names.append("carddav") }
        if capabilities.scheduling { names.append("scheduling") }
        if capabilities.locking { names.append("locking") }
        if capabilities.extendedMkcol { names.append("extended-mkcol") }
        self.names = names
    }
}

/// One member in `dav ls`.
struct Member: Encodable {
    var href: String
    var isCollection: Bool
    var etag: String?
    var contentType: String?
    var contentLength: Int?

    init(_ response: Response) {
        func found(_ name: QualifiedName) -> XMLElement? {
            guard let (element, status) = response.property(name), status == 200 else { return nil }
            return element
        }
        href = response.href
        isCollection = found(.dav("resourcetype"))?.child(.dav("collection")) != nil
        etag = found(.dav("getetag"))?.trimmedText
        contentType = found(.dav("getcontenttype"))?.trimmedText
        contentLength = found(.dav("getcontentlength")).flatMap { Int($0.trimmedText) }
    }

    var line: String {
        [href, isCollection ? "collection" : (contentType ?? "-"), etag ?? "-", contentLength.map(String.init) ?? "-"].joined(separator: "\t")
    }
}
