public import Accounts
public import DAVClient
import Foundation
public import SwitchboardStore

/// Syncs one collection of a store now, the store being its local side (what the sync
/// service runs on schedule), and commits single edits written into the store to their
/// server (what the API, the CLI and the scheduler do for every edit).
public struct StoreSyncer: Sendable {
    public let store: any SyncStore
    public let clients: AccountClients
    public var options: SyncOptions

    /// A syncer whose runs wait up to 15 s for a run already under way (an edit's upload is
    /// worth the wait; the sync service passes options that do not wait).
    public init(store: any SyncStore, clients: AccountClients, options: SyncOptions = SyncOptions(leaseWait: .seconds(15))) {
        self.store = store
        self.clients = clients
        self.options = options
    }

    /// A collection with a client for its account.
    public func client(forCollection collectionID: String) async throws(SyncError) -> (DAVClient, CollectionRecord) {
        guard let collection = try await storeCall({ store throws(StoreError) in try await store.collection(id: collectionID) }) else {
            throw SyncError(.account, detail: "collection \(collectionID) is gone")
        }
        return (try await client(for: collection), collection)
    }

    /// Runs a sync of `collection` and returns its run (also in the sync log); a run that
    /// could not be made (the account is gone) is logged as a failed run too.
    @discardableResult
    public func sync(_ collection: CollectionRecord, progress: @escaping @Sendable (SyncProgress) -> Void = { _ in }) async -> SyncRunRecord {
        do {
            return await synchronizer(for: collection, client: try await client(for: collection)).sync(collection, progress: progress)
        } catch {
            var failed = SyncRunRecord(collectionID: collection.id, finishedAt: Date())
            failed.failure = "\(error)"
            try? await store.saveRun(failed)
            return failed
        }
    }

    /// Commits the edit of one item pending in the store to its server (see
    /// ``CollectionSynchronizer/commit(_:in:written:)``): the way every edit is sent.
    public func commit(_ localID: String, in collection: CollectionRecord, written: (data: String, content: ItemContent)? = nil) async
        -> WriteOutcome
    {
        do {
            return await synchronizer(for: collection, client: try await client(for: collection)).commit(localID, in: collection, written: written)
        } catch {
            return .pending(try? await store.item(in: collection.id, localID: localID), error)
        }
    }

    /// The item as its server holds it now, by one conditional request (see
    /// ``CollectionSynchronizer/refresh(_:in:)``).
    public func refresh(_ localID: String, in collection: CollectionRecord) async throws(SyncError) -> ItemRecord? {
        try await synchronizer(for: collection, client: try await client(for: collection)).refresh(localID, in: collection)
    }

    private func synchronizer(for collection: CollectionRecord, client: DAVClient) -> CollectionSynchronizer {
        CollectionSynchronizer(client: client, store: store, replica: StoreReplica(store: store, collectionID: collection.id), options: options)
    }

    /// Runs a sync of the collection with this id.
    @discardableResult
    public func sync(collectionID: String) async throws(SyncError) -> SyncRunRecord {
        let (_, collection) = try await client(forCollection: collectionID)
        return await sync(collection)
    }

    private func client(for collection: CollectionRecord) async throws(SyncError) -> DAVClient {
        do {
            return try await clients.client(forAccountID: collection.accountID, in: store)
        } catch {
            throw SyncError(error)
        }
    }

    private func storeCall<T>(_ body: (any SyncStore) async throws(StoreError) -> T) async throws(SyncError) -> T {
        do { return try await body(store) } catch { throw SyncError(store: error) }
    }
}
