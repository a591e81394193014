import Foundation

extension SQLStore: PushStore {
    public func savePushSubscription(_ subscription: PushSubscriptionRecord) async throws(StoreError) {
        _ = try await database.run([upsert("push_subscriptions", key: ["id"], try subscription.row)], operation: "savePushSubscription")
    }

    public func pushSubscription(id: String) async throws(StoreError) -> PushSubscriptionRecord? {
        try await database.read([SQLStatement("SELECT * FROM push_subscriptions WHERE id = ?", [.text(id)])], operation: "pushSubscription")[0]
            .first.map { row throws(StoreError) in try PushSubscriptionRecord(row: row) }
    }

    public func pushSubscription(accountID: String) async throws(StoreError) -> PushSubscriptionRecord? {
        let statement = SQLStatement("SELECT * FROM push_subscriptions WHERE account_id = ?", [.text(accountID)])
        return try await database.read([statement], operation: "pushSubscription")[0].first.map { row throws(StoreError) in
            try PushSubscriptionRecord(row: row)
        }
    }

    public func deletePushSubscription(id: String) async throws(StoreError) -> Bool {
        let statement = SQLStatement("DELETE FROM push_subscriptions WHERE id = ? RETURNING id", [.text(id)])
        return try await !database.run([statement], operation: "deletePushSubscription")[0].isEmpty
    }
}

extension PushSubscriptionRecord {
    var row: [(column: String, value: SQLValue)] {
        get throws(StoreError) {
            [("id", .text(id)), ("account_id", .text(accountID)), ("secret_hash", .text(secretHash)),
             ("callback_url", .text(callbackURL)), ("ocs_url", .text(ocsURL)),
             ("ocs_username", ocsUsername.map(SQLValue.text) ?? .null), ("sealed_ocs_password", sealedOCSPassword.map(SQLValue.bytes) ?? .null),
             ("listener_ids", .text(try SQLStore.json(listenerIDs))), ("created_at", .integer(createdAt.storeMilliseconds))]
        }
    }

    init(row: SQLRow) throws(StoreError) {
        self.init(id: try row.text("id"), accountID: try row.text("account_id"), secretHash: try row.text("secret_hash"),
                  callbackURL: try row.text("callback_url"), ocsURL: try row.text("ocs_url"), ocsUsername: try row.optionalText("ocs_username"),
                  sealedOCSPassword: try row.optionalBytes("sealed_ocs_password"),
                  listenerIDs: try SQLStore.strings(try row.text("listener_ids")),
                  createdAt: Date(storeMilliseconds: try row.integer("created_at")))
    }
}
