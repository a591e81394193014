import Foundation
import HTTPTypes
import SwitchboardStore
import SwitchboardTestSupport
import Testing

/// `/v1/nextcloud/{accountId}/…` over a Nextcloud account of the tenant, against the stand-in
/// that checks each exchange against Nextcloud's documents; the other tenant reaches nothing.
@Suite struct NextcloudRouteTests {
    typealias JSON = [String: Any]

    @Test func usersGroupsAndSharesThroughTheAPI() async throws {
        let fake = try await Peer.named("nextcloud-fake")
        try await ServerHarness.with { harness in
            let wrong = try await harness.call(.post, "/v1/accounts", key: harness.keys[.admin],
                                               json: #"{"name": "cloud", "url": "\#(fake.baseURL.absoluteString)", "username": "admin", "password": "nope", "kind": "nextcloud"}"#)
            #expect(wrong.status >= 400 && wrong.status != 500, "\(String(describing: wrong.body))")
            let made = try await harness.call(.post, "/v1/accounts", key: harness.keys[.admin],
                                              json: #"{"name": "cloud", "url": "\#(fake.baseURL.absoluteString)", "username": "admin", "password": "admin-secret", "kind": "nextcloud"}"#)
            #expect(made.status == 201, "\(String(describing: made.body))")
            let account = try #require((made.body as? JSON)?["id"] as? String)
            let base = "/v1/nextcloud/\(account)"
            let user = "u-" + UUID().uuidString.prefix(8).lowercased()
            let group = "g-" + UUID().uuidString.prefix(8).lowercased()
            let folder = "Praxis/" + group

            #expect(try await harness.call(.post, "\(base)/groups", key: harness.keys[.admin], json: #"{"id": "\#(group)", "displayName": "Praxis"}"#).status == 204)
            #expect(try await harness.call(.post, "\(base)/users", key: harness.keys[.read], json: #"{"id": "\#(user)"}"#).status == 403)
            let created = try await harness.call(.post, "\(base)/users", key: harness.keys[.admin],
                                                 json: #"{"id": "\#(user)", "email": "\#(user)@example.test", "displayName": "Dr. Ada", "groups": ["\#(group)"]}"#)
            #expect(created.status == 201 && (created.body as? JSON)?["groups"] as? [String] == [group], "\(String(describing: created.body))")
            let taken = try await harness.call(.post, "\(base)/users", key: harness.keys[.admin], json: #"{"id": "\#(user)"}"#)
            #expect(taken.status == 422 && (taken.body as? JSON)?["code"] as? String == "upstream_rejected")
            #expect(try await harness.call(.post, "\(base)/users", key: harness.keys[.admin], json: #"{"id": "../groups"}"#).status == 400)

            let found = try await harness.call(.get, "\(base)/users?search=\(user)", key: harness.keys[.read])
            #expect((found.body as? JSON)?["ids"] as? [String] == [user])
            let changed = try await harness.call(.patch, "\(base)/users/\(user)", key: harness.keys[.admin], json: #"{"displayName": "Ada", "enabled": false}"#)
            #expect((changed.body as? JSON)?["displayName"] as? String == "Ada" && (changed.body as? JSON)?["enabled"] as? Bool == false,
                    "\(String(describing: changed.body))")
            let sharees = try await harness.call(.get, "\(base)/sharees?search=\(group)", key: harness.keys[.read])
            #expect((sharees.body as? [JSON])?.first?["with"] as? String == group && (sharees.body as? [JSON])?.first?["exact"] as? Bool == true,
                    "\(String(describing: sharees.body))")
            #expect(((try await harness.call(.get, "\(base)/groups/\(group)/members", key: harness.keys[.read]).body as? JSON)?["ids"] as? [String]) == [user])

            let share = try await harness.call(.post, "\(base)/shares", key: harness.keys[.admin],
                                               json: #"{"path": "\#(folder)", "type": "group", "with": "\#(group)", "permissions": 1, "expires": "2027-03-31"}"#)
            #expect(share.status == 201 && (share.body as? JSON)?["type"] as? String == "group", "\(String(describing: share.body))")
            let shareID = try #require((share.body as? JSON)?["id"] as? String)
            #expect(try await harness.call(.post, "\(base)/shares", key: harness.keys[.admin], json: #"{"path": "x", "type": "user"}"#).status == 400)
            let listed = try await harness.call(.get, "\(base)/shares?path=Praxis%2F\(group)", key: harness.keys[.read])
            #expect((listed.body as? [JSON])?.map { $0["id"] as? String } == [shareID])
            #expect(try await harness.call(.delete, "\(base)/shares/\(shareID)", key: harness.keys[.admin]).status == 204)

            // A calendar account (kind dav) is no Nextcloud: refused before anything is sent.
            let dav = try await harness.call(.get, "/v1/nextcloud/\(harness.calendar.accountID)/users", key: harness.keys[.read])
            #expect(dav.status == 409 && (dav.body as? JSON)?["code"] as? String == "not_nextcloud", "\(String(describing: dav.body))")
            // The other tenant: the account is not there.
            #expect(try await harness.call(.get, "\(base)/users", key: harness.otherTenantKey).status == 404)

            #expect(try await harness.call(.delete, "\(base)/users/\(user)", key: harness.keys[.admin]).status == 204)
            let gone = try await harness.call(.get, "\(base)/users/\(user)", key: harness.keys[.read])
            #expect(gone.status == 404 && (gone.body as? JSON)?["code"] as? String == "upstream_not_found")
            #expect(try await harness.call(.delete, "\(base)/groups/\(group)", key: harness.keys[.admin]).status == 204)
        }
        let violations = try await PlatformFake.violations(fake)
        #expect(violations.isEmpty, "\(violations)")
    }
}
