import DAVClient
import Foundation
import HTTPTypes
import HummingbirdTesting
import SwitchboardTestSupport
import SwitchboardStore
import Testing

/// Connecting accounts through the API: tested against Radicale before anything is kept,
/// held to the network policy, and kept apart per tenant.
@Suite struct AccountRouteTests {
    typealias JSON = [String: Any]

    static func connect(_ url: String, name: String = "home", password: String = "secret") -> String {
        #"{"name": "\#(name)", "url": "\#(url)", "username": "anna", "password": "\#(password)", "syncIntervalSeconds": 600}"#
    }

    @Test func connectSyncAndReadEventsThenForget() async throws {
        try await ServerHarness.with { harness in
            let admin = harness.keys[.admin]
            let server = harness.peer.baseURL.absoluteString
            let made = try await harness.call(.post, "/v1/accounts", key: admin, json: Self.connect(server))
            #expect(made.status == 201, "\(String(describing: made.body))")
            let account = try #require(made.body as? JSON)
            #expect(account["name"] as? String == "home" && account["password"] == nil)
            let collections = try #require(account["collections"] as? [JSON])
            let calendar = try #require(collections.first { $0["href"] as? String == harness.peer.annaCalendarHome + "def-calendar/" })
            #expect(calendar["syncIntervalSeconds"] as? Int == 600 && collections.contains { $0["kind"] as? String == "addressbook" })
            let stored = try await harness.store.accounts().first { $0.id == account["id"] as? String }
            #expect(stored?.name.hasSuffix("/home") == true && stored?.sealedPassword != nil && stored?.sealedPassword != Array("secret".utf8))

            // The account's calendar syncs and its events are there to read.
            let calendarID = try #require(calendar["id"] as? String)
            let uid = Fixtures.unique("connected")
            try await harness.peer.withClient { client in
                _ = try await client.createObject(.calendar, at: harness.peer.annaCalendarHome + "def-calendar/\(uid).ics",
                                                  data: EventRouteTests.object(uid: uid, summary: "Connected"))
            }
            let run = try await harness.call(.post, "/v1/collections/\(calendarID)/sync", key: harness.keys[.book])
            #expect((run.body as? JSON)?["failure"] == nil)
            let events = try await harness.call(.get, "/v1/calendars/\(calendarID)/events?from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z",
                                                key: harness.keys[.read])
            #expect((events.body as? [JSON])?.contains { $0["uid"] as? String == uid && $0["summary"] as? String == "Connected" } == true)

            let twice = try await harness.call(.post, "/v1/accounts", key: admin, json: Self.connect(server))
            #expect(twice.status == 409 && ServerHarness.problemCode(twice) == "name_taken")
            let listed = try await harness.call(.get, "/v1/accounts", key: harness.keys[.read])
            #expect((listed.body as? [JSON])?.map { $0["name"] as? String }.contains("home") == true)
            #expect((try await harness.call(.get, "/v1/accounts", key: harness.otherTenantKey).body as? [Any])?.isEmpty == true)

            let id = try #require(account["id"] as? String)
            #expect(try await harness.call(.delete, "/v1/accounts/\(id)", key: harness.otherTenantKey).status == 404)
            #expect(try await harness.call(.delete, "/v1/accounts/\(id)", key: harness.keys[.book]).status == 403)
            #expect(try await harness.call(.delete, "/v1/accounts/\(id)", key: admin).status == 204)
            #expect(try await harness.store.collections(accountID: id).isEmpty)
        }
    }

    @Test func accountsThatCannotBeConnectedAreNotKept() async throws {
        try await ServerHarness.with { harness in
            let admin = harness.keys[.admin]
            let port = harness.peer.baseURL.port ?? 0
            let cases: [(String, Int, String, String?)] = [
                (Self.connect(harness.peer.baseURL.absoluteString, name: "wrong", password: "not-it"), 422, "credentials_refused", nil),
                // Only 127.0.0.1 is allowed here: the metadata address, another loopback
                // address and a name that resolves to one are not.
                (Self.connect("http://169.254.169.254/latest/"), 400, "destination_refused", "url"),
                (Self.connect("http://127.0.0.2:\(port)/"), 400, "destination_refused", "url"),
                (Self.connect("http://[::1]:\(port)/"), 400, "destination_refused", "url"),
                (Self.connect("ftp://example.org/"), 400, "invalid_request", "url"),
                (Self.connect(harness.peer.baseURL.absoluteString, name: "a/b"), 400, "invalid_request", "name"),
                (Self.connect("http://127.0.0.1:1/"), 422, "connection_failed", nil),
            ]
            for (json, status, code, field) in cases {
                let answer = try await harness.call(.post, "/v1/accounts", key: admin, json: json)
                #expect(answer.status == status && ServerHarness.problemCode(answer) == code, "\(json) → \(answer.status) \(String(describing: answer.body))")
                if let field {
                    #expect(((answer.body as? JSON)?["errors"] as? [JSON])?.first?["field"] as? String == field)
                }
            }
            let refused = try await harness.call(.post, "/v1/accounts", key: harness.keys[.book], json: Self.connect(harness.peer.baseURL.absoluteString))
            #expect(refused.status == 403)
            #expect(try await harness.store.accounts().count == 1, "only the harness's own account")
        }
    }
}
