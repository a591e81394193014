import DAVClient
import Foundation
import HTTPTypes
import SwitchboardStore
import SwitchboardTestSupport
import Testing

/// Knowledge indexes through the API, over WsgiDAV: added, run in the background, reported
/// and searched; the other tenant sees none of it.
@Suite struct IndexRouteTests {
    typealias JSON = [String: Any]

    @Test func addRunReportAndSearch() async throws {
        let peer = try await Peer.named("wsgidav")
        let folder = Fixtures.unique("kb")
        try await peer.withClient { client in
            try await client.mkcol("/\(folder)/")
            try await client.put("/\(folder)/asthma.md", body: Array("# Asthma\n\n## Inhalers\n\nCheck the inhaler technique at every visit.".utf8),
                                 contentType: "text/markdown", precondition: .none)
            try await client.put("/\(folder)/broken.pdf", body: Array("not a pdf".utf8), contentType: "application/pdf", precondition: .none)
        }
        try await ServerHarness.with(backgroundSync: true) { harness in
            let made = try await harness.call(.post, "/v1/accounts", key: harness.keys[.admin],
                                              json: #"{"name": "kb", "url": "\#(peer.baseURL.absoluteString)", "username": "anna", "password": "secret"}"#)
            let accountID = try #require((made.body as? JSON)?["id"] as? String)

            let invalid = try await harness.call(.post, "/v1/indexes", key: harness.keys[.admin],
                                                 json: #"{"name": "guides", "accountId": "\#(accountID)", "roots": ["../etc"]}"#)
            #expect(invalid.status == 400, "\(String(describing: invalid.body))")
            let created = try await harness.call(.post, "/v1/indexes", key: harness.keys[.admin],
                                                 json: #"{"name": "guides", "accountId": "\#(accountID)", "roots": ["\#(folder)"], "includes": ["*.md", "*.pdf"]}"#)
            #expect(created.status == 201, "\(String(describing: created.body))")
            let index = try #require(created.body as? JSON)
            let id = try #require(index["id"] as? String)
            #expect(index["name"] as? String == "guides" && index["roots"] as? [String] == [folder])
            let twin = try await harness.call(.post, "/v1/indexes", key: harness.keys[.admin],
                                              json: #"{"name": "guides", "accountId": "\#(accountID)"}"#)
            #expect(twin.status == 409)
            #expect(try await harness.call(.post, "/v1/indexes", key: harness.keys[.read], json: #"{"name": "x", "accountId": "\#(accountID)"}"#).status == 403)

            let queued = try await harness.call(.post, "/v1/indexes/\(id)/run", key: harness.keys[.book])
            #expect(queued.status == 202, "\(String(describing: queued.body))")
            var status: JSON = [:]
            for _ in 0..<200 {
                status = try #require(try await harness.call(.get, "/v1/indexes/\(id)", key: harness.keys[.read]).body as? JSON)
                if (status["lastRun"] as? JSON)?["finishedAt"] != nil, status["running"] as? Bool == false { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let run = try #require(status["lastRun"] as? JSON)
            #expect(run["read"] as? Int == 1 && run["failed"] as? Int == 1, "\(status)")
            #expect(status["files"] as? Int == 2 && status["failedFiles"] as? Int == 1)
            #expect((status["errors"] as? [JSON])?.first?["path"] as? String == "\(folder)/broken.pdf")

            let found = try await harness.call(.get, "/v1/search?q=inhaler%20technique&k=5", key: harness.keys[.read])
            let hits = try #require((found.body as? JSON)?["hits"] as? [JSON])
            #expect(hits.count == 1, "\(String(describing: found.body))")
            #expect(hits.first?["path"] as? String == "\(folder)/asthma.md" && hits.first?["index"] as? String == "guides")
            #expect(hits.first?["headings"] as? [String] == ["Asthma", "Inhalers"])
            let highlight = try #require((hits.first?["highlights"] as? [JSON])?.first)
            let snippet = try #require(hits.first?["snippet"] as? String)
            let start = try #require(highlight["start"] as? Int), end = try #require(highlight["end"] as? Int)
            #expect(String(decoding: Array(snippet.utf16)[start..<end], as: UTF16.self).lowercased().hasPrefix("inhaler"), "\(snippet)")
            let pdfs = try await harness.call(.get, "/v1/search?q=inhaler&type=pdf&type=odt", key: harness.keys[.read])
            #expect(((pdfs.body as? JSON)?["hits"] as? [Any])?.isEmpty == true, "\(String(describing: pdfs.body))")
            #expect(try await harness.call(.get, "/v1/search?q=%21%21%21", key: harness.keys[.read]).status == 400)
            let noModel = try await harness.call(.get, "/v1/search?q=inhaler&mode=vector", key: harness.keys[.read])
            #expect(noModel.status == 422 && (noModel.body as? JSON)?["code"] as? String == "embeddings_unavailable")

            // The other tenant: no index, no hits.
            #expect(try await harness.call(.get, "/v1/indexes/\(id)", key: harness.otherTenantKey).status == 404)
            #expect(try await harness.call(.post, "/v1/indexes/\(id)/run", key: harness.otherTenantKey).status == 404)
            let foreign = try await harness.call(.get, "/v1/search?q=inhaler", key: harness.otherTenantKey)
            #expect((foreign.body as? JSON)?["hits"] as? [Any] != nil && ((foreign.body as? JSON)?["hits"] as? [Any])?.isEmpty == true)
            #expect(try await harness.call(.get, "/v1/search?q=inhaler&index=\(id)", key: harness.otherTenantKey).status == 404)

            #expect(try await harness.call(.delete, "/v1/indexes/\(id)", key: harness.keys[.admin]).status == 204)
            #expect(try await harness.call(.get, "/v1/indexes/\(id)", key: harness.keys[.read]).status == 404)
            #expect(((try await harness.call(.get, "/v1/search?q=inhaler", key: harness.keys[.read]).body as? JSON)?["hits"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func aNextcloudFileEventRunsTheIndexOverItsFolder() async throws {
        let peer = try await Peer.named("wsgidav")
        let folder = Fixtures.unique("pushkb")
        try await peer.withClient { client in
            try await client.mkcol("/\(folder)/")
            try await client.put("/\(folder)/first.md", body: Array("# First\n\nAlready here.".utf8), contentType: "text/markdown", precondition: .none)
        }
        try await ServerHarness.with(backgroundSync: true) { harness in
            let made = try await harness.call(.post, "/v1/accounts", key: harness.keys[.admin],
                                              json: #"{"name": "pushkb", "url": "\#(peer.baseURL.absoluteString)", "username": "anna", "password": "secret"}"#)
            let accountID = try #require((made.body as? JSON)?["id"] as? String)
            let created = try await harness.call(.post, "/v1/indexes", key: harness.keys[.admin],
                                                 json: #"{"name": "pushed", "accountId": "\#(accountID)", "roots": ["\#(folder)"]}"#)
            let id = try #require((created.body as? JSON)?["id"] as? String)
            // A subscription as `subscribe` keeps it (the Nextcloud stand-in serves no files to register for).
            let (secret, hash) = SecretToken.generate(prefix: "sbh_")
            let subscription = PushSubscriptionRecord(accountID: accountID, secretHash: hash, callbackURL: "http://127.0.0.1/hooks/nextcloud/x",
                                                      ocsURL: "http://127.0.0.1/", listenerIDs: [])
            try await harness.store.savePushSubscription(subscription)

            try await peer.withClient { client in
                try await client.put("/\(folder)/fresh.md", body: Array("# Fresh\n\nWritten just now about spirometry.".utf8), contentType: "text/markdown",
                                     precondition: .none)
            }
            let hook = "/hooks/nextcloud/\(subscription.id)"
            func event(_ path: String) -> String {
                #"{"event": {"class": "OCP\\Files\\Events\\Node\\NodeWrittenEvent", "node": {"id": 7, "path": "\#(path)"}}, "time": 1800000000}"#
            }
            #expect(try await harness.call(.post, hook, key: "sbh_wrong", json: event("/anna/files/\(folder)/fresh.md")).status == 401)
            let outside = try await harness.call(.post, hook, key: secret, json: event("/anna/files/elsewhere/x.md"))
            #expect(outside.status == 202 && (outside.body as? JSON)?["indexIds"] as? [String] == [])
            let accepted = try await harness.call(.post, hook, key: secret, json: event("/anna/files/\(folder)/fresh.md"))
            #expect(accepted.status == 202 && (accepted.body as? JSON)?["indexIds"] as? [String] == [id], "\(String(describing: accepted.body))")
            var hits: [JSON] = []
            for _ in 0..<200 {
                hits = ((try await harness.call(.get, "/v1/search?q=spirometry", key: harness.keys[.read]).body as? JSON)?["hits"] as? [JSON]) ?? []
                if !hits.isEmpty { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(hits.first?["path"] as? String == "\(folder)/fresh.md")
            // The run listed the folder, so the file already there is indexed too.
            let status = try #require(try await harness.call(.get, "/v1/indexes/\(id)", key: harness.keys[.read]).body as? JSON)
            #expect(status["files"] as? Int == 2)
        }
    }
}
