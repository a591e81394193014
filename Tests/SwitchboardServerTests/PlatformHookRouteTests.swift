import Crypto
import Foundation
import HTTPTypes
import SwitchboardStore
import SwitchboardTestSupport
import Testing

/// `/hooks/openproject/{accountId}` and `/hooks/zulip/{accountId}`: calls checked against the
/// account's hook secret and passed on as the tenant's own events; anything else refused.
@Suite struct PlatformHookRouteTests {
    typealias JSON = [String: Any]

    static let workPackage = #"""
    {"action": "work_package:updated", "work_package": {"_type": "WorkPackage", "id": 42, "subject": "Order gloves", "lockVersion": 3,
     "_links": {"project": {"href": "/api/v3/projects/7", "title": "Praxis"}, "type": {"href": "/api/v3/types/1", "title": "Task"},
                "status": {"href": "/api/v3/statuses/2", "title": "In progress"}}, "newField": true}}
    """#

    @Test func openProjectCallsAreCheckedBySignatureAndPassedOn() async throws {
        let fake = try await Peer.named("openproject-fake")
        try await ServerHarness.with { harness in
            let made = try await harness.call(.post, "/v1/accounts", key: harness.keys[.admin],
                                              json: #"{"name": "op", "url": "\#(fake.baseURL.absoluteString)", "username": "apikey", "password": "op-admin-key", "kind": "openproject"}"#)
            let account = try #require((made.body as? JSON)?["id"] as? String)
            let secret = "op-hook-secret-0123456789"
            func sign(_ body: String, _ key: String) -> String {
                "sha1=" + HMAC<Insecure.SHA1>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(key.utf8))).map { String(format: "%02x", $0) }.joined()
            }
            func post(_ body: String, signature: String?) async throws -> (status: Int, body: Any?, headers: HTTPFields) {
                var headers: HTTPFields = [:]
                if let signature { headers[HTTPField.Name("X-OP-Signature")!] = signature }
                return try await harness.call(.post, "/hooks/openproject/\(account)", key: nil, json: body, headers: headers)
            }
            // No secret set yet: nobody's calls are taken.
            #expect(try await post(Self.workPackage, signature: sign(Self.workPackage, secret)).status == 404)
            #expect(try await harness.call(.put, "/v1/accounts/\(account)/hook-secret", key: harness.keys[.book], json: #"{"secret": "\#(secret)"}"#).status == 403)
            #expect(try await harness.call(.put, "/v1/accounts/\(account)/hook-secret", key: harness.keys[.admin], json: #"{"secret": "\#(secret)"}"#).status == 204)

            #expect(try await post(Self.workPackage, signature: nil).status == 401)
            #expect(try await post(Self.workPackage, signature: sign(Self.workPackage, "another-secret-0123456")).status == 401)
            #expect(try await post(Self.workPackage + " ", signature: sign(Self.workPackage, secret)).status == 401)
            let accepted = try await post(Self.workPackage, signature: sign(Self.workPackage, secret))
            #expect(accepted.status == 202 && (accepted.body as? JSON)?["event"] as? String == "openproject.work_package.updated", "\(String(describing: accepted.body))")
            let other = #"{"action": "project:created", "project": {"id": 1}}"#
            let ignored = try await post(other, signature: sign(other, secret))
            #expect(ignored.status == 202 && (ignored.body as? JSON)?["event"] == nil)
            #expect(try await post("{", signature: sign("{", secret)).status == 400)

            let events = try await harness.store.claimEvents(now: Date(), until: Date().addingTimeInterval(60), limit: 100)
                .filter { $0.type == "openproject.work_package.updated" }
            #expect(events.count == 1 && events.first?.tenantID != nil)
            let data = try #require(try JSONSerialization.jsonObject(with: Data((events.first?.payload ?? "{}").utf8)) as? JSON)
            #expect(data["id"] as? Int == 42 && data["subject"] as? String == "Order gloves" && data["project"] as? String == "Praxis" && data["accountId"] as? String == account)
        }
    }

    @Test func zulipCallsAreCheckedByTokenAndPassedOn() async throws {
        let fake = try await Peer.named("zulip-fake")
        try await ServerHarness.with { harness in
            let made = try await harness.call(.post, "/v1/accounts", key: harness.keys[.admin],
                                              json: #"{"name": "chat", "url": "\#(fake.baseURL.absoluteString)", "username": "bot@zulip.test", "password": "zulip-bot-key", "kind": "zulip"}"#)
            let account = try #require((made.body as? JSON)?["id"] as? String)
            let token = "zulip-outgoing-token-0123"
            #expect(try await harness.call(.put, "/v1/accounts/\(account)/hook-secret", key: harness.keys[.admin], json: #"{"secret": "\#(token)"}"#).status == 204)
            func payload(_ token: String) -> String {
                #"""
                {"bot_email": "bot@zulip.test", "bot_full_name": "Bot", "data": "status?", "trigger": "mention", "token": "\#(token)",
                 "message": {"id": 7, "sender_id": 3, "sender_email": "anna@zulip.test", "sender_full_name": "Anna", "content": "@**Bot** status?",
                             "subject": "Supplies", "stream_id": 5, "display_recipient": "praxis", "timestamp": 1800000000, "type": "stream"}}
                """#
            }
            #expect(try await harness.call(.post, "/hooks/zulip/\(account)", key: nil, json: payload("zulip-outgoing-token-0124")).status == 401)
            let accepted = try await harness.call(.post, "/hooks/zulip/\(account)", key: nil, json: payload(token))
            #expect(accepted.status == 200 && (accepted.body as? JSON)?["response_not_required"] as? Bool == true, "\(String(describing: accepted.body))")
            // Another platform's hook path does not take this account.
            #expect(try await harness.call(.post, "/hooks/openproject/\(account)", key: nil, json: payload(token)).status == 404)
            let events = try await harness.store.claimEvents(now: Date(), until: Date().addingTimeInterval(60), limit: 100).filter { $0.type == "zulip.message.received" }
            #expect(events.count == 1 && events.first?.payload.contains("\"stream\":\"praxis\"") == true, "\(events)")
        }
    }
}
