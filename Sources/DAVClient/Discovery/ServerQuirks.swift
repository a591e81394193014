import Foundation

/// What one server does differently, in one place: code asks for a behaviour, never for a
/// product name. ``ServerQuirks/detect(serverHeader:davHeader:)`` fills it from the first
/// responses; ``ServerCapabilities`` holds what the server says it supports.
public struct ServerQuirks: Sendable, Hashable {
    /// The product, when recognised (for logs and `dav discover`).
    public var product: Product
    /// Access to another user's collection answers 500 rather than 403 (Xandikos),
    /// so a 500 on a foreign href is not retried as a server failure.
    public var foreignAccessAnswers500: Bool
    /// `PUT` answers without an `ETag` (Apache mod_dav, some Nextcloud apps), so the ETag
    /// is read back by `PROPFIND` after a write.
    public var putOmitsETag: Bool
    /// The DAV root lives under `/remote.php/dav` (Nextcloud, ownCloud).
    public var davRootPath: String?

    /// Servers the client recognises.
    public enum Product: String, Sendable, Hashable {
        case unknown, radicale, xandikos, nextcloud, baikal, cyrus, sogo, icloud, fastmail, apache
    }

    /// Defaults for an unknown, standards-following server.
    public init(product: Product = .unknown) {
        self.product = product
        foreignAccessAnswers500 = false
        putOmitsETag = false
        davRootPath = nil
        switch product {
        case .xandikos:
            foreignAccessAnswers500 = true
        case .nextcloud:
            davRootPath = "/remote.php/dav/"
        case .apache:
            putOmitsETag = true
        case .unknown, .radicale, .baikal, .cyrus, .sogo, .icloud, .fastmail:
            break
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
