import DAVClient
import HTTPTransport
import Foundation
import HTTPTypes
import SwitchboardTestSupport
import SwitchboardStore
import Testing

/// Push from Nextcloud end to end: the server registers webhooks with the stand-in for
/// Nextcloud's webhook_listeners API (every request and answer checked against Nextcloud's
/// OpenAPI document), the stand-in calls back as Nextcloud does, and the calendar named —
/// a real Radicale calendar edited behind the server's back — is synced at once.
@Suite struct PushRouteTests {
    typealias JSON = [String: Any]

    @Test func aSubscribedAccountsCalendarIsSyncedWhenItsServerCallsBack() async throws {
        try await ServerHarness.with(reachable: true) { harness in
            let fake = try await Peer.named("nextcloud-fake")
            let push = "/v1/accounts/\(harness.calendar.accountID)/push"
            let admin = harness.keys[.admin]
            let calendarURI = String(harness.calendar.href.split(separator: "/").last!)
            let events = "/v1/calendars/\(harness.calendar.id)/events?from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z"
            func listed(_ uid: String) async throws -> Bool {
                let answer = try await harness.call(.get, events, key: harness.keys[.read])
                return (answer.body as? [JSON])?.contains { $0["uid"] as? String == uid } == true
            }
            func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
                for _ in 0..<100 {
                    if try await condition() { return true }
                    try await Task.sleep(for: .milliseconds(100))
                }
                return false
            }
            // The first sync runs by itself (the calendar was never synced); after it, the
            // next poll is minutes away.
            let runs = "/v1/collections/\(harness.calendar.id)/runs"
            #expect(try await eventually { (try await harness.call(.get, runs, key: harness.keys[.read]).body as? [JSON])?.isEmpty == false })

            // The stand-in is at another origin than the account's server: the account's
            // password does not go there; credentials for it must be given.
            let ocsURL = fake.baseURL.absoluteString
            let otherOrigin = try await harness.call(.put, push, key: admin, json: #"{"ocsUrl": "\#(ocsURL)"}"#)
            #expect(otherOrigin.status == 422 && ServerHarness.problemCode(otherOrigin) == "credentials_needed")
            // anna is no administrator of the Nextcloud server: the app refuses her.
            let refused = try await harness.call(.put, push, key: admin, json: #"{"ocsUrl": "\#(ocsURL)", "username": "anna", "password": "secret"}"#)
            #expect(refused.status == 422 && ServerHarness.problemCode(refused) == "not_administrator")
            let wrong = try await harness.call(.put, push, key: admin, json: #"{"ocsUrl": "\#(ocsURL)", "username": "admin", "password": "nope"}"#)
            #expect(ServerHarness.problemCode(wrong) == "credentials_refused")
            let half = try await harness.call(.put, push, key: admin, json: #"{"username": "admin"}"#)
            #expect(half.status == 400 && ServerHarness.problemCode(half) == "invalid_request")
            #expect(try await harness.call(.put, push, key: harness.keys[.book], json: "{}").status == 403)
            #expect(try await harness.call(.put, "/v1/accounts/\(harness.calendar.accountID)/push", key: harness.otherTenantKey, json: "{}").status == 404)
            #expect(try await listeners(fake, calling: harness.calendar.accountID).isEmpty)

            let made = try await harness.call(.put, push, key: admin,
                                              json: #"{"ocsUrl": "\#(ocsURL)", "username": "admin", "password": "admin-secret"}"#)
            #expect(made.status == 201)
            let subscription = try #require(made.body as? JSON)
            let id = try #require(subscription["id"] as? String)
            #expect(subscription["registeredAs"] as? String == "admin")
            #expect((subscription["webhookIds"] as? [String])?.count == 7)
            #expect(try await harness.call(.get, push, key: harness.keys[.read]).body as? JSON != nil)
            #expect(ServerHarness.problemCode(try await harness.call(.put, push, key: admin, json: "{}")) == "push_exists")
            let registered = try await listeners(fake, calling: id)
            #expect(registered.count == 7)
            let callback = try #require(subscription["callbackUrl"] as? String)
            #expect(callback.hasPrefix("http://127.0.0.1:") && callback.hasSuffix("/hooks/nextcloud/\(id)"))
            #expect(registered.allSatisfy { $0["uri"] as? String == callback })
            let secret = try #require((registered.first?["headers"] as? [String: String])?["Authorization"])
            #expect(secret.hasPrefix("Bearer sbh_"))

            // Edited behind the server's back, then the server calls: synced at once.
            let pushed = Fixtures.unique("pushed")
            try await put(pushed, harness)
            #expect(try await !listed(pushed))
            let created = try await fire(fake, ["class": #"OCP\Calendar\Events\CalendarObjectCreatedEvent"#,
                                                "calendar": ["uri": calendarURI, "principaluri": "principals/users/anna"]])
            #expect(created.map { $0["status"] as? Int } == [202])
            #expect((created.first?["body"] as? String)?.contains(harness.calendar.id) == true)
            #expect(try await eventually { try await listed(pushed) })

            // A move into the calendar is reported by the listener on the target side.
            let moved = Fixtures.unique("moved")
            try await put(moved, harness)
            let move = try await fire(fake, ["class": #"OCP\Calendar\Events\CalendarObjectMovedEvent"#,
                                             "calendar": ["uri": "personal", "principaluri": "principals/users/bob"],
                                             "target": ["uri": calendarURI, "principaluri": "principals/users/anna"]])
            #expect(move.map { $0["status"] as? Int } == [202])
            #expect(try await eventually { try await listed(moved) })

            // Another user's calendar: Nextcloud's filter keeps the call from being made.
            let elsewhere = try await fire(fake, ["class": #"OCP\Calendar\Events\CalendarObjectUpdatedEvent"#,
                                                  "calendar": ["uri": calendarURI, "principaluri": "principals/users/bob"]])
            #expect(elsewhere.isEmpty)

            // Calls without the secret, with another, or for no subscription are refused.
            let hook = "/hooks/nextcloud/\(id)"
            let body = #"{"event": {"class": "x", "calendarData": {"uri": "\#(calendarURI)", "principaluri": "principals/users/anna"}}}"#
            for (path, credential) in [(hook, nil), (hook, "sbh_wrong"), ("/hooks/nextcloud/nobody", String(secret.dropFirst(7)))] {
                let answer = try await harness.call(.post, path, key: credential, json: body)
                #expect(answer.status == 401, "\(path)")
            }
            // An API key is no hook secret either.
            #expect(try await harness.call(.post, hook, key: admin, json: body).status == 401)
            let accepted = try await harness.call(.post, hook, key: String(secret.dropFirst(7)), json: body)
            #expect(accepted.status == 202 && (accepted.body as? JSON)?["collectionIds"] as? [String] == [harness.calendar.id])
            let unknownCalendar = try await harness.call(.post, hook, key: String(secret.dropFirst(7)),
                                                         json: #"{"event": {"class": "x", "calendarData": {"uri": "other", "principaluri": "principals/users/anna"}}}"#)
            #expect(unknownCalendar.status == 202 && (unknownCalendar.body as? JSON)?["collectionIds"] as? [String] == [])

            // Unsubscribing removes the webhooks from the server.
            #expect(try await harness.call(.delete, push, key: admin).status == 204)
            #expect(try await listeners(fake, calling: id).isEmpty)
            #expect(try await harness.call(.get, push, key: admin).status == 404)
            #expect(try await harness.call(.post, hook, key: String(secret.dropFirst(7)), json: body).status == 401)

            // Forgetting the account removes its webhooks from the server too.
            let again = try await harness.call(.put, push, key: admin,
                                               json: #"{"ocsUrl": "\#(ocsURL)", "username": "admin", "password": "admin-secret"}"#)
            let againID = try #require((again.body as? JSON)?["id"] as? String)
            #expect(try await listeners(fake, calling: againID).count == 7)
            #expect(try await harness.call(.delete, "/v1/accounts/\(harness.calendar.accountID)", key: admin).status == 204)
            #expect(try await listeners(fake, calling: againID).isEmpty)
            #expect(try await PlatformFake.violations(fake) == [])
        }
    }

    func put(_ uid: String, _ harness: ServerHarness) async throws {
        try await harness.peer.withClient { client in
            _ = try await client.createObject(.calendar, at: harness.calendar.href + "\(uid).ics", data: EventRouteTests.object(uid: uid, summary: uid))
        }
    }

    /// The stand-in's registered webhooks whose URI names `id`.
    func listeners(_ fake: Peer, calling id: String) async throws -> [JSON] {
        try await exchange(fake, "GET", "_fake/listeners").filter { ($0["uri"] as? String)?.contains(id) == true }
    }

    /// Has the stand-in play an event; its calls' statuses and bodies.
    func fire(_ fake: Peer, _ event: JSON) async throws -> [JSON] {
        let answer = try await exchange(fake, "POST", "_fake/fire", body: event)
        return answer.first?["calls"] as? [JSON] ?? []
    }

    private func exchange(_ fake: Peer, _ method: String, _ path: String, body: JSON? = nil) async throws -> [JSON] {
        try await HTTPTransport.withTransport(configuration: ClientConfiguration()) { transport in
            let bytes = try body.map { Array(try JSONSerialization.data(withJSONObject: $0)) }
            let response = try await transport.send(HTTPRequest(method: method, url: fake.baseURL.appending(path: path), body: bytes))
            let decoded = try JSONSerialization.jsonObject(with: Data(response.body))
            return decoded as? [JSON] ?? [decoded as? JSON].compactMap { $0 }
        }
    }
}
