public import Foundation
import SyncPlanning

/// The ``SyncStore`` over any ``SQLDatabase``: every query is written here once, in the SQL
/// SQLite and PostgreSQL share, so both drivers behave the same by construction.
public struct SQLStore: SyncStore {
    let database: any SQLDatabase
    private let writes: WriteCounter

    /// A store over a driver whose schema is migrated.
    public init(database: any SQLDatabase) {
        let writes = WriteCounter()
        self.database = CountingDatabase(base: database, writes: writes)
        self.writes = writes
    }

    public var writeGeneration: UInt64 { writes.value }

    // MARK: Accounts

    public func saveAccount(_ account: AccountRecord) async throws(StoreError) {
        try await run("saveAccount", upsert("accounts", key: ["id"], account.row))
    }

    public func accounts() async throws(StoreError) -> [AccountRecord] {
        try await select("accounts", SQLStatement("SELECT * FROM accounts ORDER BY name")).map { row throws(StoreError) in
            try AccountRecord(row: row)
        }
    }

    public func account(id: String) async throws(StoreError) -> AccountRecord? {
        try await select("account", SQLStatement("SELECT * FROM accounts WHERE id = ?", [.text(id)])).first.map { row throws(StoreError) in
            try AccountRecord(row: row)
        }
    }

    public func deleteAccount(id: String) async throws(StoreError) {
        try await run("deleteAccount", SQLStatement("DELETE FROM accounts WHERE id = ?", [.text(id)]))
    }

    // MARK: Collections

    public func saveCollection(_ collection: CollectionRecord) async throws(StoreError) {
        try await run("saveCollection", upsert("collections", key: ["id"], collection.row))
    }

    public func collections(accountID: String?) async throws(StoreError) -> [CollectionRecord] {
        let statement = accountID.map { SQLStatement("SELECT * FROM collections WHERE account_id = ? ORDER BY href", [.text($0)]) }
            ?? SQLStatement("SELECT * FROM collections ORDER BY account_id, href")
        return try await select("collections", statement).map { row throws(StoreError) in try CollectionRecord(row: row) }
    }

    public func collection(id: String) async throws(StoreError) -> CollectionRecord? {
        try await select("collection", SQLStatement("SELECT * FROM collections WHERE id = ?", [.text(id)])).first.map { row throws(StoreError) in
            try CollectionRecord(row: row)
        }
    }

    public func collections(ids: [String]) async throws(StoreError) -> [CollectionRecord] {
        guard !ids.isEmpty else { return [] }
        return try await select("collectionsByID", Self.collectionsStatement(ids: ids)).map { row throws(StoreError) in try CollectionRecord(row: row) }
    }

    /// The collections with these ids (not empty), by account and href.
    static func collectionsStatement(ids: [String]) -> SQLStatement {
        let ids = Array(Set(ids))
        return SQLStatement("SELECT * FROM collections WHERE id IN (\(placeholders(ids.count))) ORDER BY account_id, href", ids.map(SQLValue.text))
    }

    public func deleteCollection(id: String) async throws(StoreError) {
        try await run("deleteCollection", SQLStatement("DELETE FROM collections WHERE id = ?", [.text(id)]))
    }

    // MARK: Items

    public func items(in collectionID: String) async throws(StoreError) -> [ItemRecord] {
        try await items("items", "collection_id = ? ORDER BY local_id", [.text(collectionID)])
    }

    public func item(in collectionID: String, localID: String) async throws(StoreError) -> ItemRecord? {
        try await items("item", "collection_id = ? AND local_id = ?", [.text(collectionID), .text(localID)]).first
    }

    public func items(in collectionID: String, uid: String) async throws(StoreError) -> [ItemRecord] {
        try await items("itemsByUID", "collection_id = ? AND uid = ? ORDER BY local_id", [.text(collectionID), .text(uid)])
    }

    public func itemVersions(in collectionIDs: [String], overlappingFrom from: Int64, to: Int64) async throws(StoreError) -> [ItemVersion] {
        guard !collectionIDs.isEmpty else { return [] }
        return try await select("itemVersions", Self.itemVersionsStatement(in: collectionIDs, from: from, to: to)).map(Self.itemVersion)
    }

    /// The items of `collectionIDs` (not empty) that may be busy in `[from, to)`, by start.
    static func itemVersionsStatement(in collectionIDs: [String], from: Int64, to: Int64) -> SQLStatement {
        SQLStatement(
            "SELECT collection_id, local_id, revision FROM items WHERE collection_id IN (\(placeholders(collectionIDs.count))) "
                + "AND start_utc < ? AND (end_utc > ? OR (end_utc IS NULL AND (recurring OR start_utc >= ?))) "
                + "ORDER BY start_utc, collection_id, local_id",
            collectionIDs.map(SQLValue.text) + [.integer(to), .integer(from), .integer(from)])
    }

    static func itemVersion(_ row: SQLRow) throws(StoreError) -> ItemVersion {
        ItemVersion(collectionID: try row.text("collection_id"), localID: try row.text("local_id"), revision: try row.integer("revision"))
    }

    public func items(in collectionID: String, localIDs: [String]) async throws(StoreError) -> [ItemRecord] {
        var found: [ItemRecord] = []
        // In chunks: both databases bound the number of parameters of one statement.
        for start in stride(from: 0, to: localIDs.count, by: 500) {
            let chunk = localIDs[start..<min(start + 500, localIDs.count)]
            found += try await items("itemsByLocalID", "collection_id = ? AND local_id IN (\(Self.placeholders(chunk.count))) ORDER BY local_id",
                                     [.text(collectionID)] + chunk.map(SQLValue.text))
        }
        return found
    }

    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }

    public func items(in collectionID: String, changedSince revision: Int64) async throws(StoreError) -> [ItemRecord] {
        try await items("itemsChangedSince", "collection_id = ? AND revision > ? ORDER BY revision",
                        [.text(collectionID), .integer(revision)])
    }

    @discardableResult
    public func saveItem(_ item: ItemRecord) async throws(StoreError) -> Int64 {
        try await saveItems([item]).first ?? 0
    }

    @discardableResult
    public func saveItems(_ items: [ItemRecord]) async throws(StoreError) -> [Int64] {
        guard !items.isEmpty else { return [] }
        let statements = items.flatMap { [Self.nextRevision, Self.itemUpsert($0)] }
        let results = try await database.run(statements, operation: "saveItems")
        return try stride(from: 1, to: results.count, by: 2).map { index throws(StoreError) in
            try results[index].first?.integer("revision") ?? 0
        }
    }

    private static func itemUpsert(_ item: ItemRecord) -> SQLStatement {
        let (insert, columns, values) = itemInsert(item)
        let updates = columns.filter { !["collection_id", "local_id"].contains($0) }.map { "\($0) = excluded.\($0)" }
        return SQLStatement(insert + " ON CONFLICT (collection_id, local_id) DO UPDATE SET \(updates.joined(separator: ", ")) RETURNING revision", values)
    }

    /// `INSERT INTO items (…) VALUES (…)` for an item, its revision the counter's next value.
    private static func itemInsert(_ item: ItemRecord) -> (sql: String, columns: [String], values: [SQLValue]) {
        var row = item.row
        row.removeAll { $0.column == "revision" }
        let columns = row.map(\.column) + ["revision"]
        let placeholders = Array(repeating: "?", count: row.count) + ["(SELECT value FROM revision_counter)"]
        return ("INSERT INTO items (\(columns.joined(separator: ", "))) VALUES (\(placeholders.joined(separator: ", ")))", columns, row.map(\.value))
    }

    public func replaceItems(_ items: [ItemRecord]) async throws(StoreError) -> [Int64?] {
        guard !items.isEmpty else { return [] }
        let statements = items.flatMap { [Self.nextRevision, Self.itemReplacement($0)] }
        let results = try await database.run(statements, operation: "replaceItems")
        return try stride(from: 1, to: results.count, by: 2).map { index throws(StoreError) in
            try results[index].first?.integer("revision")
        }
    }

    /// The conditional write of an item read at `item.revision`: an insert that does nothing
    /// when the item exists (revision 0), else an update of that revision only.
    private static func itemReplacement(_ item: ItemRecord) -> SQLStatement {
        guard item.revision > 0 else {
            let (insert, _, values) = itemInsert(item)
            return SQLStatement(insert + " ON CONFLICT (collection_id, local_id) DO NOTHING RETURNING revision", values)
        }
        var row = item.row
        row.removeAll { $0.column == "revision" }
        let updated = row.filter { !["collection_id", "local_id"].contains($0.column) }
        let assignments = updated.map { "\($0.column) = ?" } + ["revision = (SELECT value FROM revision_counter)"]
        return SQLStatement(
            "UPDATE items SET \(assignments.joined(separator: ", ")) WHERE collection_id = ? AND local_id = ? AND revision = ? RETURNING revision",
            updated.map(\.value) + [.text(item.collectionID), .text(item.localID), .integer(item.revision)])
    }

    public func deleteItem(in collectionID: String, localID: String, ifRevision revision: Int64, at date: Date) async throws(StoreError) -> Bool {
        let key: [SQLValue] = [.text(collectionID), .text(localID), .integer(revision)]
        let results = try await database.run([
            Self.nextRevision,
            SQLStatement(
                "INSERT INTO tombstones (collection_id, local_id, href, uid, deleted_at, revision) "
                    + "SELECT collection_id, local_id, href, uid, ?, (SELECT value FROM revision_counter) FROM items "
                    + "WHERE collection_id = ? AND local_id = ? AND revision = ? RETURNING revision",
                [.integer(date.storeMilliseconds)] + key),
            SQLStatement("DELETE FROM items WHERE collection_id = ? AND local_id = ? AND revision = ?", key),
        ], operation: "deleteItem")
        return !results[1].isEmpty
    }

    public func deleteItem(in collectionID: String, localID: String, at date: Date) async throws(StoreError) -> Int64? {
        let key: [SQLValue] = [.text(collectionID), .text(localID)]
        let results = try await database.run([
            Self.nextRevision,
            SQLStatement(
                "INSERT INTO tombstones (collection_id, local_id, href, uid, deleted_at, revision) "
                    + "SELECT collection_id, local_id, href, uid, ?, (SELECT value FROM revision_counter) FROM items "
                    + "WHERE collection_id = ? AND local_id = ? RETURNING revision",
                [.integer(date.storeMilliseconds)] + key),
            SQLStatement("DELETE FROM items WHERE collection_id = ? AND local_id = ?", key),
        ], operation: "deleteItem")
        return try results[1].first?.integer("revision")
    }

    public func tombstones(in collectionID: String, since revision: Int64) async throws(StoreError) -> [Tombstone] {
        let statement = SQLStatement("SELECT * FROM tombstones WHERE collection_id = ? AND revision > ? ORDER BY revision",
                                     [.text(collectionID), .integer(revision)])
        return try await select("tombstones", statement).map { row throws(StoreError) in try Tombstone(row: row) }
    }

    // MARK: Sync log

    public func saveRun(_ run: SyncRunRecord) async throws(StoreError) {
        try await self.run("saveRun", upsert("sync_runs", key: ["id"], try run.row))
    }

    public func runs(collectionID: String?, limit: Int) async throws(StoreError) -> [SyncRunRecord] {
        let statement = collectionID.map {
            SQLStatement("SELECT * FROM sync_runs WHERE collection_id = ? ORDER BY started_at DESC, id LIMIT ?", [.text($0), .integer(Int64(limit))])
        } ?? SQLStatement("SELECT * FROM sync_runs ORDER BY started_at DESC, id LIMIT ?", [.integer(Int64(limit))])
        return try await select("runs", statement).map { row throws(StoreError) in try SyncRunRecord(row: row) }
    }

    // MARK: Leases

    public func acquireLease(collectionID: String, owner: String, now: Date, expiry: Date) async throws(StoreError) -> Bool {
        // One atomic upsert: it takes a free or expired lease, renews one's own, and leaves
        // another owner's live lease alone (then no row comes back).
        let statement = SQLStatement(
            "INSERT INTO leases (collection_id, owner, expires_at) VALUES (?, ?, ?) ON CONFLICT (collection_id) DO UPDATE "
                + "SET owner = excluded.owner, expires_at = excluded.expires_at "
                + "WHERE leases.owner = excluded.owner OR leases.expires_at <= ? RETURNING owner",
            [.text(collectionID), .text(owner), .integer(expiry.storeMilliseconds), .integer(now.storeMilliseconds)])
        return try await rows("acquireLease", statement).first?.text("owner") == owner
    }

    public func leaseHolder(collectionID: String, now: Date) async throws(StoreError) -> String? {
        let statement = SQLStatement("SELECT owner FROM leases WHERE collection_id = ? AND expires_at > ?",
                                     [.text(collectionID), .integer(now.storeMilliseconds)])
        return try await select("leaseHolder", statement).first?.text("owner")
    }

    public func releaseLease(collectionID: String, owner: String) async throws(StoreError) {
        try await run("releaseLease", SQLStatement("DELETE FROM leases WHERE collection_id = ? AND owner = ?", [.text(collectionID), .text(owner)]))
    }

    // MARK: Helpers

    static let nextRevision = SQLStatement("UPDATE revision_counter SET value = value + 1")

    func upsert(_ table: String, key: [String], _ row: [(column: String, value: SQLValue)]) -> SQLStatement {
        let columns = row.map(\.column)
        let updates = columns.filter { !key.contains($0) }.map { "\($0) = excluded.\($0)" }
        return SQLStatement(
            "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", "))) "
                + "ON CONFLICT (\(key.joined(separator: ", "))) DO UPDATE SET \(updates.joined(separator: ", "))",
            row.map(\.value))
    }

    private func run(_ operation: String, _ statement: SQLStatement) async throws(StoreError) {
        _ = try await database.run([statement], operation: operation)
    }

    private func rows(_ operation: String, _ statement: SQLStatement) async throws(StoreError) -> [SQLRow] {
        try await database.run([statement], operation: operation).first ?? []
    }

    private func select(_ operation: String, _ statement: SQLStatement) async throws(StoreError) -> [SQLRow] {
        try await database.read([statement], operation: operation).first ?? []
    }

    private func items(_ operation: String, _ condition: String, _ binds: [SQLValue]) async throws(StoreError) -> [ItemRecord] {
        try await select(operation, SQLStatement("SELECT * FROM items WHERE " + condition, binds)).map { row throws(StoreError) in
            try ItemRecord(row: row)
        }
    }
}

// MARK: Rows ⇄ records

extension Date {
    var storeMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
    init(storeMilliseconds: Int64) { self.init(timeIntervalSince1970: Double(storeMilliseconds) / 1000) }
}

extension Optional {
    func sql(_ wrap: (Wrapped) -> SQLValue) -> SQLValue { map(wrap) ?? .null }
}

extension AccountRecord {
    var row: [(column: String, value: SQLValue)] {
        [("id", .text(id)), ("name", .text(name)), ("server_url", .text(serverURL)), ("username", .text(username)),
         ("sealed_password", sealedPassword.sql(SQLValue.bytes)), ("created_at", .integer(createdAt.storeMilliseconds)),
         ("tenant_id", tenantID.sql(SQLValue.text)), ("files_url", filesURL.sql(SQLValue.text)), ("kind", .text(kind.rawValue)),
         ("sealed_hook_secret", sealedHookSecret.sql(SQLValue.bytes))]
    }

    init(row: SQLRow) throws(StoreError) {
        self.init(id: try row.text("id"), name: try row.text("name"), serverURL: try row.text("server_url"),
                  username: try row.text("username"), sealedPassword: try row.optionalBytes("sealed_password"),
                  createdAt: Date(storeMilliseconds: try row.integer("created_at")), tenantID: try row.optionalText("tenant_id"),
                  filesURL: try row.optionalText("files_url"),
                  kind: try row.optionalText("kind").flatMap(AccountKind.init(rawValue:)) ?? .dav)
        sealedHookSecret = try row.optionalBytes("sealed_hook_secret")
    }
}

extension CollectionRecord {
    var row: [(column: String, value: SQLValue)] {
        [("id", .text(id)), ("account_id", .text(accountID)), ("href", .text(href)), ("kind", .text(kind.rawValue)),
         ("display_name", displayName.sql(SQLValue.text)), ("color", color.sql(SQLValue.text)),
         ("sync_token", syncToken.sql(SQLValue.text)), ("ctag", ctag.sql(SQLValue.text)),
         ("conflict_policy", .text(conflictPolicy.rawValue)), ("max_delete_share", .real(maxDeleteShare)),
         ("enabled", .bool(enabled)), ("sync_interval", .integer(Int64(syncInterval))),
         ("last_synced_at", lastSyncedAt.sql { .integer($0.storeMilliseconds) }), ("local_side", localSide.sql(SQLValue.text))]
    }

    init(row: SQLRow) throws(StoreError) {
        let kindName = try row.text("kind")
        let policyName = try row.text("conflict_policy")
        guard let kind = CollectionKind(rawValue: kindName), let policy = ConflictPolicy(rawValue: policyName) else {
            throw StoreError(.corrupt, operation: "read", detail: "collection kind \(kindName) or policy \(policyName) unknown")
        }
        self.init(id: try row.text("id"), accountID: try row.text("account_id"), href: try row.text("href"), kind: kind,
                  displayName: try row.optionalText("display_name"), color: try row.optionalText("color"),
                  syncToken: try row.optionalText("sync_token"), ctag: try row.optionalText("ctag"),
                  conflictPolicy: policy, maxDeleteShare: try row.real("max_delete_share"), enabled: try row.bool("enabled"),
                  syncInterval: Int(try row.integer("sync_interval")),
                  lastSyncedAt: try row.optionalInteger("last_synced_at").map(Date.init(storeMilliseconds:)),
                  localSide: try row.optionalText("local_side"))
    }
}

extension ItemRecord {
    var row: [(column: String, value: SQLValue)] {
        [("collection_id", .text(collectionID)), ("local_id", .text(localID)), ("href", href.sql(SQLValue.text)),
         ("uid", uid.sql(SQLValue.text)), ("etag", etag.sql(SQLValue.text)), ("synced_data", syncedData.sql(SQLValue.text)),
         ("content_hash", contentHash.sql(SQLValue.text)), ("pending_data", pendingData.sql(SQLValue.text)),
         ("pending_deletion", .bool(pendingDeletion)), ("conflict_data", conflictData.sql(SQLValue.text)),
         ("conflict_etag", conflictETag.sql(SQLValue.text)), ("local_version", localVersion.sql(SQLValue.text)), ("summary", fields.summary.sql(SQLValue.text)),
         ("start_utc", fields.startUTC.sql(SQLValue.integer)), ("end_utc", fields.endUTC.sql(SQLValue.integer)),
         ("all_day", .bool(fields.allDay)), ("status", fields.status.sql(SQLValue.text)),
         ("transparency", fields.transparency.sql(SQLValue.text)), ("recurring", .bool(fields.recurring)),
         ("last_modified", fields.lastModified.sql(SQLValue.integer)), ("revision", .integer(revision))]
    }

    init(row: SQLRow) throws(StoreError) {
        let fields = ItemFields(
            summary: try row.optionalText("summary"), startUTC: try row.optionalInteger("start_utc"),
            endUTC: try row.optionalInteger("end_utc"), allDay: try row.bool("all_day"), status: try row.optionalText("status"),
            transparency: try row.optionalText("transparency"), recurring: try row.bool("recurring"),
            lastModified: try row.optionalInteger("last_modified"))
        self.init(collectionID: try row.text("collection_id"), localID: try row.text("local_id"), href: try row.optionalText("href"),
                  uid: try row.optionalText("uid"), etag: try row.optionalText("etag"), syncedData: try row.optionalText("synced_data"),
                  contentHash: try row.optionalText("content_hash"), pendingData: try row.optionalText("pending_data"),
                  pendingDeletion: try row.bool("pending_deletion"), conflictData: try row.optionalText("conflict_data"),
                  conflictETag: try row.optionalText("conflict_etag"), localVersion: try row.optionalText("local_version"), fields: fields, revision: try row.integer("revision"))
    }
}

extension Tombstone {
    init(row: SQLRow) throws(StoreError) {
        self.init(collectionID: try row.text("collection_id"), localID: try row.text("local_id"), href: try row.optionalText("href"),
                  uid: try row.optionalText("uid"), deletedAt: Date(storeMilliseconds: try row.integer("deleted_at")),
                  revision: try row.integer("revision"))
    }
}

extension SyncRunRecord {
    var row: [(column: String, value: SQLValue)] {
        get throws(StoreError) {
            let errors: String
            do {
                errors = String(decoding: try JSONEncoder().encode(itemErrors), as: UTF8.self)
            } catch {
                throw StoreError(.database, operation: "saveRun", detail: "item errors not encodable: \(error)")
            }
            return [
                ("id", .text(id)), ("collection_id", .text(collectionID)), ("started_at", .integer(startedAt.storeMilliseconds)),
                ("finished_at", finishedAt.sql { .integer($0.storeMilliseconds) }),
                ("downloaded", .integer(Int64(counts.downloaded))), ("uploaded", .integer(Int64(counts.uploaded))),
                ("deleted_locally", .integer(Int64(counts.deletedLocally))), ("deleted_remotely", .integer(Int64(counts.deletedRemotely))),
                ("merged", .integer(Int64(counts.merged))), ("conflicts", .integer(Int64(counts.conflicts))),
                ("errors", .integer(Int64(counts.errors))), ("requests", .integer(Int64(counts.requests))),
                ("method", method.sql(SQLValue.text)), ("failure", failure.sql(SQLValue.text)), ("item_errors", .text(errors)),
            ]
        }
    }

    init(row: SQLRow) throws(StoreError) {
        var counts = Counts()
        counts.downloaded = Int(try row.integer("downloaded"))
        counts.uploaded = Int(try row.integer("uploaded"))
        counts.deletedLocally = Int(try row.integer("deleted_locally"))
        counts.deletedRemotely = Int(try row.integer("deleted_remotely"))
        counts.merged = Int(try row.integer("merged"))
        counts.conflicts = Int(try row.integer("conflicts"))
        counts.errors = Int(try row.integer("errors"))
        counts.requests = Int(try row.integer("requests"))
        let errors: [ItemError]
        do {
            errors = try JSONDecoder().decode([ItemError].self, from: Data(try row.text("item_errors").utf8))
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.corrupt, operation: "read", detail: "sync run item errors: \(error)")
        }
        self.init(id: try row.text("id"), collectionID: try row.text("collection_id"),
                  startedAt: Date(storeMilliseconds: try row.integer("started_at")),
                  finishedAt: try row.optionalInteger("finished_at").map(Date.init(storeMilliseconds:)), counts: counts,
                  method: try row.optionalText("method"), failure: try row.optionalText("failure"), itemErrors: errors)
    }
}
