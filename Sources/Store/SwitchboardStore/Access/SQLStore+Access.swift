public import Foundation

extension SQLStore: AccessStore {
    public func saveTenant(_ tenant: TenantRecord) async throws(StoreError) {
        _ = try await database.run([upsert("tenants", key: ["id"], tenant.row)], operation: "saveTenant")
    }

    public func tenants() async throws(StoreError) -> [TenantRecord] {
        try await database.read([SQLStatement("SELECT * FROM tenants ORDER BY name")], operation: "tenants")[0].map {
            row throws(StoreError) in try TenantRecord(row: row)
        }
    }

    public func saveKey(_ key: APIKeyRecord) async throws(StoreError) {
        _ = try await database.run([upsert("api_keys", key: ["id"], key.row)], operation: "saveKey")
    }

    public func keys(tenantID: String?) async throws(StoreError) -> [APIKeyRecord] {
        let statement = tenantID.map { SQLStatement("SELECT * FROM api_keys WHERE tenant_id = ? ORDER BY created_at, id", [.text($0)]) }
            ?? SQLStatement("SELECT * FROM api_keys ORDER BY created_at, id")
        return try await database.read([statement], operation: "keys")[0].map { row throws(StoreError) in try APIKeyRecord(row: row) }
    }

    public func key(hash: String) async throws(StoreError) -> APIKeyRecord? {
        try await database.read([SQLStatement("SELECT * FROM api_keys WHERE key_hash = ?", [.text(hash)])], operation: "key")[0].first
            .map { row throws(StoreError) in try APIKeyRecord(row: row) }
    }

    public func revokeKey(id: String, at date: Date) async throws(StoreError) -> Bool {
        let statement = SQLStatement("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL RETURNING id",
                                     [.integer(date.storeMilliseconds), .text(id)])
        return try await !database.run([statement], operation: "revokeKey")[0].isEmpty
    }

    public func saveFeed(_ feed: FeedRecord) async throws(StoreError) {
        _ = try await database.run([upsert("feeds", key: ["id"], feed.row)], operation: "saveFeed")
    }

    public func feeds(tenantID: String) async throws(StoreError) -> [FeedRecord] {
        let statement = SQLStatement("SELECT * FROM feeds WHERE tenant_id = ? ORDER BY created_at, id", [.text(tenantID)])
        return try await database.read([statement], operation: "feeds")[0].map { row throws(StoreError) in try FeedRecord(row: row) }
    }

    public func feed(hash: String) async throws(StoreError) -> FeedRecord? {
        try await database.read([SQLStatement("SELECT * FROM feeds WHERE token_hash = ?", [.text(hash)])], operation: "feed")[0].first
            .map { row throws(StoreError) in try FeedRecord(row: row) }
    }

    public func deleteFeed(id: String) async throws(StoreError) -> Bool {
        try await !database.run([SQLStatement("DELETE FROM feeds WHERE id = ? RETURNING id", [.text(id)])], operation: "deleteFeed")[0].isEmpty
    }
}

extension SQLStore {
    public func saveIdentityProvider(_ provider: IdentityProviderRecord) async throws(StoreError) {
        _ = try await database.run([upsert("identity_providers", key: ["tenant_id"], provider.row)], operation: "saveIdentityProvider")
    }

    public func identityProviders() async throws(StoreError) -> [IdentityProviderRecord] {
        try await database.read([SQLStatement("SELECT * FROM identity_providers ORDER BY tenant_id")], operation: "identityProviders")[0].map {
            row throws(StoreError) in try IdentityProviderRecord(row: row)
        }
    }

    public func deleteIdentityProvider(tenantID: String) async throws(StoreError) -> Bool {
        let statement = SQLStatement("DELETE FROM identity_providers WHERE tenant_id = ? RETURNING tenant_id", [.text(tenantID)])
        return try await !database.run([statement], operation: "deleteIdentityProvider")[0].isEmpty
    }
}

extension IdentityProviderRecord {
    var row: [(column: String, value: SQLValue)] {
        [("tenant_id", .text(tenantID)), ("issuer", .text(issuer)), ("audience", .text(audience)), ("jwks_url", .text(jwksURL)),
         ("created_at", .integer(createdAt.storeMilliseconds))]
    }

    init(row: SQLRow) throws(StoreError) {
        self.init(tenantID: try row.text("tenant_id"), issuer: try row.text("issuer"), audience: try row.text("audience"),
                  jwksURL: try row.text("jwks_url"), createdAt: Date(storeMilliseconds: try row.integer("created_at")))
    }
}

extension FeedRecord {
    var row: [(column: String, value: SQLValue)] {
        [("id", .text(id)), ("tenant_id", .text(tenantID)), ("name", .text(name)), ("token_hash", .text(tokenHash)),
         ("calendar_id", calendarID.map(SQLValue.text) ?? .null), ("resource_id", resourceID.map(SQLValue.text) ?? .null),
         ("busy_only", .bool(busyOnly)), ("created_at", .integer(createdAt.storeMilliseconds))]
    }

    init(row: SQLRow) throws(StoreError) {
        self.init(id: try row.text("id"), tenantID: try row.text("tenant_id"), name: try row.text("name"), tokenHash: try row.text("token_hash"),
                  calendarID: try row.optionalText("calendar_id"), resourceID: try row.optionalText("resource_id"),
                  busyOnly: try row.bool("busy_only"), createdAt: Date(storeMilliseconds: try row.integer("created_at")))
    }
}

extension TenantRecord {
    var row: [(column: String, value: SQLValue)] {
        [("id", .text(id)), ("name", .text(name)), ("created_at", .integer(createdAt.storeMilliseconds))]
    }

    init(row: SQLRow) throws(StoreError) {
        self.init(id: try row.text("id"), name: try row.text("name"), createdAt: Date(storeMilliseconds: try row.integer("created_at")))
    }
}

extension APIKeyRecord {
    var row: [(column: String, value: SQLValue)] {
        [("id", .text(id)), ("tenant_id", .text(tenantID)), ("name", .text(name)), ("key_hash", .text(keyHash)),
         ("scope", .text(scope.rawValue)), ("created_at", .integer(createdAt.storeMilliseconds)),
         ("revoked_at", revokedAt.map { .integer($0.storeMilliseconds) } ?? .null)]
    }

    init(row: SQLRow) throws(StoreError) {
        let scopeText = try row.text("scope")
        guard let scope = APIScope(rawValue: scopeText) else {
            throw StoreError(.database, operation: "key", detail: "unknown scope \(scopeText)")
        }
        self.init(id: try row.text("id"), tenantID: try row.text("tenant_id"), name: try row.text("name"), keyHash: try row.text("key_hash"),
                  scope: scope, createdAt: Date(storeMilliseconds: try row.integer("created_at")),
                  revokedAt: try row.optionalInteger("revoked_at").map(Date.init(storeMilliseconds:)))
    }
}
