import Foundation
import HTTPTypes
import SwitchboardStore
import SwitchboardTestSupport
import Testing

/// `/v1/workspaces` over the tenant's Nextcloud, OpenProject and Zulip accounts: made, a
/// failed step answered and resumed, archived; the other tenant reaches nothing.
@Suite struct WorkspaceRouteTests {
    typealias JSON = [String: Any]

    @Test func aWorkspaceIsMadeResumedAndArchivedThroughTheAPI() async throws {
        let (nextcloud, openProject, zulip) = (try await Peer.named("nextcloud-fake"), try await Peer.named("openproject-fake"), try await Peer.named("zulip-fake"))
        try await ServerHarness.with { harness in
            func add(_ name: String, _ fake: Peer, _ user: String, _ password: String, _ kind: String) async throws -> String {
                let made = try await harness.call(.post, "/v1/accounts", key: harness.keys[.admin],
                                                  json: #"{"name": "\#(name)", "url": "\#(fake.baseURL.absoluteString)", "username": "\#(user)", "password": "\#(password)", "kind": "\#(kind)"}"#)
                return try #require((made.body as? JSON)?["id"] as? String, "\(String(describing: made.body))")
            }
            let ids = (try await add("cloud", nextcloud, "admin", "admin-secret", "nextcloud"), try await add("op", openProject, "apikey", "op-admin-key", "openproject"),
                       try await add("chat", zulip, "bot@zulip.test", "zulip-bot-key", "zulip"))
            let name = "team-" + UUID().uuidString.prefix(8).lowercased()
            let body = #"{"name": "\#(name)", "members": ["anna@zulip.test"], "nextcloudAccountId": "\#(ids.0)", "openProjectAccountId": "\#(ids.1)", "zulipAccountId": "\#(ids.2)"}"#

            #expect(try await harness.call(.post, "/v1/workspaces", key: harness.keys[.book], json: body).status == 403)
            try await PlatformFake.inject(zulip, prefix: "/api/v1/users/me/subscriptions", #"{"status": 500, "method": "POST", "contains": "\#(name)"}"#)
            let failed = try await harness.call(.post, "/v1/workspaces", key: harness.keys[.admin], json: body)
            #expect(failed.status == 502 && (failed.body as? JSON)?["code"] as? String == "workspace_step_failed", "\(String(describing: failed.body))")
            try await PlatformFake.clearFaults(zulip, contains: name)
            let listed = try await harness.call(.get, "/v1/workspaces", key: harness.keys[.read])
            let id = try #require((listed.body as? [JSON])?.first { $0["name"] as? String == name }?["id"] as? String)
            let stopped = try await harness.call(.get, "/v1/workspaces/\(id)", key: harness.keys[.read])
            #expect((stopped.body as? JSON)?["state"] as? String == "failed")
            #expect(((stopped.body as? JSON)?["steps"] as? [JSON])?.last?["name"] as? String == "zulip.stream")

            let ready = try await harness.call(.post, "/v1/workspaces", key: harness.keys[.admin], json: body)
            #expect(ready.status == 201 && (ready.body as? JSON)?["state"] as? String == "ready", "\(String(describing: ready.body))")
            #expect(try await harness.call(.get, "/v1/workspaces/\(id)", key: harness.otherTenantKey).status == 404)
            let archived = try await harness.call(.post, "/v1/workspaces/\(id)/archive", key: harness.keys[.admin])
            #expect(archived.status == 200 && (archived.body as? JSON)?["state"] as? String == "archived", "\(String(describing: archived.body))")
            #expect(try await harness.call(.post, "/v1/workspaces", key: harness.keys[.admin], json: body).status == 409)
        }
        for fake in [nextcloud, openProject, zulip] {
            #expect(try await PlatformFake.violations(fake).isEmpty)
        }
    }
}
