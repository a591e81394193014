import Foundation
import SwitchboardTestSupport
import SwitchboardStore
import Testing

/// Push subscriptions, on both drivers.
@Suite struct PushStoreTests {
    @Test(arguments: StoreDriver.allCases)
    func anAccountHasOneSubscriptionFoundByIdOrAccountAndGoneWithIt(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let account = AccountRecord(name: Fixtures.unique("account"), serverURL: "https://cloud.example.com/remote.php/dav/",
                                        username: "anna", sealedPassword: nil)
            try await store.saveAccount(account)
            let subscription = PushSubscriptionRecord(accountID: account.id, secretHash: Fixtures.unique("hash"),
                                                      callbackURL: "https://sb.example.com/hooks/nextcloud/1", ocsURL: "https://cloud.example.com/",
                                                      ocsUsername: "admin", sealedOCSPassword: [1, 2, 3], listenerIDs: ["7", "8"],
                                                      createdAt: Date(timeIntervalSince1970: 1_800_000_000))
            try await store.savePushSubscription(subscription)
            #expect(try await store.pushSubscription(id: subscription.id) == subscription)
            #expect(try await store.pushSubscription(accountID: account.id) == subscription)
            #expect(try await store.pushSubscription(id: "other") == nil)

            let second = PushSubscriptionRecord(accountID: account.id, secretHash: "other", callbackURL: "https://sb.example.com/hooks/nextcloud/2", ocsURL: "https://cloud.example.com/", listenerIDs: [])
            #expect(await thrownError(StoreError.self) { try await store.savePushSubscription(second) }?.code == .constraint)

            var own = subscription
            own.ocsUsername = nil
            own.sealedOCSPassword = nil
            try await store.savePushSubscription(own)
            #expect(try await store.pushSubscription(accountID: account.id) == own)

            #expect(try await store.deletePushSubscription(id: own.id))
            #expect(try await !store.deletePushSubscription(id: own.id))
            try await store.savePushSubscription(own)
            try await store.deleteAccount(id: account.id)
            #expect(try await store.pushSubscription(id: own.id) == nil, "gone with its account")
        }
    }
}
