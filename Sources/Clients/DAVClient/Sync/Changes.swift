import DAVXML
import Foundation

/// What the client knew about a collection after the last look: the sync token or ctag,
/// and each member's ETag. Pass it to ``DAVClient/changes(in:since:)`` and keep the one
/// that comes back.
public struct SyncState: Sendable, Hashable, Codable {
    /// The RFC 6578 token, when the server supports sync-collection.
    public var syncToken: String?
    /// The collection's ctag, for the fallback.
    public var ctag: String?
    /// Member href → ETag.
    public var etags: [String: String]

    /// The state before the first sync.
    public init(syncToken: String? = nil, ctag: String? = nil, etags: [String: String] = [:]) {
        self.syncToken = syncToken
        self.ctag = ctag
        self.etags = etags
    }
}

/// The members that changed since a ``SyncState``.
public struct ChangeSet: Sendable, Hashable {
    /// New members (href, ETag).
    public var added: [MemberVersion]
    /// Members whose ETag changed.
    public var changed: [MemberVersion]
    /// Members confirmed gone (absent from a complete listing or reported deleted).
    public var deleted: [String]
    /// The state to keep for the next call.
    public var state: SyncState
    /// How the changes were learnt.
    public var method: Method

    /// How a change set was computed.
    public enum Method: String, Sendable, Hashable {
        /// RFC 6578 sync-collection from a token.
        case syncCollection
        /// A full listing after the server refused the token.
        case fullListingAfterInvalidToken
        /// The ctag had not changed: nothing to do, one request.
        case ctagUnchanged
        /// A `PROPFIND` ETag listing (no sync-collection support).
        case etagListing
    }

    /// Whether nothing changed.
    public var isEmpty: Bool { added.isEmpty && changed.isEmpty && deleted.isEmpty }
}

/// A member href with the ETag it has now.
public struct MemberVersion: Sendable, Hashable {
    /// The href.
    public var href: String
    /// Its ETag.
    public var etag: String
}

/// Every member of a collection with its data, and the state to sync from afterwards.
public struct CollectionSnapshot: Sendable {
    /// The members, with ETag and data.
    public var objects: [DAVObject]
    /// The sync token and ctag read before the members, with the members' ETags.
    public var state: SyncState
}

extension DAVClient {
    /// A first look at a collection: every member with its data, and the state to sync from
    /// afterwards. One sync-collection REPORT from no token that asks for the data as well
    /// (RFC 6578 §3.8: the token it returns is the one its members are current to); members
    /// a server sends without data are fetched by multiget. Where sync-collection is not
    /// served, the sync token and ctag are read first, so that nothing changed after them
    /// can be missed later, then every member in one query REPORT (``allObjects(_:in:)``).
    public func snapshot(_ flavor: ObjectFlavor, of collection: String) async throws(DAVError) -> CollectionSnapshot {
        do {
            if let snapshot = try await syncCollectionSnapshot(flavor, of: collection) { return snapshot }
        } catch where [.forbidden, .status, .invalidSyncToken].contains(error.code) {
            // No sync-collection here: the token, then the query.
        }
        let properties = try await self.collection(collection)
        let objects = try await allObjects(flavor, in: collection)
        var etags: [String: String] = [:]
        for object in objects { if let etag = object.etag { etags[object.href] = etag } }
        return CollectionSnapshot(objects: objects, state: SyncState(syncToken: properties.syncToken, ctag: properties.ctag, etags: etags))
    }

    /// The snapshot one sync-collection REPORT gives, or `nil` when the answer cannot stand
    /// for the whole collection (no token, or a truncated listing).
    private func syncCollectionSnapshot(_ flavor: ObjectFlavor, of collection: String) async throws(DAVError) -> CollectionSnapshot? {
        let body = DAVRequestBody.syncCollection(token: nil, properties: [.dav("getetag"), flavor.dataProperty])
        let result = try await multistatus("REPORT", collection, depth: nil, body: body)
        guard let token = result.syncToken, !token.isEmpty else { return nil }
        let collectionPath = try normalizedPath(collection)
        var objects: [DAVObject] = []
        var withoutData: [String] = []
        for response in result.responses {
            if try normalizedPath(response.href) == collectionPath {
                if response.status == 507 { return nil }
                continue
            }
            guard response.status != 404, response.status != 410 else { continue }
            let object = response.object(flavor)
            if object.data == nil || object.etag == nil { withoutData.append(response.href) } else { objects.append(object) }
        }
        if !withoutData.isEmpty {
            let fetched = try await multiget(flavor, in: collection, hrefs: withoutData)
            objects += fetched.objects
        }
        var etags: [String: String] = [:]
        for object in objects { if let etag = object.etag { etags[object.href] = etag } }
        return CollectionSnapshot(objects: objects, state: SyncState(syncToken: token, ctag: nil, etags: etags))
    }

    /// The changes in `collection` since `state`: sync-collection with paging when the
    /// server supports it, a full listing when the token is refused, and a ctag check
    /// followed by an ETag listing otherwise. Deletions are reported only when confirmed.
    public func changes(in collection: String, since state: SyncState, pageSize: Int? = nil) async throws(DAVError) -> ChangeSet {
        do {
            return try await syncCollection(collection, since: state, pageSize: pageSize)
        } catch {
            switch error.code {
            case .invalidSyncToken:
                var listed = try await listingChanges(collection, since: state, method: .fullListingAfterInvalidToken)
                listed.state.syncToken = try await self.collection(collection).syncToken
                return listed
            case .forbidden, .status:
                // The server does not do sync-collection here (403 supported-report, 501, 400…).
                return try await ctagChanges(collection, since: state)
            default:
                throw error
            }
        }
    }

    private func syncCollection(_ collection: String, since state: SyncState, pageSize: Int?) async throws(DAVError) -> ChangeSet {
        var token = state.syncToken
        var etags = state.etags
        var added: [MemberVersion] = []
        var changed: [MemberVersion] = []
        var deleted: [String] = []
        let collectionPath = try normalizedPath(collection)
        var pages = 0
        // Without a token the answer is a complete listing: what it leaves out is gone.
        var listed: Set<String> = []
        while true {
            pages += 1
            let body = DAVRequestBody.syncCollection(token: token, properties: [.dav("getetag")], limit: pageSize)
            let result = try await multistatus("REPORT", collection, depth: nil, body: body)
            var truncated = false
            for response in result.responses {
                if try normalizedPath(response.href) == collectionPath {
                    // A 507 on the request-URI: more changes follow from the new token (RFC 6578 §3.6).
                    if response.status == 507 { truncated = true }
                    continue
                }
                if response.status == 404 || response.status == 410 {
                    if etags.removeValue(forKey: response.href) != nil || state.syncToken != nil {
                        deleted.append(response.href)
                    }
                    continue
                }
                guard let etag = response.object(.calendar).etag else { continue }
                listed.insert(response.href)
                if let old = etags[response.href] {
                    if old != etag { changed.append(MemberVersion(href: response.href, etag: etag)) }
                } else {
                    added.append(MemberVersion(href: response.href, etag: etag))
                }
                etags[response.href] = etag
            }
            guard let newToken = result.syncToken else {
                throw DAVError(.malformedResponse, method: "REPORT", url: try url(collection).absoluteString, status: 207,
                               detail: "sync-collection answer without a sync-token")
            }
            let progressed = newToken != token
            token = newToken
            guard truncated, progressed, pages < 10_000 else { break }
        }
        if state.syncToken == nil {
            for href in state.etags.keys.sorted() where !listed.contains(href) {
                etags.removeValue(forKey: href)
                deleted.append(href)
            }
        }
        return ChangeSet(
            added: added, changed: changed, deleted: Self.unique(deleted),
            state: SyncState(syncToken: token, ctag: state.ctag, etags: etags), method: .syncCollection)
    }

    private func ctagChanges(_ collection: String, since state: SyncState) async throws(DAVError) -> ChangeSet {
        let properties = try await self.collection(collection)
        if let ctag = properties.ctag, ctag == state.ctag {
            return ChangeSet(added: [], changed: [], deleted: [], state: state, method: .ctagUnchanged)
        }
        var listed = try await listingChanges(collection, since: state, method: .etagListing)
        listed.state.ctag = properties.ctag
        return listed
    }

    /// Compares a complete ETag listing with the known members.
    private func listingChanges(_ collection: String, since state: SyncState, method: ChangeSet.Method) async throws(DAVError) -> ChangeSet {
        let current = try await etags(in: collection)
        var added: [MemberVersion] = []
        var changed: [MemberVersion] = []
        for (href, etag) in current.sorted(by: { $0.key < $1.key }) {
            switch state.etags[href] {
            case nil: added.append(MemberVersion(href: href, etag: etag))
            case let old? where old != etag: changed.append(MemberVersion(href: href, etag: etag))
            default: break
            }
        }
        let deleted = state.etags.keys.filter { current[$0] == nil }.sorted()
        return ChangeSet(added: added, changed: changed, deleted: deleted,
                         state: SyncState(syncToken: nil, ctag: state.ctag, etags: current), method: method)
    }

    private static func unique(_ hrefs: [String]) -> [String] {
        var seen: Set<String> = []
        return hrefs.filter { seen.insert($0).inserted }
    }
}
