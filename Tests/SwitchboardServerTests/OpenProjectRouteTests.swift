import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SwitchboardStore
import SwitchboardTestSupport
import Testing

/// `/v1/openproject/{accountId}/…` over an OpenProject account of the tenant, against the
/// stand-in that checks each exchange against OpenProject's document.
@Suite struct OpenProjectRouteTests {
    typealias JSON = [String: Any]

    @Test func projectsWorkPackagesAndTimeThroughTheAPI() async throws {
        let fake = try await Peer.named("openproject-fake")
        try await ServerHarness.with { harness in
            let made = try await harness.call(.post, "/v1/accounts", key: harness.keys[.admin],
                                              json: #"{"name": "op", "url": "\#(fake.baseURL.absoluteString)", "username": "apikey", "password": "op-admin-key", "kind": "openproject"}"#)
            #expect(made.status == 201, "\(String(describing: made.body))")
            let account = try #require((made.body as? JSON)?["id"] as? String)
            let base = "/v1/openproject/\(account)"
            let identifier = "api-" + UUID().uuidString.prefix(8).lowercased()

            #expect(try await harness.call(.post, "\(base)/projects", key: harness.keys[.book], json: #"{"name": "P", "identifier": "\#(identifier)"}"#).status == 403)
            let project = try await harness.call(.post, "\(base)/projects", key: harness.keys[.admin], json: #"{"name": "Praxis", "identifier": "\#(identifier)"}"#)
            #expect(project.status == 201, "\(String(describing: project.body))")
            let projectID = try #require((project.body as? JSON)?["id"] as? Int)
            let taken = try await harness.call(.post, "\(base)/projects", key: harness.keys[.admin], json: #"{"name": "Again", "identifier": "\#(identifier)"}"#)
            #expect(taken.status == 422 && (taken.body as? JSON)?["code"] as? String == "upstream_rejected", "\(String(describing: taken.body))")

            let created = try await harness.call(.post, "\(base)/work-packages", key: harness.keys[.book],
                                                 json: #"{"project": \#(projectID), "subject": "Order gloves", "type": "Task", "dueDate": "2026-12-24"}"#)
            #expect(created.status == 201 && (created.body as? JSON)?["type"] as? String == "Task", "\(String(describing: created.body))")
            let id = try #require((created.body as? JSON)?["id"] as? Int)
            let listed = try await harness.call(.get, "\(base)/work-packages?project=\(projectID)&status=open", key: harness.keys[.read])
            #expect((listed.body as? [JSON])?.map { $0["id"] as? Int } == [id], "\(String(describing: listed.body))")

            let changed = try await harness.call(.patch, "\(base)/work-packages/\(id)", key: harness.keys[.book], json: #"{"lockVersion": 0, "status": "In progress"}"#)
            #expect(changed.status == 200 && (changed.body as? JSON)?["status"] as? String == "In progress", "\(String(describing: changed.body))")
            let stale = try await harness.call(.patch, "\(base)/work-packages/\(id)", key: harness.keys[.book], json: #"{"lockVersion": 0, "subject": "lost"}"#)
            #expect(stale.status == 409 && (stale.body as? JSON)?["code"] as? String == "upstream_conflict", "\(String(describing: stale.body))")
            let unknown = try await harness.call(.patch, "\(base)/work-packages/\(id)", key: harness.keys[.book], json: #"{"status": "Parked"}"#)
            #expect(unknown.status == 422, "\(String(describing: unknown.body))")
            #expect(try await harness.call(.post, "\(base)/work-packages/\(id)/comments", key: harness.keys[.book], json: #"{"text": "Ordered"}"#).status == 204)
            let logged = try await harness.call(.post, "\(base)/time-entries", key: harness.keys[.book], json: #"{"workPackage": \#(id), "hours": 0.75}"#)
            #expect(logged.status == 201 && (logged.body as? JSON)?["hours"] as? Double == 0.75, "\(String(describing: logged.body))")
            #expect(try await harness.call(.get, "\(base)/work-packages/\(id)", key: harness.keys[.read]).status == 200)

            // Relations, versions and attachments.
            let other = try await harness.call(.post, "\(base)/work-packages", key: harness.keys[.book], json: #"{"project": \#(projectID), "subject": "Order masks"}"#)
            let otherID = try #require((other.body as? JSON)?["id"] as? Int)
            let related = try await harness.call(.post, "\(base)/work-packages/\(id)/relations", key: harness.keys[.book], json: #"{"to": \#(otherID), "type": "blocks"}"#)
            #expect(related.status == 201 && (related.body as? JSON)?["to"] as? Int == otherID, "\(String(describing: related.body))")
            let again = try await harness.call(.post, "\(base)/work-packages/\(otherID)/relations", key: harness.keys[.book], json: #"{"to": \#(id), "type": "relates"}"#)
            #expect(again.status == 409)
            let relationID = try #require((related.body as? JSON)?["id"] as? Int)
            #expect(((try await harness.call(.get, "\(base)/work-packages/\(otherID)/relations", key: harness.keys[.read]).body as? [JSON])?.map { $0["id"] as? Int }) == [relationID])
            #expect(try await harness.call(.delete, "\(base)/relations/\(relationID)", key: harness.keys[.book]).status == 204)
            let version = try await harness.call(.post, "\(base)/projects/\(projectID)/versions", key: harness.keys[.admin], json: #"{"name": "Sprint 1", "endDate": "2026-12-18"}"#)
            #expect(version.status == 201 && (version.body as? JSON)?["status"] as? String == "open", "\(String(describing: version.body))")
            #expect(((try await harness.call(.get, "\(base)/projects/\(projectID)/versions", key: harness.keys[.read]).body as? [JSON])?.map { $0["name"] as? String }) == ["Sprint 1"])
            let file = try await harness.client.execute(uri: "\(base)/work-packages/\(id)/attachments?fileName=Befund%20M%C3%A4rz.pdf&contentType=application/pdf", method: .post,
                                                      headers: [.authorization: "Bearer " + (harness.keys[.book] ?? ""), .contentType: "application/pdf"],
                                                      body: ByteBuffer(string: "%PDF-1.4 test")) { response in
                (Int(response.status.code), try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? JSON)
            }
            #expect(file.0 == 201 && file.1?["fileName"] as? String == "Befund März.pdf" && file.1?["size"] as? Int == 13, "\(String(describing: file.1))")
            #expect(((try await harness.call(.get, "\(base)/work-packages/\(id)/attachments", key: harness.keys[.read]).body as? [JSON])?.count) == 1)
            #expect(try await harness.call(.get, "\(base)/work-packages/999999", key: harness.keys[.read]).status == 404)

            // A calendar account is not OpenProject; the other tenant does not see the account.
            let dav = try await harness.call(.get, "/v1/openproject/\(harness.calendar.accountID)/projects", key: harness.keys[.read])
            #expect(dav.status == 409 && (dav.body as? JSON)?["code"] as? String == "not_openproject", "\(String(describing: dav.body))")
            #expect(try await harness.call(.get, "\(base)/projects", key: harness.otherTenantKey).status == 404)
        }
        #expect(try await PlatformFake.violations(fake).isEmpty)
    }
}
