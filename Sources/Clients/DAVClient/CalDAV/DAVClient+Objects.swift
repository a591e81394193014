public import DAVXML
public import Foundation
import NIOHTTP1
import HTTPTransport

extension DAVClient {
    /// The properties read for every collection listing.
    static let collectionProperties: [QualifiedName] = [
        .dav("resourcetype"), .dav("displayname"), .dav("sync-token"), .dav("current-user-privilege-set"),
        .dav("supported-report-set"),
        QualifiedName("http://calendarserver.org/ns/", "getctag"), QualifiedName("http://apple.com/ns/ical/", "calendar-color"),
        .caldav("supported-calendar-component-set"), .caldav("calendar-timezone"), .caldav("calendar-description"),
        .carddav("addressbook-description"),
    ]
    /// The same without what tells a collection's state (sync token, ctag).
    static let collectionPropertiesWithoutState = collectionProperties.filter {
        $0 != .dav("sync-token") && $0 != QualifiedName("http://calendarserver.org/ns/", "getctag")
    }

    // MARK: Collections

    /// The collections directly inside `home` (a calendar-home-set or addressbook-home-set),
    /// with their sync token and ctag unless `state` is false.
    public func collections(in home: String, state: Bool = true) async throws(DAVError) -> [CollectionProperties] {
        let result = try await propfind(home, depth: .one, .properties(state ? Self.collectionProperties : Self.collectionPropertiesWithoutState))
        let homePath = try normalizedPath(home)
        var collections: [CollectionProperties] = []
        for response in result.responses where try normalizedPath(response.href) != homePath {
            collections.append(CollectionProperties(response))
        }
        return collections
    }

    /// One collection's properties.
    public func collection(_ href: String) async throws(DAVError) -> CollectionProperties {
        let result = try await propfind(href, depth: .zero, .properties(Self.collectionProperties))
        guard let response = result.responses.first else {
            throw DAVError(.malformedResponse, method: "PROPFIND", url: try url(href).absoluteString, detail: "empty multistatus")
        }
        // Some servers answer a PROPFIND on a missing collection with 207 and a 404 inside.
        if response.status == 404 || (!response.propstats.isEmpty && response.propstats.allSatisfy { $0.status == 404 }) {
            throw DAVError(.notFound, method: "PROPFIND", url: try url(href).absoluteString, status: 404)
        }
        return CollectionProperties(response)
    }

    /// `MKCALENDAR` (RFC 4791 §5.3.1) with a display name, the component types it takes,
    /// and optionally a color (`#RRGGBB`) and a time zone (a VCALENDAR with one VTIMEZONE).
    public func makeCalendar(
        _ href: String, displayName: String, components: [String] = ["VEVENT"], color: String? = nil, timeZone: String? = nil
    ) async throws(DAVError) {
        var properties = [
            XMLElement(name: .dav("displayname"), text: displayName),
            XMLElement(name: .caldav("supported-calendar-component-set"), children: components.map {
                XMLElement(name: .caldav("comp"), attributes: [QualifiedName("", "name"): $0])
            }),
        ]
        if let color { properties.append(XMLElement(name: QualifiedName("http://apple.com/ns/ical/", "calendar-color"), text: color)) }
        if let timeZone { properties.append(XMLElement(name: .caldav("calendar-timezone"), text: timeZone)) }
        try await request("MKCALENDAR", href, headers: HTTPHeadersBuilder.xml, body: Array(DAVRequestBody.mkcalendar(properties: properties).utf8), expected: [201])
    }

    /// An address book, by extended MKCOL (RFC 5689, RFC 6352 §6.3.1).
    public func makeAddressBook(_ href: String, displayName: String) async throws(DAVError) {
        try await mkcol(href, resourceTypes: [.carddav("addressbook")], properties: [XMLElement(name: .dav("displayname"), text: displayName)])
    }

    // MARK: Listing and fetching

    /// Every member's href and ETag (`PROPFIND` depth 1), without subcollections: a
    /// complete listing, the fallback for servers without sync-collection.
    public func etags(in collection: String) async throws(DAVError) -> [String: String] {
        let result = try await propfind(collection, depth: .one, .properties([.dav("getetag"), .dav("resourcetype")]))
        let collectionPath = try normalizedPath(collection)
        var etags: [String: String] = [:]
        for response in result.responses {
            guard try normalizedPath(response.href) != collectionPath,
                response.property(.dav("resourcetype"))?.element.child(.dav("collection")) == nil,
                let etag = response.property(.dav("getetag")), etag.status == 200
            else { continue }
            etags[response.href] = etag.element.trimmedText
        }
        return etags
    }

    /// Fetches `hrefs` with their data by calendar-multiget or addressbook-multiget, in
    /// batches of `batchSize` with up to `concurrency` requests in flight.
    public func multiget(
        _ flavor: ObjectFlavor, in collection: String, hrefs: [String], batchSize: Int = 250, concurrency: Int = 4
    ) async throws(DAVError) -> MultigetResult {
        let batches = stride(from: 0, to: hrefs.count, by: max(1, batchSize)).map { Array(hrefs[$0..<min($0 + batchSize, hrefs.count)]) }
        var results = [MultigetResult?](repeating: nil, count: batches.count)
        do {
            try await withThrowingTaskGroup(of: (Int, MultigetResult).self) { group in
                var next = 0
                func launch() {
                    let index = next
                    next += 1
                    group.addTask { (index, try await self.multigetBatch(flavor, in: collection, hrefs: batches[index])) }
                }
                while next < min(concurrency, batches.count) { launch() }
                while let (index, result) = try await group.next() {
                    results[index] = result
                    if next < batches.count { launch() }
                }
            }
        } catch let error as DAVError {
            throw error
        } catch {
            throw DAVError(.cancelled, method: "REPORT", url: collection, detail: String(describing: error))
        }
        return MultigetResult(objects: results.flatMap { $0?.objects ?? [] }, missing: results.flatMap { $0?.missing ?? [] })
    }

    private func multigetBatch(_ flavor: ObjectFlavor, in collection: String, hrefs: [String]) async throws(DAVError) -> MultigetResult {
        let body = DAVRequestBody.multiget(flavor.multigetReport, hrefs: hrefs, properties: [.dav("getetag"), flavor.dataProperty])
        let result = try await multistatus("REPORT", collection, depth: .one, body: body)
        var objects: [DAVObject] = []
        var missing: [String] = []
        for response in result.responses {
            if response.status == 404 || response.status == 410 || response.propstats.allSatisfy({ $0.status == 404 }) {
                missing.append(response.href)
            } else {
                objects.append(response.object(flavor))
            }
        }
        return MultigetResult(objects: objects, missing: missing)
    }

    /// Every object of a collection with its data, in one query REPORT (calendar-query on
    /// `VCALENDAR`, or addressbook-query without a filter). On the servers measured this is
    /// the cheapest full fetch: listing members costs the server as much as sending them.
    /// A collection too large for ``ClientConfiguration/maxResponseBytes`` fails with
    /// ``DAVError/Code/tooLarge``; list it with ``etags(in:)`` and ``multiget(_:in:hrefs:batchSize:concurrency:)``.
    public func allObjects(_ flavor: ObjectFlavor, in collection: String) async throws(DAVError) -> [DAVObject] {
        switch flavor {
        case .calendar:
            return try await calendarQuery(collection, component: nil, range: nil, propertyEquals: nil, includeData: true)
        case .addressBook:
            return try await contacts(in: collection)
        }
    }

    /// Calendar objects with a `component` (VEVENT, VTODO…) overlapping `from..<to` when
    /// given (recurring events included when any occurrence overlaps, RFC 4791 §9.9).
    public func calendarObjects(
        in calendar: String, component: String = "VEVENT", from: Date? = nil, to: Date? = nil, includeData: Bool = true
    ) async throws(DAVError) -> [DAVObject] {
        let range = from.map { (start: CalDAVTime.format($0), end: CalDAVTime.format(to ?? Date.distantFuture)) }
        return try await calendarQuery(calendar, component: component, range: range, propertyEquals: nil, includeData: includeData)
    }

    /// The calendar objects whose component has this UID (normally one; more means the
    /// collection holds duplicates, which the caller must see).
    public func calendarObjects(uid: String, in calendar: String, component: String = "VEVENT") async throws(DAVError) -> [DAVObject] {
        try await calendarQuery(calendar, component: component, range: nil, propertyEquals: ("UID", uid), includeData: true)
    }

    private func calendarQuery(
        _ calendar: String, component: String?, range: (start: String, end: String)?, propertyEquals: (name: String, value: String)?,
        includeData: Bool
    ) async throws(DAVError) -> [DAVObject] {
        let properties: [QualifiedName] = includeData ? [.dav("getetag"), .caldav("calendar-data")] : [.dav("getetag")]
        let body = DAVRequestBody.calendarQuery(component: component, timeRange: range, propertyEquals: propertyEquals, properties: properties)
        let result = try await multistatus("REPORT", calendar, depth: .one, body: body)
        return result.responses.filter { $0.status == nil || $0.status == 200 }.map { $0.object(.calendar) }
    }

    /// The `free-busy-query` REPORT: a VCALENDAR with one VFREEBUSY for `from..<to`.
    public func freeBusy(in calendar: String, from: Date, to: Date) async throws(DAVError) -> String {
        let body = DAVRequestBody.freeBusyQuery(start: CalDAVTime.format(from), end: CalDAVTime.format(to))
        var headers = HTTPHeadersBuilder.xml
        headers.add(name: "Depth", value: "1")
        let response = try await request("REPORT", calendar, headers: headers, body: Array(body.utf8), expected: [200])
        // Judged by content, not media type: Xandikos labels it application/octet-stream.
        let type = response.headers.first(name: "content-type")?.lowercased() ?? ""
        guard type.hasPrefix("text/calendar") || response.body.starts(with: Array("BEGIN:VCALENDAR".utf8)) else {
            throw DAVError(.malformedResponse, method: "REPORT", url: response.url.absoluteString, status: 200, detail: "free-busy answer is \(type)")
        }
        return response.text
    }

    /// The published availability (RFC 7953 §7.2.4 `calendar-availability`) of a calendar
    /// or scheduling inbox: a VCALENDAR of VAVAILABILITY components, or `nil` when the
    /// server keeps none there (or does not know the property).
    public func calendarAvailability(of href: String) async throws(DAVError) -> String? {
        let name = QualifiedName.caldav("calendar-availability")
        let result = try await propfind(href, depth: .zero, .properties([name]))
        guard let found = result.responses.first?.property(name), found.status == 200 else { return nil }
        let text = found.element.trimmedText
        return text.isEmpty ? nil : text
    }

    /// vCards in an address book, all of them or those whose `property` contains (or
    /// equals) `text`.
    public func contacts(
        in addressBook: String, matching match: (property: String, text: String, equals: Bool)? = nil
    ) async throws(DAVError) -> [DAVObject] {
        let body = DAVRequestBody.addressbookQuery(match: match, properties: [.dav("getetag"), .carddav("address-data")])
        let result = try await multistatus("REPORT", addressBook, depth: .one, body: body)
        return result.responses.filter { $0.status == nil || $0.status == 200 }.map { $0.object(.addressBook) }
    }

    /// The vCards with this UID.
    public func contacts(uid: String, in addressBook: String) async throws(DAVError) -> [DAVObject] {
        try await contacts(in: addressBook, matching: (property: "UID", text: uid, equals: true))
    }

    // MARK: Writing objects

    /// Creates an object in `collection` under a new href (derived from `uid`, made safe
    /// for a path), never overwriting: `If-None-Match: *`. Returns its href and ETag.
    public func createObject(
        _ flavor: ObjectFlavor, in collection: String, data: String, uid: String
    ) async throws(DAVError) -> DAVObject {
        try await createObject(flavor, at: Self.newHref(flavor, in: collection, uid: uid), data: data)
    }

    /// Creates an object at `href`, never overwriting (`If-None-Match: *`): an object
    /// already there throws ``DAVError/Code/conflict``.
    public func createObject(_ flavor: ObjectFlavor, at href: String, data: String) async throws(DAVError) -> DAVObject {
        let etag = try await put(href, body: Array(data.utf8), contentType: flavor.contentType, precondition: .ifNoneMatch)
        return DAVObject(href: href, etag: try await etagAfterWrite(etag, href: href), data: data)
    }

    /// The href a new object with `uid` gets in `collection`: the UID made safe for a path.
    public static func newHref(_ flavor: ObjectFlavor, in collection: String, uid: String) -> String {
        let base = collection.hasSuffix("/") ? collection : collection + "/"
        return canonicalHref(base + safeName(uid) + "." + flavor.fileExtension)
    }

    /// Replaces the object at `href` if it still has `etag` (or unconditionally when nil).
    /// A stale ETag throws ``DAVError/Code/conflict`` with the current one.
    public func updateObject(_ flavor: ObjectFlavor, at href: String, data: String, etag: String?) async throws(DAVError) -> DAVObject {
        let newETag = try await put(href, body: Array(data.utf8), contentType: flavor.contentType, precondition: etag.map { .ifMatch($0) } ?? .none)
        return DAVObject(href: href, etag: try await etagAfterWrite(newETag, href: href), data: data)
    }

    /// The ETag after a write: the one the server sent, or read back when it sent none
    /// (or sent a weak one, which cannot serve `If-Match`).
    private func etagAfterWrite(_ etag: String?, href: String) async throws(DAVError) -> String? {
        if let etag, !etag.hasPrefix("W/") { return etag }
        return try await currentETag(href) ?? etag
    }

    /// A path segment from a UID: letters, digits, `-`, `_`, `.`, `@` kept; anything else
    /// percent-encoded, so a UID with `/` or spaces cannot escape the collection.
    static func safeName(_ uid: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-_.@")
        let encoded = uid.addingPercentEncoding(withAllowedCharacters: allowed) ?? UUID().uuidString
        return encoded.isEmpty || encoded.hasPrefix(".") ? UUID().uuidString + encoded : encoded
    }

    /// The percent-decoded path of an href, for comparing hrefs written differently.
    func normalizedPath(_ href: String) throws(DAVError) -> String {
        var path = try url(href).path(percentEncoded: false)
        if path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }
}

/// Header sets used by several requests.
enum HTTPHeadersBuilder {
    static var xml: NIOHTTP1.HTTPHeaders { ["Content-Type": "application/xml; charset=utf-8"] }
}
