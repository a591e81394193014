public import DAVXML
public import Foundation
import NIOHTTP1
import HTTPTransport

/// Where a user's calendars and address books live, found from a server URL
/// (RFC 6764 §6, RFC 5397, RFC 4791 §6.2.1, RFC 6352 §7.1.1).
public struct DiscoveryResult: Sendable, Hashable {
    /// The URL discovery settled on as the DAV root (after `/.well-known` redirects).
    public var contextURL: URL
    /// The principal's href.
    public var principal: String
    /// The principal's display name.
    public var displayName: String?
    /// `calendar-home-set` hrefs.
    public var calendarHomes: [String]
    /// `addressbook-home-set` hrefs.
    public var addressBookHomes: [String]
    /// What the server said it supports, from `OPTIONS` on the principal.
    public var capabilities: ServerCapabilities
    /// What the server does differently.
    public var quirks: ServerQuirks
}

extension DAVClient {
    /// Finds the principal and home sets starting from `baseURL`, which may be a bare host,
    /// the Nextcloud server URL, a DAV root, a principal or a collection. Tries in order:
    /// the URL itself when it has a path (and `remote.php/dav/` under it), `/.well-known/caldav`
    /// and `/.well-known/carddav` (following redirects), the Nextcloud/ownCloud root
    /// `/remote.php/dav/`, and `/`. DNS SRV records (RFC 6764 §3) are not looked up.
    public func discover() async throws(DAVError) -> DiscoveryResult {
        var candidates: [String] = []
        let path = baseURL.path(percentEncoded: true)
        if !path.isEmpty, path != "/" {
            candidates.append(path)
            // Nextcloud installed under a path (https://host/nextcloud).
            candidates.append((path.hasSuffix("/") ? path : path + "/") + "remote.php/dav/")
        }
        candidates += ["/.well-known/caldav", "/.well-known/carddav", "/remote.php/dav/", "/"]
        var lastError: DAVError?
        for candidate in candidates {
            do throws(DAVError) {
                let (result, answeredBy) = try await multistatusAndURL(
                    "PROPFIND", candidate, depth: .zero,
                    body: DAVRequestBody.propfind([.dav("current-user-principal"), .dav("principal-URL"), .dav("resourcetype")]))
                guard let response = result.responses.first else { continue }
                let principal =
                    response.property(.dav("current-user-principal")).flatMap { $0.status == 200 ? $0.element.child(.dav("href"))?.trimmedText : nil }
                    ?? response.property(.dav("principal-URL")).flatMap { $0.status == 200 ? $0.element.child(.dav("href"))?.trimmedText : nil }
                guard let principal, !principal.isEmpty else { continue }
                return try await describe(principal: principal, context: answeredBy)
            } catch {
                if error.code == .unauthorized || error.code == .circuitOpen || error.code == .cancelled { throw error }
                lastError = error
            }
        }
        throw lastError ?? DAVError(.notFound, method: "PROPFIND", url: baseURL.absoluteString,
                                    detail: "no current-user-principal at any of \(candidates.joined(separator: ", "))")
    }

    /// Reads a principal's home sets, display name, capabilities and quirks.
    private func describe(principal: String, context: URL) async throws(DAVError) -> DiscoveryResult {
        let result = try await propfind(principal, depth: .zero, .properties([
            .caldav("calendar-home-set"), .carddav("addressbook-home-set"), .dav("displayname"),
        ]))
        let response = result.responses.first
        func hrefs(_ name: QualifiedName) -> [String] {
            guard let (element, status) = response?.property(name), status == 200 else { return [] }
            return element.children(.dav("href")).map(\.trimmedText)
        }
        let options = try? await request("OPTIONS", principal, expected: [200, 204])
        var capabilities = ServerCapabilities()
        let davHeader = options?.headers[canonicalForm: "dav"].joined(separator: ",") ?? ""
        capabilities.read(davHeader: davHeader, allowHeader: options?.headers[canonicalForm: "allow"].joined(separator: ",") ?? "")
        let quirks = ServerQuirks.detect(serverHeader: options?.headers.first(name: "server"), davHeader: davHeader)
        return DiscoveryResult(
            contextURL: context, principal: principal,
            displayName: response?.property(.dav("displayname")).flatMap { $0.status == 200 ? $0.element.trimmedText : nil },
            calendarHomes: hrefs(.caldav("calendar-home-set")), addressBookHomes: hrefs(.carddav("addressbook-home-set")),
            capabilities: capabilities, quirks: quirks)
    }

    /// Which REPORTs a collection lists in `supported-report-set`, folded into `capabilities`.
    public func readReports(of collection: String, into capabilities: inout ServerCapabilities) async throws(DAVError) {
        let result = try await propfind(collection, depth: .zero, .properties([.dav("supported-report-set")]))
        let reports = Set(
            result.responses.first?.property(.dav("supported-report-set"))?.element.children(.dav("supported-report"))
                .compactMap { $0.child(.dav("report"))?.children.first?.name } ?? [])
        capabilities.syncCollection = reports.contains(.dav("sync-collection"))
        capabilities.freeBusyQuery = reports.contains(.caldav("free-busy-query")) || capabilities.freeBusyQuery
        capabilities.expand = reports.contains(.caldav("calendar-query")) && capabilities.calendarAccess
    }
}

extension DAVClient {
    /// Every collection in the homes `discovery` found (calendar homes first), each once; a
    /// home that holds calendars and address books alike is listed once. Without `state`
    /// the sync token and ctag are not asked for: a server may read every object of every
    /// collection to tell them (Radicale does), and a first sync learns them anyway.
    public func collections(of discovery: DiscoveryResult, state: Bool = true) async throws(DAVError) -> [CollectionProperties] {
        var found: [CollectionProperties] = []
        var seen: Set<String> = []
        var listedHomes: Set<String> = []
        for home in discovery.calendarHomes + discovery.addressBookHomes where listedHomes.insert(try normalizedPath(home)).inserted {
            for collection in try await collections(in: home, state: state) where seen.insert(collection.href).inserted {
                found.append(collection)
            }
        }
        return found
    }
}
