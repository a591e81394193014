import Foundation

extension SQLStore: WorkspaceStore {
    public func saveWorkspace(_ workspace: WorkspaceRecord) async throws(StoreError) {
        _ = try await database.run([upsert("workspaces", key: ["id"], try workspace.row)], operation: "saveWorkspace")
    }

    public func workspace(id: String) async throws(StoreError) -> WorkspaceRecord? {
        try await database.read([SQLStatement("SELECT * FROM workspaces WHERE id = ?", [.text(id)])], operation: "workspace")[0]
            .first.map { row throws(StoreError) in try WorkspaceRecord(row: row) }
    }

    public func workspace(name: String) async throws(StoreError) -> WorkspaceRecord? {
        try await database.read([SQLStatement("SELECT * FROM workspaces WHERE name = ?", [.text(name)])], operation: "workspace")[0]
            .first.map { row throws(StoreError) in try WorkspaceRecord(row: row) }
    }

    public func workspaces() async throws(StoreError) -> [WorkspaceRecord] {
        try await database.read([SQLStatement("SELECT * FROM workspaces ORDER BY name")], operation: "workspaces")[0]
            .map { row throws(StoreError) in try WorkspaceRecord(row: row) }
    }
}

extension WorkspaceRecord {
    var row: [(column: String, value: SQLValue)] {
        get throws(StoreError) {
            [("id", .text(id)), ("name", .text(name)), ("tenant_id", tenantID.map(SQLValue.text) ?? .null), ("members", .text(try SQLStore.json(members))),
             ("nextcloud_account_id", nextcloudAccountID.map(SQLValue.text) ?? .null),
             ("openproject_account_id", openProjectAccountID.map(SQLValue.text) ?? .null),
             ("zulip_account_id", zulipAccountID.map(SQLValue.text) ?? .null), ("state", .text(state.rawValue)),
             ("steps", .text(try SQLStore.json(steps))), ("created_at", .integer(createdAt.storeMilliseconds)),
             ("updated_at", .integer(updatedAt.storeMilliseconds))]
        }
    }

    init(row: SQLRow) throws(StoreError) {
        guard let state = WorkspaceState(rawValue: try row.text("state")) else {
            throw StoreError(.corrupt, operation: "workspace", detail: "unknown workspace state")
        }
        self.init(id: try row.text("id"), name: try row.text("name"), tenantID: try row.optionalText("tenant_id"),
                  members: try SQLStore.strings(try row.text("members")), nextcloudAccountID: try row.optionalText("nextcloud_account_id"),
                  openProjectAccountID: try row.optionalText("openproject_account_id"), zulipAccountID: try row.optionalText("zulip_account_id"),
                  state: state, steps: try SQLStore.decodeJSON([WorkspaceStepRecord].self, try row.text("steps")),
                  createdAt: Date(storeMilliseconds: try row.integer("created_at")), updatedAt: Date(storeMilliseconds: try row.integer("updated_at")))
    }
}
