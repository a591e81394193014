public import Foundation

/// A tenant's subscription to events: where to deliver them and the secret they are signed
/// with (kept sealed, like account passwords).
public struct WebhookRecord: Sendable, Hashable, Codable {
    public var id: String
    public var tenantID: String
    public var url: String
    /// The signing secret, sealed with the store's ``SecretBox``.
    public var sealedSecret: [UInt8]
    /// The event types delivered (`booking.created`…).
    public var events: [String]
    public var createdAt: Date

    public init(id: String = UUID().uuidString, tenantID: String, url: String, sealedSecret: [UInt8], events: [String], createdAt: Date = Date()) {
        self.id = id
        self.tenantID = tenantID
        self.url = url
        self.sealedSecret = sealedSecret
        self.events = events
        self.createdAt = createdAt
    }
}

/// Where a delivery stands.
public enum DeliveryStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Waiting for its (next) attempt.
    case pending
    case delivered
    /// Given up after the last attempt: the dead-letter list.
    case dead
}

/// One event to deliver to one webhook, with its attempts.
public struct DeliveryRecord: Sendable, Hashable, Codable {
    public var id: String
    public var webhookID: String
    public var eventType: String
    /// The JSON body sent.
    public var payload: String
    public var status: DeliveryStatus
    public var attempts: Int
    public var nextAttemptAt: Date
    /// The last attempt's HTTP status, if it got one.
    public var lastStatus: Int?
    /// Why the last attempt failed.
    public var lastError: String?
    public var createdAt: Date
    public var deliveredAt: Date?

    public init(id: String = UUID().uuidString, webhookID: String, eventType: String, payload: String, status: DeliveryStatus = .pending,
                attempts: Int = 0, nextAttemptAt: Date = Date(), lastStatus: Int? = nil, lastError: String? = nil, createdAt: Date = Date(),
                deliveredAt: Date? = nil) {
        self.id = id
        self.webhookID = webhookID
        self.eventType = eventType
        self.payload = payload
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.createdAt = createdAt
        self.deliveredAt = deliveredAt
    }
}

/// Webhook subscriptions and their delivery log.
public protocol WebhookStore: OutboxStore {
    func saveWebhook(_ webhook: WebhookRecord) async throws(StoreError)
    /// The webhooks of one tenant (or of all), by creation.
    func webhooks(tenantID: String?) async throws(StoreError) -> [WebhookRecord]
    /// Deletes a webhook with its deliveries; `false` when there was none.
    func deleteWebhook(id: String) async throws(StoreError) -> Bool
    /// Adds deliveries (one transaction).
    func addDeliveries(_ deliveries: [DeliveryRecord]) async throws(StoreError)
    /// Writes a delivery's new state.
    func saveDelivery(_ delivery: DeliveryRecord) async throws(StoreError)
    /// Pending deliveries whose attempt is due at `now`, oldest first.
    func dueDeliveries(now: Date, limit: Int) async throws(StoreError) -> [DeliveryRecord]
    /// Takes a due delivery for one attempt: its next attempt moves to `until`, so no other
    /// worker (another server on the same store) takes it meanwhile, and a worker that dies
    /// mid-attempt leaves it to be taken again then. `false` when another took it first.
    func claimDelivery(id: String, now: Date, until: Date) async throws(StoreError) -> Bool
    /// A webhook's deliveries, newest first, of one status or all.
    func deliveries(webhookID: String, status: DeliveryStatus?, limit: Int) async throws(StoreError) -> [DeliveryRecord]
}
