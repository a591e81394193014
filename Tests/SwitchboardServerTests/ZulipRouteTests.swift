import Foundation
import HTTPTypes
import SwitchboardStore
import SwitchboardTestSupport
import Testing

/// `/v1/zulip/{accountId}/…` over a Zulip account of the tenant, against the stand-in that
/// checks each exchange against Zulip's document.
@Suite struct ZulipRouteTests {
    typealias JSON = [String: Any]

    @Test func streamsAndMessagesThroughTheAPI() async throws {
        let fake = try await Peer.named("zulip-fake")
        try await ServerHarness.with { harness in
            let made = try await harness.call(.post, "/v1/accounts", key: harness.keys[.admin],
                                              json: #"{"name": "chat", "url": "\#(fake.baseURL.absoluteString)", "username": "bot@zulip.test", "password": "zulip-bot-key", "kind": "zulip"}"#)
            #expect(made.status == 201, "\(String(describing: made.body))")
            let account = try #require((made.body as? JSON)?["id"] as? String)
            let base = "/v1/zulip/\(account)"
            let stream = "api-" + UUID().uuidString.prefix(8).lowercased()

            #expect(try await harness.call(.post, "\(base)/streams", key: harness.keys[.book], json: #"{"name": "\#(stream)"}"#).status == 403)
            let created = try await harness.call(.post, "\(base)/streams", key: harness.keys[.admin],
                                                 json: #"{"name": "\#(stream)", "description": "Praxis", "members": ["anna@zulip.test"]}"#)
            #expect(created.status == 201 && (created.body as? JSON)?["name"] as? String == stream, "\(String(describing: created.body))")
            let listed = try await harness.call(.get, "\(base)/streams", key: harness.keys[.read])
            #expect((listed.body as? [JSON])?.contains { $0["name"] as? String == stream } == true)

            let sent = try await harness.call(.post, "\(base)/messages", key: harness.keys[.book], json: #"{"stream": "\#(stream)", "topic": "Supplies", "content": "Gloves"}"#)
            #expect(sent.status == 201 && (sent.body as? JSON)?["id"] is Int, "\(String(describing: sent.body))")
            #expect(try await harness.call(.post, "\(base)/messages", key: harness.keys[.book], json: #"{"stream": "\#(stream)", "content": "x"}"#).status == 400)
            #expect(try await harness.call(.post, "\(base)/messages", key: harness.keys[.book], json: #"{"to": ["anna@zulip.test"], "content": "Hi"}"#).status == 201)
            let missing = try await harness.call(.post, "\(base)/messages", key: harness.keys[.book], json: #"{"stream": "none-\#(stream)", "topic": "t", "content": "x"}"#)
            #expect(missing.status == 422 && (missing.body as? JSON)?["code"] as? String == "upstream_rejected", "\(String(describing: missing.body))")
            let messages = try await harness.call(.get, "\(base)/messages?stream=\(stream)&topic=Supplies", key: harness.keys[.read])
            #expect((messages.body as? [JSON])?.map { $0["content"] as? String } == ["Gloves"], "\(String(describing: messages.body))")

            let dav = try await harness.call(.get, "/v1/zulip/\(harness.calendar.accountID)/streams", key: harness.keys[.read])
            #expect(dav.status == 409 && (dav.body as? JSON)?["code"] as? String == "not_zulip")
            #expect(try await harness.call(.get, "\(base)/streams", key: harness.otherTenantKey).status == 404)
        }
        #expect(try await PlatformFake.violations(fake).isEmpty)
    }
}
