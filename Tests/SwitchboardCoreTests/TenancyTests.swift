import Accounts
import Availability
import Foundation
import HTTPTransport
import Scheduling
import SwitchboardCore
import SwitchboardStore
import SwitchboardTestSupport
import Testing
import Webhooks
import Crypto

/// The application's own rules, without a server or a command line: what a tenant's view
/// reaches, and which calendars a resource may be defined over.
@Suite struct TenancyTests {
    /// Two tenants with an account and a calendar each (the same href on both servers), and
    /// the operator's account with a calendar at that href too.
    private struct World {
        var hub: Hub
        var acme: TenantRecord
        var globex: TenantRecord
        var acmeCalendar: CollectionRecord
        var globexCalendar: CollectionRecord
        var href: String
    }

    private func withWorld(_ body: (World) async throws -> Void) async throws {
        try await StoreDriver.sqlite.withStore(isolated: true) { store in
            let acme = TenantRecord(name: Fixtures.unique("acme"))
            let globex = TenantRecord(name: Fixtures.unique("globex"))
            try await store.saveTenant(acme)
            try await store.saveTenant(globex)
            let href = "/calendars/room/"
            var calendars: [CollectionRecord] = []
            for tenantID in [acme.id, globex.id, nil] {
                let account = AccountRecord(name: Fixtures.unique("account"), serverURL: "http://127.0.0.1:1/", username: "u", sealedPassword: nil,
                                            tenantID: tenantID)
                try await store.saveAccount(account)
                let calendar = CollectionRecord(accountID: account.id, href: href, kind: .calendar)
                try await store.saveCollection(calendar)
                calendars.append(calendar)
            }
            let secrets = try SecretBox(key: .init(size: .bits256))
            let clients = AccountClients(secrets: secrets)
            let webhooks = WebhookService(store: store, secrets: secrets, networkPolicy: NetworkPolicy())
            let hub = Hub(store: store, bookings: BookingService(store: store, clients: clients), webhooks: webhooks)
            do {
                try await body(World(hub: hub, acme: acme, globex: globex, acmeCalendar: calendars[0], globexCalendar: calendars[1], href: href))
            } catch {
                await webhooks.shutdown()
                await clients.shutdown()
                throw error
            }
            await webhooks.shutdown()
            await clients.shutdown()
        }
    }

    private static let rules = ResourceRules(timeZone: "UTC", weeklyHours: try! WeeklyHours.parse("mon-fri 09:00-17:00"))

    @Test func aTenantsResourceTakesItsOwnCalendarOfAnHrefOthersShare() async throws {
        try await withWorld { world in
            let resource = try await world.hub.define(ResourceDefinition(name: "room", tenantName: world.acme.name, rules: Self.rules,
                                                                         calendars: [world.href]))
            #expect(resource.calendarIDs == [world.acmeCalendar.id] && resource.bookingCalendarID == world.acmeCalendar.id)
            #expect(resource.tenantID == world.acme.id && resource.localName == "room")
            // The operator's own resource sees every account's calendar at the href: ambiguous.
            await #expect(throws: ResourceDefinitionError.self) {
                try await world.hub.define(ResourceDefinition(name: "room", rules: Self.rules, calendars: [world.href]))
            }
            let unknown = await thrownError(ResourceDefinitionError.self) {
                try await world.hub.define(ResourceDefinition(name: "desk", tenantName: world.globex.name, rules: Self.rules, calendars: ["/nowhere/"]))
            }
            guard case .unknownCalendar("/nowhere/", tenant: world.globex.name)? = unknown else {
                Issue.record("expected an unknown calendar, got \(String(describing: unknown))")
                return
            }
            let slashed = await thrownError(ResourceDefinitionError.self) {
                try await world.hub.define(ResourceDefinition(name: "a/b", rules: Self.rules, calendars: [world.href]))
            }
            guard case .invalidName? = slashed else { Issue.record("a name with a slash was taken"); return }
        }
    }

    @Test func anotherTenantsRecordsLookMissing() async throws {
        try await withWorld { world in
            let resource = try await world.hub.define(ResourceDefinition(name: "room", tenantName: world.acme.name, rules: Self.rules,
                                                                         calendars: [world.href]))
            let acme = world.hub.tenant(world.acme.id)
            let globex = world.hub.tenant(world.globex.id)
            #expect(try await acme.collection(world.acmeCalendar.id, kind: .calendar).id == world.acmeCalendar.id)
            #expect(try await acme.resource(named: "room").id == resource.id)
            #expect(try await globex.collections().map(\.id) == [world.globexCalendar.id])
            let calendar = await thrownError(LookupError.self) { _ = try await globex.collection(world.acmeCalendar.id, kind: .calendar) }
            let room = await thrownError(LookupError.self) { _ = try await globex.resource(named: "room") }
            let addressBook = await thrownError(LookupError.self) { _ = try await acme.collection(world.acmeCalendar.id, kind: .addressBook) }
            #expect(calendar?.description == "no calendar \(world.acmeCalendar.id)")
            #expect(room?.description == "no resource named room")
            #expect(addressBook?.description == "no address book \(world.acmeCalendar.id)")
        }
    }

    @Test func aFeedPublishesOnlyWhileItsCalendarIsItsTenants() async throws {
        try await withWorld { world in
            let acme = world.hub.tenant(world.acme.id)
            let made = try await acme.createFeed(name: "Room", source: .calendar(world.acmeCalendar.id), busyOnly: true)
            let token = String(made.path.dropFirst("/ics/".count).dropLast(".ics".count))
            let published = try await world.hub.publishedFeed(token: token)
            #expect(published.text.hasPrefix("BEGIN:VCALENDAR") && published.etag.hasPrefix("\""))
            #expect(try await acme.feeds().map(\.record.id) == [made.feed.record.id])
            #expect(try await world.hub.tenant(world.globex.id).feeds().isEmpty)
            await #expect(throws: FeedError.self) {
                try await world.hub.tenant(world.globex.id).createFeed(name: "Theirs", source: .calendar(world.acmeCalendar.id), busyOnly: false)
            }
            // The calendar's account moves to the other tenant: the feed stops publishing it.
            var account = try #require(try await world.hub.store.account(id: world.acmeCalendar.accountID))
            account.tenantID = world.globex.id
            try await world.hub.store.saveAccount(account)
            let gone = await thrownError(LookupError.self) { _ = try await world.hub.publishedFeed(token: token) }
            guard case .unknownFeed? = gone else { Issue.record("a feed published another tenant's calendar"); return }
            await #expect(throws: LookupError.self) { try await world.hub.tenant(world.globex.id).deleteFeed(made.feed.record.id) }
            try await acme.deleteFeed(made.feed.record.id)
            #expect(try await acme.feeds().isEmpty)
        }
    }
}
