import DAVClient
import Foundation
import HTTPTypes
import SwitchboardServer
import SwitchboardTestSupport
import SyncPlanning
import SwitchboardStore
import Testing

/// Manual conflicts through the API: listed with both versions, resolved by a person's
/// choice, and another tenant's invisible.
@Suite struct ConflictRouteTests {
    @Test func aConflictIsListedAndResolvedThroughTheAPI() async throws {
        try await ServerHarness.with { harness in
            var calendar = harness.calendar
            calendar.conflictPolicy = .manual
            try await harness.store.saveCollection(calendar)
            let sync = "/v1/collections/\(calendar.id)/sync"
            let event = { (summary: String) in Fixtures.event(uid: "shared", summary: summary) }
            let href = try await harness.peer.withClient { client in
                try await client.createObject(.calendar, in: calendar.href, data: event("Original"), uid: "shared").href
            }
            #expect(try await harness.call(.post, sync, key: harness.keys[.book]).status == 200)
            let localID = try #require(try await harness.store.items(in: calendar.id).first?.localID)
            try await harness.store.updateItems(in: calendar.id, localIDs: [localID]) { $0.pendingData = event("Ours") }
            try await harness.peer.withClient { client in
                _ = try await client.updateObject(.calendar, at: href, data: event("Theirs"), etag: try await client.currentETag(href))
            }
            #expect(try await harness.call(.post, sync, key: harness.keys[.book]).status == 200)

            let listed = try await harness.call(.get, "/v1/conflicts", key: harness.keys[.read])
            let conflicts = try #require(listed.body as? [[String: Any]])
            #expect(conflicts.count == 1)
            let conflict = try #require(conflicts.first)
            #expect((conflict["local"] as? String)?.contains("SUMMARY:Ours") == true && (conflict["remote"] as? String)?.contains("SUMMARY:Theirs") == true)
            let id = try #require(conflict["id"] as? String)
            // Another tenant sees none and cannot resolve it.
            #expect((try await harness.call(.get, "/v1/conflicts", key: harness.otherTenantKey).body as? [Any])?.isEmpty == true)
            let foreign = try await harness.call(.post, "/v1/conflicts/\(id)/resolve", key: harness.otherTenantKey, json: #"{"keep": "local"}"#)
            #expect(foreign.status == 404)
            // A read key cannot resolve; merged needs its data.
            #expect(try await harness.call(.post, "/v1/conflicts/\(id)/resolve", key: harness.keys[.read], json: #"{"keep": "local"}"#).status == 403)
            #expect(try await harness.call(.post, "/v1/conflicts/\(id)/resolve", key: harness.keys[.book], json: #"{"keep": "merged"}"#).status == 400)

            let resolved = try await harness.call(.post, "/v1/conflicts/\(id)/resolve", key: harness.keys[.book], json: #"{"keep": "local"}"#)
            #expect(resolved.status == 200 && (resolved.body as? [String: Any])?["state"] as? String == "synced", "\(String(describing: resolved.body))")
            let server = try await harness.peer.withClient { client in try await client.get(href) }
            #expect(String(decoding: server.body, as: UTF8.self).contains("SUMMARY:Ours"))
            #expect((try await harness.call(.get, "/v1/conflicts", key: harness.keys[.read]).body as? [Any])?.isEmpty == true)
            #expect(try await harness.call(.post, "/v1/conflicts/\(id)/resolve", key: harness.keys[.book], json: #"{"keep": "local"}"#).status == 404)
        }
    }
}
