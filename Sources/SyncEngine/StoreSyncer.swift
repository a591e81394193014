public import DAVClient
import Foundation
public import SyncStore

/// Syncs one collection of a store now, the store being its local side: what the sync
/// service runs on schedule, and what the API and the scheduler run after writing an edit
/// into the store (the sync uploads it with `If-Match`/`If-None-Match`).
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
        let collections = try await storeCall { store throws(StoreError) in try await store.collections(accountID: nil) }
        guard let collection = collections.first(where: { $0.id == collectionID }) else {
            throw SyncError(.account, detail: "collection \(collectionID) is gone")
        }
        return (try await client(for: collection), collection)
    }

    /// Runs a sync of `collection` and returns its run (also in the sync log); a run that
    /// could not be made (the account is gone) is logged as a failed run too.
    @discardableResult
    public func sync(_ collection: CollectionRecord, progress: @escaping @Sendable (SyncProgress) -> Void = { _ in }) async -> SyncRunRecord {
        do {
            let client = try await client(for: collection)
            return await CollectionSynchronizer(client: client, store: store, replica: StoreReplica(store: store, collectionID: collection.id),
                                                options: options).sync(collection, progress: progress)
        } catch {
            var failed = SyncRunRecord(collectionID: collection.id, finishedAt: Date())
            failed.failure = "\(error)"
            try? await store.saveRun(failed)
            return failed
        }
    }

    /// Runs a sync of the collection with this id.
    @discardableResult
    public func sync(collectionID: String) async throws(SyncError) -> SyncRunRecord {
        let (_, collection) = try await client(forCollection: collectionID)
        return await sync(collection)
    }

    private func client(for collection: CollectionRecord) async throws(SyncError) -> DAVClient {
        let accounts = try await storeCall { store throws(StoreError) in try await store.accounts() }
        guard let account = accounts.first(where: { $0.id == collection.accountID }) else {
            throw SyncError(.account, detail: "the account of \(collection.href) is gone")
        }
        return try clients.client(for: account)
    }

    private func storeCall<T>(_ body: (any SyncStore) async throws(StoreError) -> T) async throws(SyncError) -> T {
        do { return try await body(store) } catch { throw SyncError(store: error) }
    }
}
