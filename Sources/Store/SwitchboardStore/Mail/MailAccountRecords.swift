public import Foundation

/// A mailbox Switchboard reads and sends from: its IMAP and SMTP servers, who signs in, and
/// who the messages it sends are from. The password is kept only sealed (``SecretBox``), like
/// a groupware account's.
public struct MailAccountRecord: Sendable, Hashable, Codable {
    public var id: String
    /// The operator's name for it, unique in a store.
    public var name: String
    /// `imap://` (STARTTLS) or `imaps://`.
    public var imapURL: String
    /// `smtp://` (STARTTLS when offered) or `smtps://`.
    public var smtpURL: String
    public var username: String
    /// The password sealed with AES-GCM.
    public var sealedPassword: [UInt8]
    /// The address messages are sent from.
    public var address: String
    /// PEM certificates to trust besides the system's (a server with its own CA).
    public var trustedCertificatesPEM: String?
    /// The tenant it belongs to, or `nil` for the operator's own.
    public var tenantID: String?
    public var createdAt: Date
    /// Whether it has sent invitations to events, so its inbox is read for the answers
    /// (besides the accounts resources invite from).
    public var collectsReplies = false

    public init(id: String = UUID().uuidString, name: String, imapURL: String, smtpURL: String, username: String, sealedPassword: [UInt8],
                address: String, trustedCertificatesPEM: String? = nil, tenantID: String? = nil, createdAt: Date = Date()) {
        self.id = id
        self.name = name
        self.imapURL = imapURL
        self.smtpURL = smtpURL
        self.username = username
        self.sealedPassword = sealedPassword
        self.address = address
        self.trustedCertificatesPEM = trustedCertificatesPEM
        self.tenantID = tenantID
        self.createdAt = createdAt
    }
}

/// Mail accounts.
public protocol MailAccountStore: Sendable {
    /// Writes an account (insert or replace by id); another account of the same name is a
    /// constraint error.
    func saveMailAccount(_ account: MailAccountRecord) async throws(StoreError)
    /// Every mail account, by name.
    func mailAccounts() async throws(StoreError) -> [MailAccountRecord]
    func mailAccount(id: String) async throws(StoreError) -> MailAccountRecord?
    /// Deletes an account; `false` when there was none.
    func deleteMailAccount(id: String) async throws(StoreError) -> Bool
    /// Marks the account as one whose inbox is read for answers to invitations
    /// (``MailAccountRecord/collectsReplies``); nothing when it is gone.
    func markCollectsReplies(mailAccountID: String) async throws(StoreError)
}
