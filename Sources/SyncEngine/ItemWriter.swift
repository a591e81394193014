public import DAVClient
import Foundation
public import SyncStore

/// Whether the server holds what the store holds for an item.
public enum ItemSyncState: String, Sendable, Hashable {
    /// Uploaded: the server has this version.
    case synced
    /// Written to the store and waiting for the next sync to upload it (the server could
    /// not be reached, or another run held the collection).
    case pending
    /// The server holds a version of its own beside this one (manual conflict policy).
    case conflict
}

/// Why an item write failed.
public enum ItemWriteError: Error, Sendable {
    case unknownItem(String)
    /// `If-Match` named another version than the current one.
    case preconditionFailed(current: ItemRecord)
    /// The edit was written but the server now holds something else (changed there at the
    /// same moment, merged or replaced by the collection's conflict policy).
    case conflict(current: ItemRecord?)
    /// The edited object does not parse.
    case unreadable(String)
    case store(StoreError)
}

/// Edits of a synced collection's items, written through the sync engine: an edit goes into
/// the store as a pending local change and the collection is synced, which uploads it with
/// `If-Match` (or `If-None-Match: *` for a new item). The collection is synced before an
/// edit too, so `If-Match` is compared with what the server holds now; when it cannot be
/// reached, the store's version is compared and the edit waits for the next sync.
///
/// Versions are entity tags of the content (the first 16 bytes of its SHA-256), not the
/// server's: those may be weak, missing, or change when nothing a client sees changed.
public struct ItemWriter: Sendable {
    public let store: any SyncStore
    let syncer: StoreSyncer

    public init(store: any SyncStore, clients: AccountClients) {
        self.store = store
        syncer = StoreSyncer(store: store, clients: clients)
    }

    /// The item as the server holds it now (after a sync), checked against `ifMatch`.
    public func current(_ localID: String, in collection: CollectionRecord, ifMatch: String?) async throws(ItemWriteError) -> ItemRecord {
        await syncer.sync(collection)
        guard let item = try await storeCall({ store throws(StoreError) in try await store.item(in: collection.id, localID: localID) }),
            let data = item.currentData
        else { throw .unknownItem(localID) }
        if let ifMatch, !Self.matches(ifMatch, Self.etag(data)) { throw .preconditionFailed(current: item) }
        return item
    }

    /// Writes new content (or a deletion, `nil`) for items as pending local edits, then
    /// syncs the collection to upload them.
    public func commit(_ writes: [(localID: String, data: String?)], in collection: CollectionRecord, flavor: ObjectFlavor)
        async throws(ItemWriteError)
    {
        var edits: [String: (data: String, content: ItemContent)?] = [:]
        for (localID, data) in writes {
            guard let data else {
                edits[localID] = .some(nil)
                continue
            }
            do {
                edits[localID] = (data, try ItemContent(data, flavor: flavor))
            } catch {
                throw .unreadable("the edited object does not parse: \(error)")
            }
        }
        // Written onto the item as it is when written (a sync run may have changed it since
        // it was read): compare-and-swap, applied again if another writer got there first.
        try await storeCall { [edits] store throws(StoreError) in
            try await store.updateItems(in: collection.id, localIDs: writes.map(\.localID)) { item in
                guard let edit = edits[item.localID] ?? nil else {
                    item.pendingDeletion = true
                    return
                }
                item.pendingData = edit.data
                item.pendingDeletion = false
                item.uid = edit.content.uid
                item.fields = edit.content.fields
            }
        }
        await syncer.sync(collection)
    }

    /// The item as written: `data` uploaded or pending; anything else is a conflict.
    public func written(_ localID: String, _ data: String, in collectionID: String) async throws(ItemWriteError) -> ItemRecord {
        guard let item = try await storeCall({ store throws(StoreError) in try await store.item(in: collectionID, localID: localID) }) else {
            throw .conflict(current: nil)
        }
        guard item.pendingData == data || (item.pendingData == nil && item.syncedData == data && item.conflictData == nil) else {
            throw .conflict(current: item)
        }
        return item
    }

    /// After a deletion was committed: gone or pending; still there otherwise (a conflict).
    public func deleted(_ localID: String, in collectionID: String) async throws(ItemWriteError) {
        guard let item = try await storeCall({ store throws(StoreError) in try await store.item(in: collectionID, localID: localID) }),
            !item.pendingDeletion
        else { return }
        throw .conflict(current: item)
    }

    public static func state(of item: ItemRecord) -> ItemSyncState {
        if item.conflictData != nil { return .conflict }
        return item.pendingData != nil || item.pendingDeletion ? .pending : .synced
    }

    /// A strong entity tag of the content.
    public static func etag(_ data: String) -> String { "\"" + ContentHash.hex(of: data) + "\"" }

    /// Whether an `If-Match` value names `etag` (a list, `*`, or weak forms compared weakly).
    public static func matches(_ ifMatch: String, _ etag: String) -> Bool {
        ifMatch.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || tag == etag || tag == "W/" + etag
        }
    }

    func storeCall<T>(_ body: (any SyncStore) async throws(StoreError) -> T) async throws(ItemWriteError) -> T {
        do { return try await body(store) } catch { throw .store(error) }
    }
}
