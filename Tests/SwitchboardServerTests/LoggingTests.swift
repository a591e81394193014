import DAVClient
import HTTPTransport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
@testable import SwitchboardServer
import SwitchboardTestSupport
import Synchronization
import SwitchboardStore
import Testing

/// JSON log lines: one object each, secrets and personal data redacted, and one line per
/// request with its id and route pattern.
@Suite struct LoggingTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        var all: [[String: Any]] {
            lines.withLock { $0 }.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }
        var output: JSONLogHandler.Output { JSONLogHandler.Output { line in self.lines.withLock { $0.append(line) } } }
    }

    @Test func linesAreJSONWithSecretsAndPersonalDataRedacted() throws {
        let captured = Lines()
        var logger = Logger(label: "test") { JSONLogHandler(label: $0, output: captured.output) }
        logger[metadataKey: "request_id"] = "r-1"
        logger.warning("connect failed", metadata: [
            "password": "hunter2", "Authorization": "Bearer sb_x", "summary": "Therapy with Mr Smith", "collection_id": "c-1",
            "event": ["location": "Room 4", "uid": "u-1"], "hrefs": ["/a/", "/b/"],
        ])
        let line = try #require(captured.all.first)
        #expect(line["message"] as? String == "connect failed" && line["level"] as? String == "warning" && line["label"] as? String == "test")
        #expect(line["password"] as? String == "[redacted]" && line["Authorization"] as? String == "[redacted]")
        #expect(line["summary"] as? String == "[redacted]" && line["collection_id"] as? String == "c-1" && line["request_id"] as? String == "r-1")
        #expect((line["event"] as? [String: Any])?["location"] as? String == "[redacted]")
        #expect((line["event"] as? [String: Any])?["uid"] as? String == "u-1" && line["hrefs"] as? [String] == ["/a/", "/b/"])
        #expect((line["time"] as? String)?.hasSuffix("Z") == true)
        logger.info("a \"quoted\"\nline\u{1}\\ é ✓", metadata: ["count": .stringConvertible(3)])
        #expect(captured.all.last?["message"] as? String == "a \"quoted\"\nline\u{1}\\ é ✓" && captured.all.last?["count"] as? String == "3")
        #expect(captured.lines.withLock { $0.allSatisfy { $0.hasSuffix("\n") && !$0.dropLast().contains("\n") } })
    }

    @Test func everyRequestIsLoggedOnceByRoutePattern() async throws {
        try await StoreDriver.sqlite.withStore { store in
            let captured = Lines()
            let logger = Logger(label: "server") { JSONLogHandler(label: $0, output: captured.output) }
            let router = Router(context: ServerRequestContext.self)
            router.add(middleware: RequestLogMiddleware(logger: logger))
            router.add(middleware: RequestIDMiddleware())
            router.add(middleware: AuthenticationMiddleware(store: store, open: ["/healthz"],
                                                            tokens: IdentityProviders(store: store, operatorProvider: nil, tenantPolicy: NetworkPolicy()),
                                                            anonymous: nil))
            router.get("healthz") { _, _ in "ok" }
            router.get("v1/things/:id") { _, _ in "thing" }
            try await Application(router: router).test(.router) { client in
                let id = try await client.execute(uri: "/healthz", method: .get) { $0.headers[.requestID] }
                _ = try await client.execute(uri: "/v1/things/secret-id?name=Smith", method: .get) { $0.status }
                let lines = captured.all
                #expect(lines.count == 2)
                #expect(lines.first?["request_id"] as? String == id && lines.first?["route"] as? String == "/healthz")
                #expect(lines.last?["route"] as? String == "/v1/things/{id}" && lines.last?["status"] as? String == "401")
                #expect(!captured.lines.withLock { $0.joined() }.contains("Smith") && !captured.lines.withLock { $0.joined() }.contains("secret-id"))
            }
        }
    }

    /// Security: each request line says who asked (client, key, tenant), and administrative
    /// actions leave an audit line (docs/security.md).
    @Test func requestLinesNameTheCallerAndAdminActionsAreAudited() async throws {
        let captured = Lines()
        let logger = Logger(label: "server") { JSONLogHandler(label: $0, output: captured.output) }
        try await ServerHarness.with(logger: logger) { harness in
            _ = try await harness.call(.get, "/v1/resources", key: harness.keys[.read])
            let made = try await harness.call(.post, "/v1/webhooks", key: harness.keys[.admin],
                                              json: #"{"url": "http://127.0.0.1:9/hook", "events": ["booking.created"]}"#)
            #expect(made.status == 201)
            let id = try #require((made.body as? [String: Any])?["id"] as? String)
            #expect(try await harness.call(.delete, "/v1/webhooks/\(id)", key: harness.keys[.admin]).status == 204)
            let lines = captured.all
            let resources = try #require(lines.first { $0["message"] as? String == "request" && $0["route"] as? String == "/v1/resources" })
            let keyID = try #require(try await harness.store.key(hash: SecretToken.hash(harness.keys[.read]!))?.id)
            #expect(resources["key_id"] as? String == keyID && resources["tenant"] as? String != "-" && resources["client"] != nil)
            let audits = lines.filter { $0["message"] as? String == "audit" }
            #expect(audits.map { $0["action"] as? String } == ["webhook.create", "webhook.delete"])
            #expect(audits.allSatisfy { $0["target"] as? String == id && $0["key_id"] as? String != nil && $0["level"] as? String == "notice" })
        }
    }
}
