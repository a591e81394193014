public import Foundation

extension SQLStore: WebhookStore {
    public func saveWebhook(_ webhook: WebhookRecord) async throws(StoreError) {
        _ = try await database.run([upsert("webhooks", key: ["id"], try webhook.row)], operation: "saveWebhook")
    }

    public func webhooks(tenantID: String?) async throws(StoreError) -> [WebhookRecord] {
        let statement = tenantID.map { SQLStatement("SELECT * FROM webhooks WHERE tenant_id = ? ORDER BY created_at, id", [.text($0)]) }
            ?? SQLStatement("SELECT * FROM webhooks ORDER BY created_at, id")
        return try await database.read([statement], operation: "webhooks")[0].map { row throws(StoreError) in try WebhookRecord(row: row) }
    }

    public func deleteWebhook(id: String) async throws(StoreError) -> Bool {
        try await !database.run([SQLStatement("DELETE FROM webhooks WHERE id = ? RETURNING id", [.text(id)])], operation: "deleteWebhook")[0].isEmpty
    }

    public func addDeliveries(_ deliveries: [DeliveryRecord]) async throws(StoreError) {
        guard !deliveries.isEmpty else { return }
        _ = try await database.run(deliveries.map { upsert("webhook_deliveries", key: ["id"], $0.row) }, operation: "addDeliveries")
    }

    public func saveDelivery(_ delivery: DeliveryRecord) async throws(StoreError) {
        _ = try await database.run([upsert("webhook_deliveries", key: ["id"], delivery.row)], operation: "saveDelivery")
    }

    public func dueDeliveries(now: Date, limit: Int) async throws(StoreError) -> [DeliveryRecord] {
        let statement = SQLStatement(
            "SELECT * FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
            [.integer(now.storeMilliseconds), .integer(Int64(limit))])
        return try await database.read([statement], operation: "dueDeliveries")[0].map { row throws(StoreError) in try DeliveryRecord(row: row) }
    }

    public func claimDelivery(id: String, now: Date, until: Date) async throws(StoreError) -> Bool {
        let statement = SQLStatement(
            "UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ? AND status = 'pending' AND next_attempt_at <= ? RETURNING id",
            [.integer(until.storeMilliseconds), .text(id), .integer(now.storeMilliseconds)])
        return try await !database.run([statement], operation: "claimDelivery")[0].isEmpty
    }

    public func deliveries(webhookID: String, status: DeliveryStatus?, limit: Int) async throws(StoreError) -> [DeliveryRecord] {
        var sql = "SELECT * FROM webhook_deliveries WHERE webhook_id = ?"
        var binds: [SQLValue] = [.text(webhookID)]
        if let status {
            sql += " AND status = ?"
            binds.append(.text(status.rawValue))
        }
        let statement = SQLStatement(sql + " ORDER BY created_at DESC, id LIMIT ?", binds + [.integer(Int64(limit))])
        return try await database.read([statement], operation: "deliveries")[0].map { row throws(StoreError) in try DeliveryRecord(row: row) }
    }
}

extension WebhookRecord {
    var row: [(column: String, value: SQLValue)] {
        get throws(StoreError) {
            [("id", .text(id)), ("tenant_id", .text(tenantID)), ("url", .text(url)), ("sealed_secret", .bytes(sealedSecret)),
             ("events", .text(try SQLStore.json(events))), ("created_at", .integer(createdAt.storeMilliseconds))]
        }
    }

    init(row: SQLRow) throws(StoreError) {
        self.init(id: try row.text("id"), tenantID: try row.text("tenant_id"), url: try row.text("url"),
                  sealedSecret: try row.optionalBytes("sealed_secret") ?? [],
                  events: try SQLStore.strings(try row.text("events")),
                  createdAt: Date(storeMilliseconds: try row.integer("created_at")))
    }
}

extension DeliveryRecord {
    var row: [(column: String, value: SQLValue)] {
        [("id", .text(id)), ("webhook_id", .text(webhookID)), ("event_type", .text(eventType)), ("payload", .text(payload)),
         ("status", .text(status.rawValue)), ("attempts", .integer(Int64(attempts))), ("next_attempt_at", .integer(nextAttemptAt.storeMilliseconds)),
         ("last_status", lastStatus.map { .integer(Int64($0)) } ?? .null), ("last_error", lastError.map(SQLValue.text) ?? .null),
         ("created_at", .integer(createdAt.storeMilliseconds)), ("delivered_at", deliveredAt.map { .integer($0.storeMilliseconds) } ?? .null)]
    }

    init(row: SQLRow) throws(StoreError) {
        let statusText = try row.text("status")
        guard let status = DeliveryStatus(rawValue: statusText) else {
            throw StoreError(.corrupt, operation: "deliveries", detail: "unknown delivery status \(statusText)")
        }
        self.init(id: try row.text("id"), webhookID: try row.text("webhook_id"), eventType: try row.text("event_type"),
                  payload: try row.text("payload"), status: status, attempts: Int(try row.integer("attempts")),
                  nextAttemptAt: Date(storeMilliseconds: try row.integer("next_attempt_at")),
                  lastStatus: try row.optionalInteger("last_status").map { Int($0) }, lastError: try row.optionalText("last_error"),
                  createdAt: Date(storeMilliseconds: try row.integer("created_at")),
                  deliveredAt: try row.optionalInteger("delivered_at").map(Date.init(storeMilliseconds:)))
    }
}
