import Foundation

extension SQLStore: MailAccountStore {
    public func saveMailAccount(_ account: MailAccountRecord) async throws(StoreError) {
        _ = try await database.run([upsert("mail_accounts", key: ["id"], account.row)], operation: "saveMailAccount")
    }

    public func mailAccounts() async throws(StoreError) -> [MailAccountRecord] {
        try await database.read([SQLStatement("SELECT * FROM mail_accounts ORDER BY name", [])], operation: "mailAccounts")[0]
            .map { row throws(StoreError) in try MailAccountRecord(row: row) }
    }

    public func mailAccount(id: String) async throws(StoreError) -> MailAccountRecord? {
        try await database.read([SQLStatement("SELECT * FROM mail_accounts WHERE id = ?", [.text(id)])], operation: "mailAccount")[0]
            .first.map { row throws(StoreError) in try MailAccountRecord(row: row) }
    }

    public func deleteMailAccount(id: String) async throws(StoreError) -> Bool {
        let statement = SQLStatement("DELETE FROM mail_accounts WHERE id = ? RETURNING id", [.text(id)])
        return try await !database.run([statement], operation: "deleteMailAccount")[0].isEmpty
    }

    public func markCollectsReplies(mailAccountID: String) async throws(StoreError) {
        let statement = SQLStatement("UPDATE mail_accounts SET collects_replies = ? WHERE id = ?", [.bool(true), .text(mailAccountID)])
        _ = try await database.run([statement], operation: "markCollectsReplies")
    }
}

extension MailAccountRecord {
    var row: [(column: String, value: SQLValue)] {
        [("id", .text(id)), ("name", .text(name)), ("imap_url", .text(imapURL)), ("smtp_url", .text(smtpURL)), ("username", .text(username)),
         ("sealed_password", .bytes(sealedPassword)), ("address", .text(address)),
         ("trusted_certificates", trustedCertificatesPEM.map(SQLValue.text) ?? .null), ("tenant_id", tenantID.map(SQLValue.text) ?? .null),
         ("created_at", .integer(createdAt.storeMilliseconds)), ("collects_replies", .bool(collectsReplies))]
    }

    init(row: SQLRow) throws(StoreError) {
        self.init(id: try row.text("id"), name: try row.text("name"), imapURL: try row.text("imap_url"), smtpURL: try row.text("smtp_url"),
                  username: try row.text("username"), sealedPassword: try row.optionalBytes("sealed_password") ?? [], address: try row.text("address"),
                  trustedCertificatesPEM: try row.optionalText("trusted_certificates"), tenantID: try row.optionalText("tenant_id"),
                  createdAt: Date(storeMilliseconds: try row.integer("created_at")))
        collectsReplies = (try row.optionalInteger("collects_replies") ?? 0) != 0
    }
}
