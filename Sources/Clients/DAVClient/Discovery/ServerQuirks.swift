import Foundation

/// What servers do differently, in one place. Most quirks are absorbed by code that
/// serves every server (the comment on each case says how); the few that change
/// behaviour are consulted through ``known`` by behaviour, never by product name.
public struct ServerQuirks: Sendable, Hashable {
    /// The product, when recognised (for logs and `dav discover`).
    public var product: Product
    /// The quirks this product is known for.
    public var known: Set<Quirk>

    /// Servers the client recognises.
    public enum Product: String, Sendable, Hashable {
        case unknown, radicale, xandikos, nextcloud, baikal, cyrus, sogo, icloud, fastmail, apache
    }

    /// One known deviation.
    public enum Quirk: String, Sendable, Hashable, CaseIterable {
        /// Another user's collection answers 500 rather than 403 (Xandikos). Consulted:
        /// such a server's 500s are not retried and do not count against its circuit.
        case serverErrorForForeignCollections
        /// An unknown sync token is refused with 412, not 403/409 (Xandikos). Absorbed:
        /// the `valid-sync-token` condition decides for every server.
        case invalidSyncTokenAs412
        /// Free-busy answers are labelled `application/octet-stream` (Xandikos). Absorbed:
        /// free-busy answers are judged by their content.
        case freeBusyAsOctetStream
        /// Members not named `.ics`/`.vcf` are kept as plain files (Xandikos). Absorbed:
        /// new objects are always named with the extension.
        case objectsNeedExtension
        /// DAV class 2 is advertised without `LOCK` being served (Radicale). Absorbed:
        /// locking needs `LOCK` in `Allow` too.
        case lockingAdvertisedNotServed
        /// `PUT` answers without an ETag or with a weak one (Apache mod_dav). Absorbed: the
        /// ETag is read back after such a write.
        case putWithoutStrongETag
        /// DAV lives under `/remote.php/dav` (Nextcloud, ownCloud). Absorbed: discovery
        /// tries that root for every server.
        case davUnderRemotePHP
    }

    /// The quirks of `product`.
    public init(product: Product = .unknown) {
        self.product = product
        known =
            switch product {
            case .xandikos: [.serverErrorForForeignCollections, .invalidSyncTokenAs412, .freeBusyAsOctetStream, .objectsNeedExtension]
            case .radicale: [.lockingAdvertisedNotServed]
            case .nextcloud: [.davUnderRemotePHP]
            case .apache: [.putWithoutStrongETag]
            case .unknown, .baikal, .cyrus, .sogo, .icloud, .fastmail: []
            }
    }

    /// The quirks of the server whose `OPTIONS` answer had these headers. Servers rarely
    /// name themselves, so each product is recognised by what it does send: Xandikos is
    /// the aiohttp server that advertises `add-member`; Radicale runs under a Python WSGI
    /// server and advertises `extended-mkcol` without `sync-collection`.
    public static func detect(serverHeader: String?, davHeader: String?) -> ServerQuirks {
        let server = (serverHeader ?? "").lowercased()
        let dav = (davHeader ?? "").lowercased()
        let product: Product =
            if server.contains("xandikos") || (server.contains("aiohttp") && dav.contains("add-member")) { .xandikos }
            else if server.contains("radicale")
                || ((server.contains("wsgiserver") || server.contains("cheroot") || server.contains("waitress"))
                    && dav.contains("extended-mkcol") && !dav.contains("sync-collection")) { .radicale }
            else if dav.contains("nextcloud") || dav.contains("nc-calendar-search") || server.contains("nextcloud") { .nextcloud }
            else if server.contains("cyrus") { .cyrus }
            else if server.contains("sogo") { .sogo }
            else if server.contains("apache"), !dav.contains("calendar-access") { .apache }
            else { .unknown }
        return ServerQuirks(product: product)
    }
}

/// What a server says it can do: the `DAV` header of `OPTIONS` (RFC 4918 §10.1, RFC 4791
/// §5.1, RFC 6352 §6.1, RFC 6638) and a collection's `supported-report-set` (RFC 3253).
public struct ServerCapabilities: Sendable, Hashable {
    /// `calendar-access`.
    public var calendarAccess = false
    /// `addressbook`.
    public var addressBook = false
    /// `calendar-auto-schedule` (RFC 6638 scheduling).
    public var scheduling = false
    /// WebDAV class 2 (`LOCK`).
    public var locking = false
    /// `sync-collection` REPORT (RFC 6578).
    public var syncCollection = false
    /// `free-busy-query` REPORT.
    public var freeBusyQuery = false
    /// `expand` in calendar-data (RFC 4791 §9.6.5): known from `supported-report-set` only
    /// indirectly, so it is set when calendar-query is listed and the server is not known to lack it.
    public var expand = false
    /// `extended-mkcol` (RFC 5689).
    public var extendedMkcol = false

    /// Creates an empty set.
    public init() {}

    /// Reads the `DAV` header's compliance classes and the `Allow` header's methods.
    /// Locking needs both class 2 and `LOCK` allowed: Radicale claims class 2 but
    /// serves no `LOCK`.
    public mutating func read(davHeader: String, allowHeader: String) {
        let methods = Set(allowHeader.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() })
        let classes = Set(davHeader.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        calendarAccess = classes.contains("calendar-access")
        addressBook = classes.contains("addressbook")
        scheduling = classes.contains("calendar-auto-schedule") || classes.contains("calendar-schedule")
        locking = classes.contains("2") && methods.contains("LOCK")
        extendedMkcol = classes.contains("extended-mkcol")
    }
}
