import DAVClient
import HTTPTransport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SwitchboardTestSupport
import SyncPlanning
import SwitchboardStore
import Testing

/// Collections and events through the API, against a real Radicale calendar.
@Suite struct EventRouteTests {
    typealias JSON = [String: Any]

    @Test func collectionsAreTheTenantsAndTheirSettingsAndSyncLogAnswer() async throws {
        try await ServerHarness.with { harness in
            let listed = try await harness.call(.get, "/v1/collections", key: harness.keys[.read])
            let mine = try #require(listed.body as? [JSON])
            #expect(mine.map { $0["id"] as? String } == [harness.calendar.id] && mine.first?["kind"] as? String == "calendar")
            let theirs = try await harness.call(.get, "/v1/collections", key: harness.otherTenantKey)
            #expect((theirs.body as? [Any])?.isEmpty == true)

            let uri = "/v1/collections/\(harness.calendar.id)"
            let change = #"{"syncIntervalSeconds": 900, "conflictPolicy": "manual", "enabled": false}"#
            let refused = try await harness.call(.patch, uri, key: harness.keys[.book], json: change)
            #expect(refused.status == 403)
            let changed = try await harness.call(.patch, uri, key: harness.keys[.admin], json: change)
            let body = try #require(changed.body as? JSON)
            #expect(body["syncIntervalSeconds"] as? Int == 900 && body["conflictPolicy"] as? String == "manual" && body["enabled"] as? Bool == false)
            let stored = try await harness.store.collections(accountID: nil).first { $0.id == harness.calendar.id }
            #expect(stored?.syncInterval == 900 && stored?.conflictPolicy == .manual && stored?.enabled == false)
            let tooOften = try await harness.call(.patch, uri, key: harness.keys[.admin], json: #"{"syncIntervalSeconds": 5}"#)
            #expect(tooOften.status == 400 && ServerHarness.problemCode(tooOften) == "invalid_request")
            let elsewhere = try await harness.call(.patch, uri, key: harness.otherTenantKey, json: change)
            #expect(elsewhere.status == 404)

            // A run now, then the log; the other tenant can do neither.
            try await harness.peer.withClient { client in
                _ = try await client.createObject(.calendar, at: harness.calendar.href + "seen.ics", data: Self.object(uid: "seen", summary: "Seen"))
            }
            let run = try await harness.call(.post, "\(uri)/sync", key: harness.keys[.book])
            let record = try #require(run.body as? JSON)
            #expect(run.status == 200 && record["failure"] == nil && (record["counts"] as? JSON)?["downloaded"] as? Int == 1, "\(record)")
            let log = try await harness.call(.get, "\(uri)/runs?limit=5", key: harness.keys[.read])
            #expect((log.body as? [JSON])?.first?["id"] as? String == record["id"] as? String)
            #expect(try await harness.call(.post, "\(uri)/sync", key: harness.otherTenantKey).status == 404)
            #expect(try await harness.call(.get, "\(uri)/runs", key: harness.otherTenantKey).status == 404)
        }
    }

    @Test func eventsAreCreatedEditedAndDeletedOnTheServerWithVersionChecks() async throws {
        try await ServerHarness.with { harness in
            let key = harness.keys[.book]
            let events = "/v1/calendars/\(harness.calendar.id)/events"
            // Mondays 09:00–10:00 Berlin from 26 October 2026 (after the change to winter time), four times.
            let weekly = #"{"summary": "Team", "start": "2026-10-26T08:00:00Z", "end": "2026-10-26T09:00:00Z", "timeZone": "Europe/Berlin", "recurrence": "FREQ=WEEKLY;COUNT=4", "location": "Room 1"}"#
            let made = try await harness.call(.post, events, key: key, json: weekly)
            #expect(made.status == 201, "\(String(describing: made.body))")
            let created = try #require(made.body as? JSON)
            let id = try #require(created["id"] as? String)
            let firstTag = try #require(created["etag"] as? String)
            #expect(made.headers[.eTag] == firstTag && created["syncState"] as? String == "synced", "\(made.headers)")
            #expect(created["timeZone"] as? String == "Europe/Berlin" && created["recurrence"] as? String == "FREQ=WEEKLY;COUNT=4")
            let onServer = try await serverObjects(harness)
            #expect(onServer.count == 1 && onServer[0].contains("DTSTART;TZID=Europe/Berlin:20261026T090000") && onServer[0].contains("BEGIN:VTIMEZONE"))

            let window = "from=2026-10-01T00:00:00Z&to=2026-12-31T00:00:00Z"
            let occurrences = try #require(try await harness.call(.get, "\(events)?\(window)", key: key).body as? [JSON])
            #expect(occurrences.map { $0["start"] as? String } == ["2026-10-26T08:00:00Z", "2026-11-02T08:00:00Z", "2026-11-09T08:00:00Z", "2026-11-16T08:00:00Z"])
            #expect(occurrences.allSatisfy { $0["id"] as? String == id && $0["occurrence"] != nil })
            let masters = try #require(try await harness.call(.get, "\(events)?\(window)&expand=false", key: key).body as? [JSON])
            #expect(masters.count == 1 && masters.first?["occurrence"] == nil)

            // One occurrence moves (based on the current version).
            let moved = #"{"summary": "Team (moved)", "start": "2026-11-03T13:00:00Z", "end": "2026-11-03T14:00:00Z", "timeZone": "Europe/Berlin"}"#
            let second = "occurrence=2026-11-02T08:00:00Z"
            let edited = try await harness.call(.put, "\(events)/\(id)?\(second)", key: key, json: moved, headers: [.ifMatch: firstTag])
            #expect(edited.status == 200, "\(String(describing: edited.body))")
            let secondTag = try #require((edited.body as? JSON)?["etag"] as? String)
            #expect(secondTag != firstTag)
            let afterMove = try #require(try await harness.call(.get, "\(events)?\(window)", key: key).body as? [JSON])
            #expect(afterMove.map { $0["summary"] as? String } == ["Team", "Team (moved)", "Team", "Team"])
            #expect(afterMove[1]["start"] as? String == "2026-11-03T13:00:00Z" && afterMove[1]["occurrence"] as? String == "2026-11-02T08:00:00Z")

            // A change based on an old version is refused with the current one.
            let stale = try await harness.call(.put, "\(events)/\(id)", key: key, json: weekly, headers: [.ifMatch: firstTag])
            #expect(stale.status == 412 && ServerHarness.problemCode(stale) == "precondition_failed")
            #expect(((stale.body as? JSON)?["current"] as? JSON)?["etag"] as? String == secondTag)

            // Someone edits the event on the server: the version the client holds is old now.
            let item = try #require(try await harness.store.item(in: harness.calendar.id, localID: id))
            let href = try #require(item.href)
            try await harness.peer.withClient { client in
                let current = try await client.get(href)
                let text = String(decoding: current.body, as: UTF8.self).replacingOccurrences(of: "LOCATION:Room 1", with: "LOCATION:Room 9")
                _ = try await client.updateObject(.calendar, at: href, data: text, etag: current.etag)
            }
            let raced = try await harness.call(.put, "\(events)/\(id)", key: key, json: weekly, headers: [.ifMatch: secondTag])
            #expect(raced.status == 412)
            let current = try #require(try await harness.call(.get, "\(events)/\(id)", key: key))
            #expect((current.body as? JSON)?["location"] as? String == "Room 9" && current.headers[.eTag] != secondTag)

            // This and the following: the series ends before the third, a new one carries on.
            let later = #"{"summary": "Team (late)", "start": "2026-11-09T14:00:00Z", "end": "2026-11-09T15:00:00Z", "timeZone": "Europe/Berlin"}"#
            let split = try await harness.call(.put, "\(events)/\(id)?occurrence=2026-11-09T08:00:00Z&range=thisAndFuture", key: key, json: later,
                                               headers: [.ifMatch: try #require(current.headers[.eTag])])
            #expect(split.status == 200, "\(String(describing: split.body))")
            let futureID = try #require((split.body as? JSON)?["id"] as? String)
            #expect(futureID != id && (split.body as? JSON)?["recurrence"] as? String == "FREQ=WEEKLY;COUNT=2")
            let afterSplit = try #require(try await harness.call(.get, "\(events)?\(window)", key: key).body as? [JSON])
            #expect(afterSplit.map { $0["start"] as? String } == ["2026-10-26T08:00:00Z", "2026-11-03T13:00:00Z", "2026-11-09T14:00:00Z", "2026-11-16T14:00:00Z"])
            #expect(try await serverObjects(harness).count == 2)

            // Deleting one occurrence leaves the rest; deleting the event removes it from the server.
            let oneGone = try await harness.call(.delete, "\(events)/\(futureID)?occurrence=2026-11-16T14:00:00Z", key: key)
            #expect(oneGone.status == 200)
            #expect(try await harness.call(.get, "\(events)?\(window)", key: key).body.map { ($0 as? [JSON])?.count } == 3)
            #expect(try await harness.call(.delete, "\(events)/\(futureID)", key: key).status == 204)
            #expect(try await harness.call(.delete, "\(events)/\(id)", key: key, headers: [.ifMatch: "\"stale\""]).status == 412)
            #expect(try await harness.call(.delete, "\(events)/\(id)", key: key).status == 204)
            #expect(try await harness.call(.get, "\(events)/\(id)", key: key).status == 404)
            #expect(try await serverObjects(harness).isEmpty)
        }
    }

    @Test func allDayEventsAndRequestsThatCannotBeEvents() async throws {
        try await ServerHarness.with { harness in
            let key = harness.keys[.book]
            let events = "/v1/calendars/\(harness.calendar.id)/events"
            let day = try await harness.call(.post, events, key: key, json: #"{"summary": "Away", "startDate": "2026-12-24"}"#)
            let created = try #require(day.body as? JSON)
            #expect(created["allDay"] as? Bool == true && created["startDate"] as? String == "2026-12-24" && created["endDate"] as? String == "2026-12-25")
            #expect(try await serverObjects(harness).first?.contains("DTSTART;VALUE=DATE:20261224") == true)
            let id = try #require(created["id"] as? String)

            let cases: [(HTTPRequest.Method, String, String?, Int, String, String?)] = [
                (.post, events, #"{"summary": "x", "start": "2026-12-01T10:00:00Z"}"#, 400, "invalid_request", "start"),
                (.post, events, #"{"summary": "x", "start": "2026-12-01T10:00:00Z", "end": "2026-12-01T09:00:00Z"}"#, 400, "invalid_request", "end"),
                (.post, events, #"{"summary": "x", "start": "2026-12-01T10:00:00Z", "end": "2026-12-01T11:00:00Z", "timeZone": "Mars/Olympus"}"#,
                 400, "invalid_request", "timeZone"),
                (.post, events, #"{"summary": "x", "startDate": "2026-13-01"}"#, 400, "invalid_request", "startDate"),
                (.post, events, #"{"summary": "x", "startDate": "2026-12-01", "recurrence": "FREQ=SOMETIMES"}"#, 400, "invalid_request", "recurrence"),
                (.put, "\(events)/\(id)?occurrence=2026-12-24T00:00:00Z", #"{"summary": "x", "startDate": "2026-12-24"}"#, 400, "invalid_request", "occurrence"),
                (.put, "\(events)/\(id)?range=thisAndFuture", #"{"summary": "x", "startDate": "2026-12-24"}"#, 400, "invalid_request", "occurrence"),
                (.get, "\(events)/nothing", nil, 404, "event_not_found", nil),
                (.get, "/v1/calendars/nothing/events?from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z", nil, 404, "calendar_not_found", nil),
            ]
            for (method, uri, json, status, code, field) in cases {
                let answer = try await harness.call(method, uri, key: key, json: json)
                #expect(answer.status == status && ServerHarness.problemCode(answer) == code, "\(uri) \(json ?? "") → \(answer.status) \(String(describing: answer.body))")
                if let field {
                    let fields = ((answer.body as? JSON)?["errors"] as? [JSON])?.compactMap { $0["field"] as? String }
                    #expect(fields == [field], "\(uri) \(json ?? "")")
                }
            }
            // Another tenant, and a read key, reach none of it.
            for (method, uri) in [(HTTPRequest.Method.get, "\(events)/\(id)"), (.delete, "\(events)/\(id)")] {
                let answer = try await harness.call(method, uri, key: harness.otherTenantKey)
                #expect(answer.status == 404 && ServerHarness.problemCode(answer) == "calendar_not_found")
            }
            #expect(try await harness.call(.delete, "\(events)/\(id)", key: harness.keys[.read]).status == 403)
            #expect(try await serverObjects(harness).count == 1)
        }
    }

    @Test func theServerKeepsCalendarsSyncedAndCountsItsRuns() async throws {
        try await ServerHarness.with(backgroundSync: true) { harness in
            let uid = Fixtures.unique("background")
            try await harness.peer.withClient { client in
                _ = try await client.createObject(.calendar, at: harness.calendar.href + "\(uid).ics", data: Self.object(uid: uid, summary: "Background"))
            }
            // Nobody asks for a sync: the service runs one (the calendar was never synced), and
            // again a second later should the first have run before the object was there.
            if var calendar = try await harness.store.collections(accountID: nil).first(where: { $0.id == harness.calendar.id }) {
                calendar.syncInterval = 1
                try await harness.store.saveCollection(calendar)
            }
            let events = "/v1/calendars/\(harness.calendar.id)/events?from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z"
            var seen = false
            for _ in 0..<100 where !seen {
                let listed = try await harness.call(.get, events, key: harness.keys[.read])
                seen = (listed.body as? [JSON])?.contains { $0["uid"] as? String == uid } == true
                if !seen { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(seen)
            let metrics = try await harness.client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer " + ServerHarness.metricsToken]) {
                String(buffer: $0.body)
            }
            #expect(metrics.contains(#"switchboard_sync_runs_total{result="ok"}"#), "\(metrics)")
            #expect(metrics.contains(#"switchboard_sync_items_total{change="downloaded"}"#))
        }
    }

    func serverObjects(_ harness: ServerHarness) async throws -> [String] {
        try await harness.peer.withClient { client in try await client.allObjects(.calendar, in: harness.calendar.href).compactMap(\.data) }
    }

    static func object(uid: String, summary: String) -> String {
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\nBEGIN:VEVENT\r\nUID:\(uid)\r\nDTSTAMP:20260101T000000Z\r\n"
            + "DTSTART:20261201T100000Z\r\nDTEND:20261201T110000Z\r\nSUMMARY:\(summary)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    }
}
