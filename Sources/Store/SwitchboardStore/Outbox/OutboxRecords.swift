public import Foundation

/// Something that happened in the application (a booking made, a calendar changed),
/// recorded in the outbox in the same transaction as the change it tells of, and relayed
/// from there to the tenant's webhooks: whichever face made the change — the API, the CLI,
/// a background run — the same event goes out, and never for a change that did not commit.
public struct DomainEventRecord: Sendable, Hashable {
    public var id: String
    /// The tenant whose webhooks hear of it (`nil`: the operator's own, heard by none).
    public var tenantID: String?
    /// The event type (`booking.created`…), as webhooks subscribe to it.
    public var type: String
    /// The event's `data`, JSON.
    public var payload: String
    public var occurredAt: Date

    public init(id: String = UUID().uuidString, tenantID: String?, type: String, payload: String, occurredAt: Date = Date()) {
        self.id = id
        self.tenantID = tenantID
        self.type = type
        self.payload = payload
        self.occurredAt = occurredAt
    }

    /// An event whose `data` is `data` encoded as JSON (keys sorted, dates as RFC 3339).
    public init(tenantID: String?, type: String, data: some Encodable, occurredAt: Date = Date()) throws(StoreError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        do {
            self.init(tenantID: tenantID, type: type, payload: String(decoding: try encoder.encode(data), as: UTF8.self), occurredAt: occurredAt)
        } catch {
            throw StoreError(.database, operation: "encode event", detail: "\(error)")
        }
    }
}

/// The outbox of domain events, relayed at least once each.
public protocol OutboxStore: Sendable {
    /// Records an event on its own (the change it tells of is committed already).
    func recordEvent(_ event: DomainEventRecord) async throws(StoreError)
    /// Claims up to `limit` events not relayed yet, oldest first, until `until`: another
    /// relay (another process) skips them meanwhile; one that dies lets the claim lapse.
    func claimEvents(now: Date, until: Date, limit: Int) async throws(StoreError) -> [DomainEventRecord]
    /// Removes events once relayed.
    func deleteEvents(ids: [String]) async throws(StoreError)
}
