public import Accounts
public import DAVClient
import Foundation
public import SwitchboardStore

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

/// Edits of a synced collection's items: an edit goes into the store as a pending local
/// change (compare-and-swap, so no other writer's edit is lost) and is committed to the
/// server at once — `If-Match` the version last synced, `If-None-Match: *` for a new item
/// (``StoreSyncer/commit(_:in:written:)``). Before an edit, the item is refreshed by one
/// conditional `GET`, so `If-Match` is compared with what the server holds now; when it
/// cannot be reached, the store's version is compared and the edit waits for the next sync.
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

    /// The item as the server holds it now, checked against `ifMatch`.
    public func current(_ localID: String, in collection: CollectionRecord, ifMatch: String?) async throws(ItemWriteError) -> ItemRecord {
        let refreshed: ItemRecord?
        do {
            refreshed = try await syncer.refresh(localID, in: collection)
        } catch {
            // The server cannot say now: the store's copy is the version to compare.
            refreshed = try await storeCall { store throws(StoreError) in try await store.item(in: collection.id, localID: localID) }
        }
        guard let item = refreshed, let data = item.currentData else { throw .unknownItem(localID) }
        if let ifMatch, !Self.matches(ifMatch, Self.etag(data)) { throw .preconditionFailed(current: item) }
        return item
    }

    /// Writes `data` (`nil`: a deletion) as the item's edit and commits it to the server.
    public func write(_ localID: String, _ data: String?, in collection: CollectionRecord, flavor: ObjectFlavor)
        async throws(ItemWriteError) -> WriteOutcome
    {
        var written: (data: String, content: ItemContent)?
        if let data {
            do {
                written = (data, try ItemContent(data, flavor: flavor))
            } catch {
                throw .unreadable("the edited object does not parse: \(error)")
            }
        }
        // Written onto the item as it is when written (a sync run may have changed it since
        // it was read): compare-and-swap, applied again if another writer got there first.
        _ = try await storeCall { [written] store throws(StoreError) in
            try await store.updateItems(in: collection.id, localIDs: [localID]) { item in
                guard let written else {
                    item.pendingDeletion = true
                    return
                }
                item.pendingData = written.data
                item.pendingDeletion = false
                item.uid = written.content.uid
                item.fields = written.content.fields
            }
        }
        return await syncer.commit(localID, in: collection, written: written)
    }

    /// The item an edit left: uploaded, or pending for the next sync (`nil` once deleted).
    /// A merge or a conflict throws ``ItemWriteError/conflict(current:)`` with what the item
    /// holds now: the server holds something else than the edit.
    public static func settled(_ outcome: WriteOutcome) throws(ItemWriteError) -> ItemRecord? {
        switch outcome {
        case .uploaded(let item): return item
        case .pending(let item?, _): return item
        case .pending(nil, _): throw .conflict(current: nil)
        case .merged(let item): throw .conflict(current: item)
        case .conflict(let item): throw .conflict(current: item)
        case .deleted: return nil
        }
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

/// One kind of item a service edits through ``ItemWriter`` (events, contacts): how its
/// items read from store records, and its errors made from an item write's failure.
public protocol ItemKind {
    /// An item as the service shows it.
    associatedtype Stored: Sendable
    /// The service's error.
    associatedtype Failure: Error

    static var flavor: ObjectFlavor { get }
    /// The item a record holds, or `nil` when its content cannot be read as one.
    static func stored(_ item: ItemRecord) -> Stored?
    static func unknown(_ id: String) -> Failure
    static func preconditionFailed(current: Stored) -> Failure
    static func conflict(current: Stored?) -> Failure
    static func unreadable(_ why: String) -> Failure
    static func store(_ error: StoreError) -> Failure
}

extension ItemKind {
    /// An item write's failure, in this kind's terms.
    public static func failure(_ error: ItemWriteError) -> Failure {
        switch error {
        case .unknownItem(let id): unknown(id)
        case .preconditionFailed(let item): stored(item).map { preconditionFailed(current: $0) } ?? unreadable("the stored item cannot be read")
        case .conflict(let item): conflict(current: item.flatMap(stored))
        case .unreadable(let why): unreadable(why)
        case .store(let error): store(error)
        }
    }
}

extension ItemWriter {
    /// The item as the server holds it now, checked against `ifMatch`, as `Kind` shows it.
    public func current<Kind: ItemKind>(_ localID: String, in collection: CollectionRecord, ifMatch: String?, as kind: Kind.Type)
        async throws(Kind.Failure) -> Kind.Stored
    {
        let item: ItemRecord
        do {
            item = try await current(localID, in: collection, ifMatch: ifMatch)
        } catch {
            throw Kind.failure(error)
        }
        guard let stored = Kind.stored(item) else { throw Kind.unknown(localID) }
        return stored
    }

    /// Writes `data` (`nil`: a deletion) and commits it; the item after, as `Kind` shows it
    /// (`nil` once deleted). A merge or conflict throws `Kind`'s conflict with what it holds now.
    @discardableResult
    public func commit<Kind: ItemKind>(_ localID: String, _ data: String?, in collection: CollectionRecord, as kind: Kind.Type)
        async throws(Kind.Failure) -> Kind.Stored?
    {
        let item: ItemRecord?
        do {
            item = try Self.settled(try await write(localID, data, in: collection, flavor: Kind.flavor))
        } catch {
            throw Kind.failure(error)
        }
        guard data != nil else { return nil }
        guard let item, let stored = Kind.stored(item) else { throw Kind.conflict(current: nil) }
        return stored
    }
}
