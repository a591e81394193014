public import Accounts
public import DAVClient
import Foundation
import SyncContent
import SyncPlanning
public import SwitchboardStore

/// An item both sides changed, waiting for a person (the `manual` policy): the version
/// here, the server's, and — when the edits touch different properties — both merged.
public struct ItemConflict: Sendable, Hashable {
    /// Names the conflict across collections (opaque).
    public var id: String
    public var collectionID: String
    public var localID: String
    public var href: String?
    public var uid: String?
    /// The version here; `nil` when the item was deleted here.
    public var local: String?
    /// The server's version; `nil` when the server deleted the item.
    public var remote: String?
    /// Both edits merged against the version they started from, when they can be.
    public var proposal: String?
}

/// What a person keeps of a conflict.
public enum ConflictChoice: Sendable, Hashable {
    /// The version here goes to the server (or, when it was deleted here, the deletion).
    case local
    /// The server's version stays (or, when the server deleted the item, the deletion).
    case remote
    /// A version of the person's own goes to the server.
    case merged(String)
}

/// Why a conflict could not be resolved.
public struct ConflictError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// No conflict by that id (resolved meanwhile, or never one).
        case notFound
        /// The collection's local side is a folder: its files are the local versions, so a
        /// conflict is resolved by editing the file.
        case folderSide
        /// The merged version does not parse, or names another item.
        case invalid
        case store
    }

    public var code: Code
    public var detail: String

    public var description: String { "\(code.rawValue): \(detail)" }
}

/// Lists and resolves the conflicts of collections synced with the store as their local
/// side. A resolution is written like any edit — the chosen version pending, with the
/// server's ETag as the version it replaces — and the collection is synced, which sends it
/// with `If-Match`; a server that changed again meanwhile makes a new conflict.
public struct ConflictResolver: Sendable {
    public let store: any SyncStore
    let syncer: StoreSyncer

    public init(store: any SyncStore, clients: AccountClients) {
        self.store = store
        syncer = StoreSyncer(store: store, clients: clients)
    }

    /// The conflicts in `collections`.
    public func conflicts(in collections: [CollectionRecord]) async throws(ConflictError) -> [ItemConflict] {
        var found: [ItemConflict] = []
        for collection in collections {
            for item in try await storeCall({ store throws(StoreError) in try await store.items(in: collection.id) }) where item.conflictData != nil {
                found.append(Self.conflict(item, flavor: collection.kind == .calendar ? .calendar : .addressBook))
            }
        }
        return found
    }

    /// The conflict `item` holds (it must hold one).
    static func conflict(_ item: ItemRecord, flavor: ObjectFlavor) -> ItemConflict {
        let remote = item.conflictData.flatMap { $0.isEmpty ? nil : $0 }
        let local = item.pendingDeletion ? nil : item.currentData
        var proposal: String?
        if let base = item.syncedData, let local, let remote {
            let merged: [UInt8]? = switch flavor {
            case .calendar: ThreeWayMerge.calendarObject(base: Array(base.utf8), ours: Array(local.utf8), theirs: Array(remote.utf8))
            case .addressBook: ThreeWayMerge.vCard(base: Array(base.utf8), ours: Array(local.utf8), theirs: Array(remote.utf8))
            }
            proposal = merged.map { String(decoding: $0, as: UTF8.self) }
        }
        return ItemConflict(id: id(collectionID: item.collectionID, localID: item.localID), collectionID: item.collectionID,
                            localID: item.localID, href: item.href, uid: item.uid, local: local, remote: remote, proposal: proposal)
    }

    /// The conflict id of an item: its collection and local id, base64url.
    public static func id(collectionID: String, localID: String) -> String {
        Data((collectionID + "\n" + localID).utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The collection and local id a conflict id names, if it is one.
    public static func item(named id: String) -> (collectionID: String, localID: String)? {
        var base64 = id.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    /// Resolves the conflict of `localID` in `collection` by `choice`, then syncs the
    /// collection; returns the item as it is afterwards (`nil`: deleted).
    public func resolve(_ localID: String, in collection: CollectionRecord, keep choice: ConflictChoice) async throws(ConflictError) -> ItemRecord? {
        guard collection.localSide == nil || collection.localSide == StoreReplica.identity else {
            throw ConflictError(code: .folderSide, detail: "\(collection.href) is synced to a folder: edit the item's file there")
        }
        let flavor: ObjectFlavor = collection.kind == .calendar ? .calendar : .addressBook
        guard let item = try await storeCall({ store throws(StoreError) in try await store.item(in: collection.id, localID: localID) }),
              let serverVersion = item.conflictData
        else { throw ConflictError(code: .notFound, detail: "no conflict for this item") }
        let deletedOnServer = serverVersion.isEmpty
        var merged: (data: String, content: ItemContent)?
        if case .merged(let data) = choice {
            guard let content = try? ItemContent(data, flavor: flavor) else {
                throw ConflictError(code: .invalid, detail: "the merged version does not parse")
            }
            guard content.uid == item.uid else { throw ConflictError(code: .invalid, detail: "the merged version has another UID") }
            merged = (data, content)
        }
        let server = deletedOnServer ? nil : try? ItemContent(serverVersion, flavor: flavor)
        if choice == .remote, deletedOnServer {
            // The server's deletion stands.
            try await storeCall { store throws(StoreError) in _ = try await store.deleteItem(in: collection.id, localID: localID, at: Date()) }
            return nil
        }
        try await storeCall { [merged] store throws(StoreError) in
            try await store.updateItems(in: collection.id, localIDs: [localID]) { item in
                // The server's version is now the one the edit replaces (or none, deleted there).
                let local = item.pendingDeletion ? nil : item.currentData
                if deletedOnServer {
                    item.href = nil
                    item.etag = nil
                    item.syncedData = nil
                    item.contentHash = nil
                } else {
                    item.etag = item.conflictETag
                    item.syncedData = serverVersion
                    item.contentHash = server?.state.contentHash
                }
                item.conflictData = nil
                item.conflictETag = nil
                switch choice {
                case .remote:
                    item.pendingData = nil
                    item.pendingDeletion = false
                    if let server { item.fields = server.fields }
                case .local:
                    item.pendingData = local
                case .merged:
                    item.pendingData = merged?.data
                    item.pendingDeletion = false
                    if let merged { item.fields = merged.content.fields }
                }
            }
        }
        await syncer.sync(collection)
        return try await storeCall { store throws(StoreError) in try await store.item(in: collection.id, localID: localID) }
    }

    private func storeCall<T>(_ body: (any SyncStore) async throws(StoreError) -> T) async throws(ConflictError) -> T {
        do { return try await body(store) } catch { throw ConflictError(code: .store, detail: error.description) }
    }
}
