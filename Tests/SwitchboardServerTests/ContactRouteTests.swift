import DAVClient
import Foundation
import HTTPTypes
import HummingbirdTesting
import SwitchboardTestSupport
import SwitchboardStore
import Testing

/// Contacts through the API, against a fresh Radicale address book.
@Suite struct ContactRouteTests {
    typealias JSON = [String: Any]

    @Test func contactsAreCreatedSearchedEditedAndDeletedOnTheServer() async throws {
        try await ServerHarness.with { harness in
            let href = harness.peer.annaCalendarHome + Fixtures.unique("contacts") + "/"
            try await harness.peer.withClient { client in try await client.makeAddressBook(href, displayName: "Clients") }
            let book = CollectionRecord(accountID: harness.calendar.accountID, href: href, kind: .addressBook)
            try await harness.store.saveCollection(book)
            // A card made elsewhere, with a photo and an address the API does not speak of.
            let card = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:smith@test\r\nFN:John Smith\r\nN:Smith;John;;;\r\nEMAIL;TYPE=work:john@example.org\r\n"
                + "ADR;TYPE=home:;;1 Main St;Springfield;;12345;USA\r\nX-OTHER-APP:kept\r\nEND:VCARD\r\n"
            try await harness.peer.withClient { client in _ = try await client.createObject(.addressBook, at: href + "smith.vcf", data: card) }
            #expect(try await harness.call(.post, "/v1/collections/\(book.id)/sync", key: harness.keys[.book]).status == 200)

            let key = harness.keys[.book]
            let contacts = "/v1/addressbooks/\(book.id)/contacts"
            let made = try await harness.call(.post, contacts, key: key, json: """
                {"fullName": "Dr. Anna Meier", "givenName": "Anna", "familyName": "Meier", "emails": [{"value": "anna@clinic.example", "type": "work"}],
                 "phones": [{"value": "+49 30 1234", "type": "cell"}], "organization": "Clinic", "note": "Prefers mornings"}
                """)
            #expect(made.status == 201, "\(String(describing: made.body))")
            let created = try #require(made.body as? JSON)
            let id = try #require(created["id"] as? String)
            #expect(created["syncState"] as? String == "synced" && made.headers[.eTag] == created["etag"] as? String)
            let onServer = try await harness.peer.withClient { client in try await client.allObjects(.addressBook, in: href).compactMap(\.data) }
            #expect(onServer.count == 2 && onServer.contains { $0.contains("FN:Dr. Anna Meier") && $0.contains("VERSION:4.0") })

            // Listed by name; searched by name, organization, e-mail or number.
            let all = try #require(try await harness.call(.get, contacts, key: harness.keys[.read]).body as? [JSON])
            #expect(all.map { $0["fullName"] as? String } == ["Dr. Anna Meier", "John Smith"])
            for (query, names) in [("smith", ["John Smith"]), ("CLINIC", ["Dr. Anna Meier"]), ("example.org", ["John Smith"]), ("1234", ["Dr. Anna Meier"])] {
                let found = try #require(try await harness.call(.get, "\(contacts)?q=\(query)", key: harness.keys[.read]).body as? [JSON])
                #expect(found.map { $0["fullName"] as? String } == names, "\(query)")
            }

            // The other card is edited: its fields change, what the API does not speak of stays.
            let smith = try #require(all.last?["id"] as? String)
            let current = try await harness.call(.get, "\(contacts)/\(smith)", key: key)
            let tag = try #require(current.headers[.eTag])
            let edited = try await harness.call(.put, "\(contacts)/\(smith)", key: key,
                                                json: #"{"fullName": "John Q. Smith", "emails": [{"value": "john@smith.example", "type": "home"}]}"#,
                                                headers: [.ifMatch: tag])
            #expect(edited.status == 200 && (edited.body as? JSON)?["fullName"] as? String == "John Q. Smith")
            let stored = try await harness.peer.withClient { client in String(decoding: try await client.get(href + "smith.vcf").body, as: UTF8.self) }
            #expect(stored.contains("FN:John Q. Smith") && stored.contains("john@smith.example") && !stored.contains("john@example.org"))
            #expect(stored.contains("1 Main St") && stored.contains("X-OTHER-APP:kept") && stored.contains("VERSION:3.0"))
            let stale = try await harness.call(.put, "\(contacts)/\(smith)", key: key, json: #"{"fullName": "Old"}"#, headers: [.ifMatch: tag])
            #expect(stale.status == 412 && ServerHarness.problemCode(stale) == "precondition_failed")
            let currentVersion = (stale.body as? JSON)?["current"] as? JSON
            #expect(currentVersion?["fullName"] as? String == "John Q. Smith" && currentVersion?["etag"] as? String == edited.headers[.eTag])

            // Bad requests name the field; other tenants and read keys reach nothing.
            for (json, field) in [(#"{"fullName": ""}"#, "fullName"), (#"{"fullName": "x", "emails": [{"value": "not-an-address"}]}"#, "emails")] {
                let answer = try await harness.call(.post, contacts, key: key, json: json)
                #expect(answer.status == 400 && ((answer.body as? JSON)?["errors"] as? [JSON])?.first?["field"] as? String == field, "\(json)")
            }
            #expect(try await harness.call(.get, contacts, key: harness.otherTenantKey).status == 404)
            #expect(try await harness.call(.delete, "\(contacts)/\(id)", key: harness.keys[.read]).status == 403)
            #expect(try await harness.call(.get, "/v1/addressbooks/\(harness.calendar.id)/contacts", key: key).status == 404, "a calendar is no address book")

            #expect(try await harness.call(.delete, "\(contacts)/\(id)", key: key).status == 204)
            #expect(try await harness.call(.get, "\(contacts)/\(id)", key: key).status == 404)
            let left = try await harness.peer.withClient { client in try await client.allObjects(.addressBook, in: href).compactMap(\.data) }
            #expect(left.count == 1)
        }
    }
}
