public import HTTPTransport
public import Foundation
public import Logging
import NIOHTTP1
public import SwitchboardStore

/// How deliveries are tried: `maxAttempts` in all, waiting `baseDelay` doubled after each
/// failure up to `maxDelay`; each attempt may take `timeout`.
public struct DeliveryPolicy: Sendable, Hashable {
    public var maxAttempts: Int
    public var baseDelay: Double
    public var maxDelay: Double
    public var timeout: Double

    public init(maxAttempts: Int = 8, baseDelay: Double = 5, maxDelay: Double = 3600, timeout: Double = 10) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.timeout = timeout
    }

    /// Seconds before the attempt after `attempts` failed ones.
    public func delay(afterAttempts attempts: Int) -> Double {
        ExponentialBackoff(base: baseDelay, maximum: maxDelay).delay(afterFailures: attempts)
    }
}

/// Why a webhook cannot be registered.
public enum WebhookError: Error, Sendable, CustomStringConvertible {
    case invalidURL(String)
    /// The URL's host is, or resolves to, an address the network policy does not allow.
    case destinationRefused(String)
    case store(StoreError)

    public var description: String {
        switch self {
        case .invalidURL(let why), .destinationRefused(let why): why
        case .store(let error): error.description
        }
    }
}

/// Webhooks out: subscriptions (each URL checked against the tenants' network policy when
/// registered and again at every delivery), events recorded as deliveries in the store
/// (so none is lost when the process stops), and a worker that delivers them signed,
/// retrying with backoff and moving them to the dead-letter list after the last attempt.
public final class WebhookService: Sendable {
    public let store: any WebhookStore
    let secrets: SecretBox
    let networkPolicy: NetworkPolicy
    public let policy: DeliveryPolicy
    let transport: HTTPTransport
    let logger: Logger

    public init(store: any WebhookStore, secrets: SecretBox, networkPolicy: NetworkPolicy, policy: DeliveryPolicy = DeliveryPolicy(),
                logger: Logger = Logger(label: "switchboard.webhooks")) {
        self.store = store
        self.secrets = secrets
        self.networkPolicy = networkPolicy
        self.policy = policy
        self.logger = logger
        var configuration = ClientConfiguration()
        configuration.networkPolicy = networkPolicy
        configuration.retry = RetryPolicy(maxAttempts: 1)
        configuration.connectTimeout = min(policy.timeout, 10)
        configuration.idleReadTimeout = policy.timeout
        configuration.requestTimeout = policy.timeout
        configuration.maxRedirects = 0
        configuration.maxResponseBytes = 64 * 1024
        configuration.userAgent = "Switchboard-Webhooks/0.1"
        transport = HTTPTransport(configuration: configuration)
    }

    /// Closes the delivery connections.
    public func shutdown() async { await transport.shutdown() }

    // MARK: Subscriptions

    /// Registers `url` for `events` (`*` for all) and returns the webhook with its signing
    /// secret, shown this once.
    public func register(tenantID: String, url: String, events: [String]) async throws(WebhookError) -> (WebhookRecord, secret: String) {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme), parsed.host != nil else {
            throw .invalidURL("an http or https URL")
        }
        do {
            try await HTTPTransport.checkDestination(parsed, method: "POST", against: networkPolicy)
        } catch where error.code == .destinationRefused {
            throw .destinationRefused("the URL's address is not allowed by this installation's network policy")
        } catch {
            throw .invalidURL("the URL's host does not resolve")
        }
        let secret = WebhookSignature.newSecret()
        let sealed: [UInt8]
        do {
            sealed = try secrets.seal(secret)
        } catch {
            throw .store(StoreError(.database, operation: "saveWebhook", detail: "the secret cannot be sealed"))
        }
        let webhook = WebhookRecord(tenantID: tenantID, url: url, sealedSecret: sealed, events: events)
        do {
            try await store.saveWebhook(webhook)
        } catch {
            throw .store(error)
        }
        return (webhook, secret)
    }

    // MARK: Events

    /// Records an event in the outbox, for every webhook of the tenant subscribed to its
    /// type: the body is `{"type", "timestamp", "data"}` with `data` encoded as JSON (dates
    /// as RFC 3339, UTC). Changes that record their events in their own transaction (a
    /// booking's) write them to the outbox themselves.
    public func emit(tenantID: String, type: String, data: some Encodable & Sendable, at date: Date = Date()) async {
        do {
            try await store.recordEvent(try DomainEventRecord(tenantID: tenantID, type: type, data: data, occurredAt: date))
        } catch {
            logger.error("webhook event not recorded", metadata: ["type": .string(type), "error": .string("\(error)")])
        }
    }

    /// Relays the outbox's events to the webhooks subscribed to them, as deliveries (at
    /// least once each: an event whose relay is cut short is relayed again after its claim).
    public func relayOutbox(now: Date = Date(), limit: Int = 64) async {
        do {
            let events = try await store.claimEvents(now: now, until: now + 60, limit: limit)
            guard !events.isEmpty else { return }
            var subscriptions: [String: [WebhookRecord]] = [:]
            var deliveries: [DeliveryRecord] = []
            for event in events {
                guard let tenantID = event.tenantID else { continue }
                if subscriptions[tenantID] == nil { subscriptions[tenantID] = try await store.webhooks(tenantID: tenantID) }
                let subscribed = subscriptions[tenantID, default: []].filter { $0.events.contains(event.type) || $0.events.contains("*") }
                let body = Self.body(of: event)
                deliveries += subscribed.map {
                    DeliveryRecord(webhookID: $0.id, eventType: event.type, payload: body, nextAttemptAt: now, createdAt: event.occurredAt)
                }
            }
            try await store.addDeliveries(deliveries)
            try await store.deleteEvents(ids: events.map(\.id))
        } catch {
            logger.error("outbox not relayed", metadata: ["error": .string("\(error)")])
        }
    }

    /// A delivery's body: `{"data":…,"timestamp":…,"type":…}` (keys sorted).
    static func body(of event: DomainEventRecord) -> String {
        let type = (try? JSONEncoder().encode(event.type)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
        return "{\"data\":\(event.payload),\"timestamp\":\(Int64(event.occurredAt.timeIntervalSince1970)),\"type\":\(type)}"
    }

    // MARK: Delivering

    /// Delivers the deliveries due now (a few at a time) and returns where each one stands after.
    @discardableResult
    public func deliverDue(now: Date = Date(), limit: Int = 32) async -> [DeliveryStatus] {
        await relayOutbox(now: now)
        let due: [DeliveryRecord]
        let webhooks: [String: WebhookRecord]
        do {
            due = try await store.dueDeliveries(now: now, limit: limit)
            guard !due.isEmpty else { return [] }
            webhooks = Dictionary(uniqueKeysWithValues: try await store.webhooks(tenantID: nil).map { ($0.id, $0) })
        } catch {
            logger.error("deliveries not read", metadata: ["error": .string("\(error)")])
            return []
        }
        // Each delivery is taken before its attempt, so servers sharing the store never send
        // one twice; the claim outlasts an attempt (timeout and a margin).
        let until = now.addingTimeInterval(policy.timeout * 2 + 5)
        return await withTaskGroup(of: DeliveryStatus?.self) { group in
            for delivery in due {
                guard let webhook = webhooks[delivery.webhookID] else { continue }
                group.addTask {
                    guard (try? await self.store.claimDelivery(id: delivery.id, now: now, until: until)) == true else { return nil }
                    return await self.attempt(delivery, to: webhook)
                }
            }
            return await group.reduce(into: []) { if let status = $1 { $0.append(status) } }
        }
    }

    /// One attempt: a signed POST; 2xx delivers it, anything else schedules the next attempt
    /// or, after the last, moves it to the dead letters.
    func attempt(_ delivery: DeliveryRecord, to webhook: WebhookRecord) async -> DeliveryStatus {
        var delivery = delivery
        let now = Date()
        let timestamp = Int64(now.timeIntervalSince1970)
        let body = Array(delivery.payload.utf8)
        delivery.attempts += 1
        do {
            guard let url = URL(string: webhook.url) else { throw DeliveryFailure(description: "the URL does not parse") }
            let secret = try secrets.open(webhook.sealedSecret)
            guard let signature = WebhookSignature.sign(id: delivery.id, timestamp: timestamp, body: body, secret: secret) else {
                throw DeliveryFailure(description: "the secret is unusable")
            }
            var request = HTTPRequest(method: "POST", url: url, body: body)
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "webhook-id", value: delivery.id)
            request.headers.add(name: "webhook-timestamp", value: String(timestamp))
            request.headers.add(name: "webhook-signature", value: signature)
            let response = try await transport.send(request)
            delivery.lastStatus = response.status
            guard (200..<300).contains(response.status) else { throw DeliveryFailure(description: "the receiver answered \(response.status)") }
            delivery.status = .delivered
            delivery.deliveredAt = Date()
            delivery.lastError = nil
        } catch {
            delivery.lastError = "\(error)"
            if delivery.attempts >= policy.maxAttempts {
                delivery.status = .dead
            } else {
                delivery.nextAttemptAt = now.addingTimeInterval(policy.delay(afterAttempts: delivery.attempts))
            }
        }
        do {
            try await store.saveDelivery(delivery)
        } catch {
            logger.error("delivery state not saved", metadata: ["delivery_id": .string(delivery.id), "error": .string("\(error)")])
        }
        return delivery.status
    }

    struct DeliveryFailure: Error, CustomStringConvertible {
        var description: String
    }
}
