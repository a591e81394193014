public import Foundation

/// What the sync engine, the scheduler and the other engines keep: accounts, collections,
/// items with their synced copies, tombstones, the sync log and run leases.
///
/// Two drivers implement it and pass one shared suite: `SQLiteStore` (embedded, one file)
/// and `PostgresStore` (shared by several processes). Every method is one transaction.
public protocol SyncStore: Sendable {
    // MARK: Accounts

    /// Adds an account, or replaces the one with the same id. Names are unique.
    func saveAccount(_ account: AccountRecord) async throws(StoreError)
    /// Every account, by name.
    func accounts() async throws(StoreError) -> [AccountRecord]
    /// The account with this id, if there is one.
    func account(id: String) async throws(StoreError) -> AccountRecord?
    /// Removes an account with its collections, items, tombstones and log.
    func deleteAccount(id: String) async throws(StoreError)

    // MARK: Collections

    /// Adds a collection, or replaces the one with the same id. (account, href) is unique.
    func saveCollection(_ collection: CollectionRecord) async throws(StoreError)
    /// The collections of one account, or of all accounts, by href.
    func collections(accountID: String?) async throws(StoreError) -> [CollectionRecord]
    /// The collection with this id, if there is one.
    func collection(id: String) async throws(StoreError) -> CollectionRecord?
    /// The collections with these ids that are there, by account and href.
    func collections(ids: [String]) async throws(StoreError) -> [CollectionRecord]
    /// Removes a collection with its items, tombstones and log.
    func deleteCollection(id: String) async throws(StoreError)

    // MARK: Items

    /// Every item of a collection, by local id.
    func items(in collectionID: String) async throws(StoreError) -> [ItemRecord]
    /// One item by local id.
    func item(in collectionID: String, localID: String) async throws(StoreError) -> ItemRecord?
    /// The items with a UID (more than one is a duplicate the sync log reports).
    func items(in collectionID: String, uid: String) async throws(StoreError) -> [ItemRecord]
    /// The items of these collections whose time may overlap `[from, to)` — one-off items
    /// that do, and recurring items that start before `to` and whose series (bounded by its
    /// last instance, or unbounded) reaches past `from`; expand them to know which instances
    /// do — named with their revisions, read from the index alone. Read the items whose
    /// revision you have not seen with ``items(in:localIDs:)``.
    func itemVersions(in collectionIDs: [String], overlappingFrom from: Int64, to: Int64) async throws(StoreError) -> [ItemVersion]
    /// The items with these local ids (those that exist).
    func items(in collectionID: String, localIDs: [String]) async throws(StoreError) -> [ItemRecord]
    /// The items written after `revision`, oldest first.
    func items(in collectionID: String, changedSince revision: Int64) async throws(StoreError) -> [ItemRecord]
    /// Writes an item (insert or replace by local id) and returns the revision given to it.
    @discardableResult
    func saveItem(_ item: ItemRecord) async throws(StoreError) -> Int64
    /// Writes several items in one transaction (all or none) and returns their revisions.
    @discardableResult
    func saveItems(_ items: [ItemRecord]) async throws(StoreError) -> [Int64]
    /// Writes items the caller read, each only while the store still holds the revision it
    /// read (`item.revision`; 0 for an item the caller holds to be new): compare-and-swap, so
    /// no writer loses another's edit. Returns each item's new revision, or `nil` for one that
    /// another writer changed, created or deleted since (nothing of it is written). One
    /// transaction.
    func replaceItems(_ items: [ItemRecord]) async throws(StoreError) -> [Int64?]
    /// Deletes an item, leaving a tombstone, only while the store still holds `revision`;
    /// `false` when another writer changed it since (or it is gone).
    func deleteItem(in collectionID: String, localID: String, ifRevision revision: Int64, at date: Date) async throws(StoreError) -> Bool
    /// Deletes an item, leaving a tombstone; returns the tombstone's revision, or `nil`
    /// when there was no such item.
    @discardableResult
    func deleteItem(in collectionID: String, localID: String, at date: Date) async throws(StoreError) -> Int64?
    /// The deletions after `revision`, oldest first.
    func tombstones(in collectionID: String, since revision: Int64) async throws(StoreError) -> [Tombstone]

    // MARK: Sync log

    /// Adds or replaces a run of the sync log.
    func saveRun(_ run: SyncRunRecord) async throws(StoreError)
    /// The latest runs, newest first, of one collection or all.
    func runs(collectionID: String?, limit: Int) async throws(StoreError) -> [SyncRunRecord]

    // MARK: Leases

    /// Takes the lease on a collection for `owner` until `expiry`, when no other owner
    /// holds an unexpired one. Renewing one's own lease succeeds.
    func acquireLease(collectionID: String, owner: String, now: Date, expiry: Date) async throws(StoreError) -> Bool
    /// Who holds an unexpired lease on a collection, if anyone.
    func leaseHolder(collectionID: String, now: Date) async throws(StoreError) -> String?
    /// Gives a lease back (no-op when `owner` does not hold it).
    func releaseLease(collectionID: String, owner: String) async throws(StoreError)

    // MARK: Changes

    /// How many writes were made through this store in this process: an answer derived from
    /// the store stays right while it is unchanged. Other processes' writes (a shared
    /// PostgreSQL, the CLI on the same file) are not counted; bound such reuse by time too.
    var writeGeneration: UInt64 { get }
}

/// A store operation that failed.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// The database could not be opened or reached.
        case unavailable
        /// A uniqueness or reference rule was broken (a second account with one name…).
        case constraint
        /// The schema is newer than this program or a migration failed.
        case migration
        /// A stored value could not be read back.
        case corrupt
        /// Any other database error.
        case database
    }

    public var code: Code
    /// The operation, e.g. `saveItem`.
    public var operation: String
    /// The driver's message.
    public var detail: String

    public init(_ code: Code, operation: String, detail: String) {
        self.code = code
        self.operation = operation
        self.detail = detail
    }

    public var description: String { "store \(operation): \(code.rawValue): \(detail)" }
}

extension SyncStore {
    /// Applies `edit` to each of these items as the store holds it now (a new record for one
    /// it does not hold) and writes them with compare-and-swap, reading and applying `edit`
    /// again for any that another writer (a sync run, another request) changed in between:
    /// an edit never overwrites one made meanwhile. Returns the items as written.
    @discardableResult
    public func updateItems(in collectionID: String, localIDs: [String], _ edit: (inout ItemRecord) -> Void) async throws(StoreError)
        -> [ItemRecord]
    {
        var remaining = localIDs
        var written: [String: ItemRecord] = [:]
        for _ in 0..<16 {
            let stored = Dictionary(try await items(in: collectionID, localIDs: remaining).map { ($0.localID, $0) }, uniquingKeysWith: { $1 })
            let edited = remaining.map { localID in
                var item = stored[localID] ?? ItemRecord(collectionID: collectionID, localID: localID)
                edit(&item)
                return item
            }
            let revisions = try await replaceItems(edited)
            for (item, revision) in zip(edited, revisions) {
                guard let revision else { continue }
                var item = item
                item.revision = revision
                written[item.localID] = item
            }
            remaining = remaining.filter { written[$0] == nil }
            if remaining.isEmpty { return localIDs.compactMap { written[$0] } }
        }
        throw StoreError(.constraint, operation: "updateItems", detail: "\(remaining.count) items kept changing while they were written")
    }
}
