import Foundation
import SwitchboardTestSupport
import SwitchboardStore
import Testing

/// Webhook subscriptions and deliveries, on both drivers.
@Suite struct WebhookStoreTests {
    @Test(arguments: StoreDriver.allCases)
    func aDueDeliveryIsTakenByOneWorkerAtATime(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let tenant = TenantRecord(name: Fixtures.unique("clinic"))
            try await store.saveTenant(tenant)
            let webhook = WebhookRecord(tenantID: tenant.id, url: "https://hooks.example.org/in", sealedSecret: [1, 2, 3],
                                        events: ["booking.created"], createdAt: Date(timeIntervalSince1970: 1_800_000_000))
            try await store.saveWebhook(webhook)
            #expect(try await store.webhooks(tenantID: tenant.id) == [webhook])
            let now = Date(timeIntervalSince1970: 1_800_000_100)
            let delivery = DeliveryRecord(webhookID: webhook.id, eventType: "booking.created", payload: "{}", nextAttemptAt: now,
                                          createdAt: now)
            try await store.addDeliveries([delivery])
            #expect(try await store.dueDeliveries(now: now, limit: 10).map(\.id) == [delivery.id])

            // Two workers race for it: one takes it, and it is not due again until the claim runs out.
            let until = now.addingTimeInterval(30)
            let claims = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<2 { group.addTask { try await store.claimDelivery(id: delivery.id, now: now, until: until) } }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(claims.filter { $0 }.count == 1 && claims.count == 2)
            #expect(try await store.dueDeliveries(now: now.addingTimeInterval(10), limit: 10).isEmpty)
            // A worker that died mid-attempt leaves it to be taken again.
            #expect(try await store.claimDelivery(id: delivery.id, now: until, until: until.addingTimeInterval(30)))

            var done = delivery
            done.status = .delivered
            done.attempts = 1
            done.deliveredAt = until
            try await store.saveDelivery(done)
            #expect(try await !store.claimDelivery(id: delivery.id, now: until.addingTimeInterval(60), until: until.addingTimeInterval(90)))
            #expect(try await store.deliveries(webhookID: webhook.id, status: .delivered, limit: 10).map(\.id) == [delivery.id])
            #expect(try await store.deleteWebhook(id: webhook.id))
            #expect(try await store.deliveries(webhookID: webhook.id, status: nil, limit: 10).isEmpty)
        }
    }
}
