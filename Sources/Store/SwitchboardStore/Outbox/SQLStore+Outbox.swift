public import Foundation

extension SQLStore: OutboxStore {
    public func recordEvent(_ event: DomainEventRecord) async throws(StoreError) {
        _ = try await database.run([Self.record(event)], operation: "recordEvent")
    }

    public func claimEvents(now: Date, until: Date, limit: Int) async throws(StoreError) -> [DomainEventRecord] {
        // The claim is checked again on the row itself: a relay that waited for another's
        // claim to commit then finds it taken (PostgreSQL re-reads the row it waited for).
        let statement = SQLStatement(
            "UPDATE outbox SET claimed_until = ? WHERE claimed_until <= ? AND id IN "
                + "(SELECT id FROM outbox WHERE claimed_until <= ? ORDER BY occurred_at, id LIMIT ?) RETURNING *",
            [.integer(until.storeMilliseconds), .integer(now.storeMilliseconds), .integer(now.storeMilliseconds), .integer(Int64(limit))])
        let rows = try await database.run([statement], operation: "claimEvents")[0]
        return try rows.map { row throws(StoreError) in
            DomainEventRecord(id: try row.text("id"), tenantID: try row.optionalText("tenant_id"), type: try row.text("type"),
                              payload: try row.text("payload"), occurredAt: Date(storeMilliseconds: try row.integer("occurred_at")))
        }.sorted { ($0.occurredAt, $0.id) < ($1.occurredAt, $1.id) }
    }

    public func deleteEvents(ids: [String]) async throws(StoreError) {
        guard !ids.isEmpty else { return }
        _ = try await database.run(ids.map { SQLStatement("DELETE FROM outbox WHERE id = ?", [.text($0)]) }, operation: "deleteEvents")
    }

    /// Records `event`; with `condition` (SQL and its binds), only when it holds — inside the
    /// transaction of a change, "the change took place".
    static func record(_ event: DomainEventRecord, if condition: (sql: String, binds: [SQLValue])? = nil) -> SQLStatement {
        let values: [SQLValue] = [.text(event.id), event.tenantID.map(SQLValue.text) ?? .null, .text(event.type), .text(event.payload),
                                  .integer(event.occurredAt.storeMilliseconds)]
        let columns = "INSERT INTO outbox (id, tenant_id, type, payload, occurred_at) "
        guard let condition else { return SQLStatement(columns + "VALUES (?, ?, ?, ?, ?)", values) }
        return SQLStatement(columns + "SELECT ?, ?, ?, ?, ? WHERE " + condition.sql, values + condition.binds)
    }
}
