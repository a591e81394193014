import Foundation
import SwitchboardTestSupport
import SwitchboardStore
import Testing

/// Tenants and API keys, on both drivers.
@Suite struct AccessStoreTests {
    @Test(arguments: StoreDriver.allCases)
    func tenantsHaveUniqueNames(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let tenant = TenantRecord(name: Fixtures.unique("clinic"), createdAt: Date(timeIntervalSince1970: 1_800_000_000))
            try await store.saveTenant(tenant)
            #expect(try await store.tenants().contains(tenant))
            let error = await thrownError(StoreError.self) { try await store.saveTenant(TenantRecord(name: tenant.name)) }
            #expect(error?.code == .constraint)
        }
    }

    @Test(arguments: StoreDriver.allCases)
    func keysAreFoundByHashAndRevokedOnce(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let tenant = TenantRecord(name: Fixtures.unique("clinic"))
            try await store.saveTenant(tenant)
            let hash = Fixtures.unique("hash")
            let key = APIKeyRecord(tenantID: tenant.id, name: "booking site", keyHash: hash, scope: .book,
                                   createdAt: Date(timeIntervalSince1970: 1_800_000_000))
            try await store.saveKey(key)
            #expect(try await store.key(hash: hash) == key)
            #expect(try await store.key(hash: "other") == nil)
            #expect(try await store.keys(tenantID: tenant.id) == [key])
            let twin = APIKeyRecord(tenantID: tenant.id, name: "twin", keyHash: hash, scope: .read)
            #expect(await thrownError(StoreError.self) { try await store.saveKey(twin) }?.code == .constraint)

            let revokedAt = Date(timeIntervalSince1970: 1_800_000_100)
            #expect(try await store.revokeKey(id: key.id, at: revokedAt))
            #expect(try await !store.revokeKey(id: key.id, at: revokedAt), "once")
            #expect(try await store.key(hash: hash)?.revokedAt == revokedAt)
        }
    }

    @Test(arguments: StoreDriver.allCases)
    func aTenantHasOneIdentityProvider(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let clinic = TenantRecord(name: Fixtures.unique("clinic"))
            let other = TenantRecord(name: Fixtures.unique("other"))
            try await store.saveTenant(clinic)
            try await store.saveTenant(other)
            let issuer = "https://" + Fixtures.unique("login") + ".example"
            let provider = IdentityProviderRecord(tenantID: clinic.id, issuer: issuer, audience: "booking", jwksURL: issuer + "/jwks",
                                                  createdAt: Date(timeIntervalSince1970: 1_800_000_000))
            try await store.saveIdentityProvider(provider)
            var replaced = provider
            replaced.audience = "booking-2"
            try await store.saveIdentityProvider(replaced)
            #expect(try await store.identityProviders().filter { $0.tenantID == clinic.id } == [replaced], "one per tenant")
            let twin = IdentityProviderRecord(tenantID: other.id, issuer: issuer, audience: "booking-2", jwksURL: issuer + "/jwks",
                                              createdAt: Date(timeIntervalSince1970: 1_800_000_000))
            // Another tenant may name the same issuer and audience (the server gives the issuer's
            // tokens to the first registration; a refusal here would reveal the other tenant's).
            try await store.saveIdentityProvider(twin)
            #expect(try await store.identityProviders().filter { $0.issuer == issuer }.count == 2)
            var own = twin
            own.audience = "other-app"
            try await store.saveIdentityProvider(own)
            #expect(try await store.deleteIdentityProvider(tenantID: clinic.id))
            #expect(try await !store.deleteIdentityProvider(tenantID: clinic.id))
            #expect(try await store.identityProviders().filter { $0.issuer == issuer } == [own])
        }
    }

    @Test(arguments: StoreDriver.allCases)
    func resourcesBelongToATenantOrToNone(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let tenant = TenantRecord(name: Fixtures.unique("clinic"))
            try await store.saveTenant(tenant)
            let account = AccountRecord(name: Fixtures.unique("account"), serverURL: "http://127.0.0.1/", username: "anna", sealedPassword: nil,
                                        tenantID: tenant.id)
            try await store.saveAccount(account)
            let calendar = CollectionRecord(accountID: account.id, href: "/anna/calendar/", kind: .calendar)
            try await store.saveCollection(calendar)
            let owned = ResourceRecord(name: Fixtures.unique("room"), rules: "{}", calendarIDs: [calendar.id], bookingCalendarID: calendar.id,
                                       tenantID: tenant.id, createdAt: Date(timeIntervalSince1970: 1_800_000_000))
            let operators = ResourceRecord(name: Fixtures.unique("room"), rules: "{}", calendarIDs: [calendar.id],
                                           bookingCalendarID: calendar.id, createdAt: Date(timeIntervalSince1970: 1_800_000_000))
            try await store.saveResource(owned)
            try await store.saveResource(operators)
            let stored = try await store.resources()
            #expect(stored.first { $0.id == owned.id } == owned)
            #expect(stored.first { $0.id == operators.id }?.tenantID == nil)
        }
    }

    /// Security: a tenant's resource cannot be bound to another tenant's calendar, nor to
    /// the operator's (its feeds and bookings would reach them; docs/security.md).
    @Test(arguments: StoreDriver.allCases)
    func aResourceTakesItsTenantsCalendarsOnly(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let beta = TenantRecord(name: Fixtures.unique("beta"))
            let gamma = TenantRecord(name: Fixtures.unique("gamma"))
            try await store.saveTenant(beta)
            try await store.saveTenant(gamma)
            var calendars: [String?: CollectionRecord] = [:]
            for tenantID in [beta.id, gamma.id, nil] as [String?] {
                let account = AccountRecord(name: Fixtures.unique("account"), serverURL: "http://127.0.0.1/", username: "bob", sealedPassword: nil,
                                            tenantID: tenantID)
                try await store.saveAccount(account)
                let calendar = CollectionRecord(accountID: account.id, href: "/bob/def-calendar/", kind: .calendar)
                try await store.saveCollection(calendar)
                calendars[tenantID] = calendar
            }
            func resource(_ calendar: CollectionRecord, booking: CollectionRecord? = nil) -> ResourceRecord {
                ResourceRecord(name: Fixtures.unique("gamma/room"), rules: "{}", calendarIDs: [calendar.id],
                               bookingCalendarID: (booking ?? calendar).id, tenantID: gamma.id)
            }
            for foreign in [resource(calendars[beta.id]!), resource(calendars[nil]!), resource(calendars[gamma.id]!, booking: calendars[beta.id]!)] {
                #expect(await thrownError(StoreError.self) { try await store.saveResource(foreign) }?.code == .constraint)
            }
            var unknown = resource(calendars[gamma.id]!)
            unknown.calendarIDs.append("no-such-calendar")
            #expect(await thrownError(StoreError.self) { try await store.saveResource(unknown) }?.code == .constraint)
            try await store.saveResource(resource(calendars[gamma.id]!))
        }
    }

    @Test(arguments: StoreDriver.allCases)
    func accountsAndFeedsBelongToTheirTenant(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let tenant = TenantRecord(name: Fixtures.unique("clinic"))
            try await store.saveTenant(tenant)
            let account = AccountRecord(name: Fixtures.unique("account"), serverURL: "http://127.0.0.1/", username: "anna", sealedPassword: nil,
                                        createdAt: Date(timeIntervalSince1970: 1_800_000_000), tenantID: tenant.id)
            try await store.saveAccount(account)
            #expect(try await store.accounts().first { $0.id == account.id } == account)
            let calendar = CollectionRecord(accountID: account.id, href: "/anna/calendar/", kind: .calendar)
            try await store.saveCollection(calendar)
            let hash = Fixtures.unique("token")
            let feed = FeedRecord(tenantID: tenant.id, name: "Anna", tokenHash: hash, calendarID: calendar.id, busyOnly: true,
                                  createdAt: Date(timeIntervalSince1970: 1_800_000_000))
            try await store.saveFeed(feed)
            #expect(try await store.feed(hash: hash) == feed)
            #expect(try await store.feeds(tenantID: tenant.id) == [feed])
            #expect(try await store.deleteFeed(id: feed.id))
            #expect(try await !store.deleteFeed(id: feed.id))
            #expect(try await store.feed(hash: hash) == nil)
            // A feed goes with its calendar.
            try await store.saveFeed(feed)
            try await store.deleteAccount(id: account.id)
            #expect(try await store.feed(hash: hash) == nil)
        }
    }

    @Test func scopesImplyTheLesser() {
        #expect(APIScope.admin.allows(.book) && APIScope.book.allows(.read) && APIScope.read.allows(.read))
        #expect(!APIScope.read.allows(.book) && !APIScope.book.allows(.admin))
    }
}
