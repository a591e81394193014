import Foundation
import SwitchboardTestSupport
import SwitchboardStore
import Testing

/// Mail accounts, on both drivers.
@Suite struct MailAccountStoreTests {
    @Test(arguments: StoreDriver.allCases)
    func accountsAreKeptListedByNameUniqueAndForgotten(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let name = Fixtures.unique("mail")
            let account = MailAccountRecord(name: name, imapURL: "imaps://mail.example.test", smtpURL: "smtps://mail.example.test", username: "anna",
                                            sealedPassword: [9, 8, 7], address: "anna@example.test", trustedCertificatesPEM: "-----BEGIN CERTIFICATE-----",
                                            createdAt: Date(timeIntervalSince1970: 1_800_000_000))
            try await store.saveMailAccount(account)
            #expect(try await store.mailAccount(id: account.id) == account)
            #expect(try await store.mailAccounts().contains(account))

            let twin = MailAccountRecord(name: name, imapURL: "imap://other.test", smtpURL: "smtp://other.test", username: "bob", sealedPassword: [1],
                                         address: "bob@example.test")
            #expect(await thrownError(StoreError.self) { try await store.saveMailAccount(twin) }?.code == .constraint)

            #expect(try await store.deleteMailAccount(id: account.id))
            #expect(try await !store.deleteMailAccount(id: account.id))
            #expect(try await store.mailAccount(id: account.id) == nil)
        }
    }
}
