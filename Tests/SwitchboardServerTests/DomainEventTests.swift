import Crypto
import DAVClient
import HTTPTransport
import Foundation
import SQLiteStore
import SwitchboardTestSupport
import SwitchboardStore
import Testing
import Webhooks

/// Domain events go through the outbox whichever face made the change: a booking made with
/// `switchboard book` reaches the tenant's webhooks as the one made with `POST /v1/bookings`,
/// and a `switchboard sync` that brings changes emits `calendar.changed` as the server's does.
@Suite struct DomainEventTests {
    @Test func theCommandLineSyncEmitsTheEventTheServersSyncEmits() async throws {
        let peer = try await Peer.named("radicale")
        let cli = try CommandLineHome()
        defer { cli.remove() }
        let href = peer.annaCalendarHome + Fixtures.unique("changes") + "/"
        try await peer.withClient { client in try await client.makeCalendar(href, displayName: "Changes") }
        try cli.run(["tenants", "create", "acme"])
        try cli.run(["account", "add", "anna", "--tenant", "acme", "--server", peer.baseURL.absoluteString, "--user", "anna", "--password-file", cli.password])
        try cli.run(["sync", "--collection", href])

        let store = try SQLiteDatabase.store(path: cli.home.appendingPathComponent("switchboard.sqlite").path)
        let tenantID = try #require(try await store.tenants().first { $0.name == "acme" }?.id)
        let collectionID = try #require(try await store.collections(accountID: nil).first { $0.href == href }?.id)
        let webhook = WebhookRecord(tenantID: tenantID, url: "https://hooks.example/switchboard", sealedSecret: [0], events: ["calendar.changed"])
        try await store.saveWebhook(webhook)
        let webhooks = WebhookService(store: store, secrets: try SecretBox(key: .init(size: .bits256)), networkPolicy: NetworkPolicy())
        await webhooks.relayOutbox()
        // The first sync of an empty calendar changed nothing: no event.
        #expect(try await store.deliveries(webhookID: webhook.id, status: DeliveryStatus?.none, limit: 10).isEmpty)

        try await peer.withClient { client in
            _ = try await client.put(href + "phone.ics", body: Array(Fixtures.event(uid: "phone-\(UUID().uuidString)").utf8),
                                     contentType: "text/calendar; charset=utf-8", precondition: .ifNoneMatch)
        }
        try cli.run(["sync", "--collection", href])
        await webhooks.relayOutbox()
        await webhooks.shutdown()
        let deliveries = try await store.deliveries(webhookID: webhook.id, status: DeliveryStatus?.none, limit: 10)
        #expect(deliveries.map(\.eventType) == ["calendar.changed"])
        let body = try #require(try JSONSerialization.jsonObject(with: Data((deliveries.first?.payload ?? "").utf8)) as? [String: Any])
        let data = try #require(body["data"] as? [String: Any])
        #expect(data["collectionId"] as? String == collectionID && data["kind"] as? String == "calendar")
        #expect(data["downloaded"] as? Int == 1 && data["deleted"] as? Int == 0)
    }

    @Test func theCommandLineBookingEmitsTheEventTheAPIEmits() async throws {
        let peer = try await Peer.named("radicale")
        let cli = try CommandLineHome()
        defer { cli.remove() }
        let href = peer.annaCalendarHome + Fixtures.unique("events") + "/"
        try await peer.withClient { client in try await client.makeCalendar(href, displayName: "Events") }
        try cli.run(["tenants", "create", "acme"])
        try cli.run(["account", "add", "anna", "--tenant", "acme", "--server", peer.baseURL.absoluteString, "--user", "anna", "--password-file", cli.password])
        try cli.run(["sync", "--collection", href])
        try cli.run(["resources", "add", "chair", "--tenant", "acme", "--calendar", href, "--tz", "UTC", "--hours", "mon-sun 00:00-24:00",
                     "--horizon", "3650d"])
        let booked = try cli.run(["book", "acme/chair", "--start", "2028-03-06T09:00:00Z", "--end", "2028-03-06T10:00:00Z", "--summary", "Consultation"])
        let bookingID = booked.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let store = try SQLiteDatabase.store(path: cli.home.appendingPathComponent("switchboard.sqlite").path)
        let tenantID = try #require(try await store.tenants().first { $0.name == "acme" }?.id)
        let webhook = WebhookRecord(tenantID: tenantID, url: "https://hooks.example/switchboard", sealedSecret: [0], events: ["booking.created"])
        try await store.saveWebhook(webhook)
        let webhooks = WebhookService(store: store, secrets: try SecretBox(key: .init(size: .bits256)), networkPolicy: NetworkPolicy())
        await webhooks.relayOutbox()
        await webhooks.shutdown()
        let deliveries = try await store.deliveries(webhookID: webhook.id, status: DeliveryStatus?.none, limit: 10)
        #expect(deliveries.count == 1 && deliveries.first?.eventType == "booking.created")
        let body = try #require(try JSONSerialization.jsonObject(with: Data((deliveries.first?.payload ?? "").utf8)) as? [String: Any])
        #expect(Set(body.keys) == ["type", "timestamp", "data"] && body["type"] as? String == "booking.created")
        let data = try #require(body["data"] as? [String: Any])
        // The API's `Booking`, as `POST /v1/bookings` answers and its event carries it.
        #expect(Set(data.keys) == ["id", "resource", "status", "start", "end", "summary", "attendees"])
        #expect(data["id"] as? String == bookingID && data["resource"] as? String == "chair" && data["status"] as? String == "pending")
        #expect(data["start"] as? String == "2028-03-06T09:00:00Z" && data["end"] as? String == "2028-03-06T10:00:00Z")
        #expect(data["summary"] as? String == "Consultation" && (data["attendees"] as? [String])?.isEmpty == true)
        // Relayed once: the outbox is empty after.
        #expect(try await store.claimEvents(now: Date().addingTimeInterval(3600), until: Date().addingTimeInterval(3660), limit: 10).isEmpty)
    }
}
