public import Foundation

/// An account's server reporting changes to its calendars as they happen (Nextcloud's
/// webhook_listeners): the webhooks registered there and the secret its calls must carry.
/// Only the secret's SHA-256 is kept; the credentials used to register (an administrator's,
/// when the account's own are not one) are kept sealed, to remove the webhooks later.
public struct PushSubscriptionRecord: Sendable, Hashable, Codable {
    public var id: String
    public var accountID: String
    /// The SHA-256 of the secret the server's calls carry, hex.
    public var secretHash: String
    /// Where the server was told to call (this server's public URL then).
    public var callbackURL: String
    /// The server's OCS root (`https://cloud.example.com/`).
    public var ocsURL: String
    /// Who registered the webhooks, or `nil` for the account's own user.
    public var ocsUsername: String?
    /// That user's password, sealed with the store's ``SecretBox``.
    public var sealedOCSPassword: [UInt8]?
    /// The ids of the webhooks registered on the server.
    public var listenerIDs: [String]
    public var createdAt: Date

    public init(id: String = UUID().uuidString, accountID: String, secretHash: String, callbackURL: String, ocsURL: String, ocsUsername: String? = nil,
                sealedOCSPassword: [UInt8]? = nil, listenerIDs: [String], createdAt: Date = Date()) {
        self.id = id
        self.accountID = accountID
        self.secretHash = secretHash
        self.callbackURL = callbackURL
        self.ocsURL = ocsURL
        self.ocsUsername = ocsUsername
        self.sealedOCSPassword = sealedOCSPassword
        self.listenerIDs = listenerIDs
        self.createdAt = createdAt
    }
}

/// Push subscriptions (at most one per account).
public protocol PushStore: Sendable {
    /// Writes a subscription (insert or replace by id); a second one for an account is a
    /// constraint error.
    func savePushSubscription(_ subscription: PushSubscriptionRecord) async throws(StoreError)
    /// The subscription with this id.
    func pushSubscription(id: String) async throws(StoreError) -> PushSubscriptionRecord?
    /// The account's subscription.
    func pushSubscription(accountID: String) async throws(StoreError) -> PushSubscriptionRecord?
    /// Deletes a subscription; `false` when there was none.
    func deletePushSubscription(id: String) async throws(StoreError) -> Bool
}
