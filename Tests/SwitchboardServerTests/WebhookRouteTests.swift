import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import ServiceLifecycle
import SwitchboardTestSupport
import Synchronization
import SwitchboardStore
import Testing
import Webhooks

/// A webhook receiver on 127.0.0.1 that can be stopped, restarted on its port, and told to
/// fail: what a subscriber's endpoint does in real life. It also serves a JWKS.
final class Receiver: Sendable {
    struct Received: Sendable {
        var headers: HTTPFields
        var body: [UInt8]
    }

    let received = Mutex<[Received]>([])
    /// How many requests to answer 503 before accepting.
    let failures = Mutex(0)
    let port = Mutex(0)
    /// What `GET /jwks` answers (an OIDC provider's keys).
    let jwks = Mutex("{\"keys\": []}")
    let running = Mutex<Task<Void, any Error>?>(nil)

    /// Starts (on the port it had, if it ran before) and waits until it listens.
    func start() async throws {
        let router = Router()
        router.post("hook") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            if self.failures.withLock({ count in
                defer { count = max(0, count - 1) }
                return count > 0
            }) {
                return Response(status: .serviceUnavailable)
            }
            self.received.withLock { $0.append(Received(headers: request.headers, body: Array(buffer: body))) }
            return Response(status: .noContent)
        }
        router.get("jwks") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: self.jwks.withLock { $0 })))
        }
        let listening = AsyncStream.makeStream(of: Int.self)
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port.withLock { $0 })),
                                      onServerRunning: { channel in listening.continuation.yield(channel.localAddress?.port ?? 0) })
        running.withLock { $0 = Task { try await application.runService(gracefulShutdownSignals: []) } }
        for await bound in listening.stream {
            port.withLock { $0 = bound }
            break
        }
    }

    /// Stops listening (connections are refused until it starts again).
    func stop() async {
        let task = running.withLock { task in
            defer { task = nil }
            return task
        }
        task?.cancel()
        _ = try? await task?.value
    }

    var url: String { "http://127.0.0.1:\(port.withLock { $0 })/hook" }
}

@Suite struct WebhookRouteTests {
    typealias JSON = [String: Any]

    @Test func deliveriesAreSignedRetriedUntilTheReceiverIsBackAndDeadAfterTheLastAttempt() async throws {
        try await ServerHarness.with { harness in
            let receiver = Receiver()
            try await receiver.start()
            let url = receiver.url
            await receiver.stop()
            let admin = harness.keys[.admin]

            // Registration: the tenants' network policy (only 127.0.0.1 here) holds for webhooks too.
            for refused in ["http://169.254.169.254/latest/", "http://10.0.0.1/hook", "http://127.0.0.2/hook"] {
                let answer = try await harness.call(.post, "/v1/webhooks", key: admin, json: #"{"url": "\#(refused)", "events": ["*"]}"#)
                #expect(answer.status == 400 && ServerHarness.problemCode(answer) == "destination_refused", "\(refused)")
            }
            #expect(try await harness.call(.post, "/v1/webhooks", key: harness.keys[.book], json: #"{"url": "\#(url)", "events": ["*"]}"#).status == 403)
            let made = try await harness.call(.post, "/v1/webhooks", key: admin,
                                              json: #"{"url": "\#(url)", "events": ["booking.created", "booking.cancelled"]}"#)
            #expect(made.status == 201)
            let webhook = try #require(made.body as? JSON)
            let secret = try #require(webhook["secret"] as? String)
            let webhookID = try #require(webhook["id"] as? String)
            #expect(secret.hasPrefix("whsec_"))
            #expect((try await harness.call(.get, "/v1/webhooks", key: harness.keys[.read]).body as? [JSON])?.first?["secret"] == nil)

            // A booking while the receiver is down: the first attempt fails and is retried.
            let booking = #"{"resource": "\#(harness.resource)", "start": "2028-03-06T09:00:00Z", "end": "2028-03-06T10:00:00Z", "summary": "Consultation"}"#
            let booked = try await harness.call(.post, "/v1/bookings", key: harness.keys[.book], json: booking)
            let bookingID = try #require((booked.body as? JSON)?["id"] as? String)
            #expect(await harness.webhooks.deliverDue() == [.pending])
            let deliveries = "/v1/webhooks/\(webhookID)/deliveries"
            let first = try #require((try await harness.call(.get, deliveries, key: harness.keys[.read]).body as? [JSON])?.first)
            #expect(first["attempts"] as? Int == 1 && first["status"] as? String == "pending" && first["lastError"] != nil)
            #expect((first["nextAttemptAt"] as? String ?? "") >= (first["createdAt"] as? String ?? "~"), "retried later, not at once")

            // Back, but failing once more (503), then accepting.
            receiver.failures.withLock { $0 = 1 }
            try await receiver.start()
            try await Task.sleep(for: .milliseconds(250))
            #expect(await harness.webhooks.deliverDue() == [.pending])
            try await Task.sleep(for: .milliseconds(450))
            #expect(await harness.webhooks.deliverDue() == [.delivered])
            let delivered = try #require((try await harness.call(.get, deliveries, key: harness.keys[.read]).body as? [JSON])?.first)
            #expect(delivered["status"] as? String == "delivered" && delivered["attempts"] as? Int == 3 && delivered["lastStatus"] as? Int == 204)

            // What arrived is signed (Standard Webhooks) and says what happened.
            let arrived = try #require(receiver.received.withLock { $0.first })
            let id = try #require(arrived.headers[HTTPField.Name("webhook-id")!])
            let timestamp = try #require(arrived.headers[HTTPField.Name("webhook-timestamp")!].flatMap { Int64($0) })
            let signature = try #require(arrived.headers[HTTPField.Name("webhook-signature")!])
            #expect(id == delivered["id"] as? String && abs(timestamp - Int64(Date().timeIntervalSince1970)) < 30)
            #expect(WebhookSignature.verify(signature, id: id, timestamp: timestamp, body: arrived.body, secret: secret))
            #expect(!WebhookSignature.verify(signature, id: id, timestamp: timestamp, body: arrived.body + [32], secret: secret))
            let event = try #require(try JSONSerialization.jsonObject(with: Data(arrived.body)) as? JSON)
            #expect(event["type"] as? String == "booking.created" && (event["data"] as? JSON)?["id"] as? String == bookingID)

            // Gone for good: three failed attempts make a dead letter.
            await receiver.stop()
            _ = try await harness.call(.post, "/v1/bookings/\(bookingID)/cancel", key: harness.keys[.book])
            var results: [DeliveryStatus] = []
            for _ in 0..<30 where results.last != .dead {
                results += await harness.webhooks.deliverDue()
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(results == [.pending, .pending, .dead])
            let dead = try #require(try await harness.call(.get, "\(deliveries)?status=dead", key: harness.keys[.read]).body as? [JSON])
            #expect(dead.count == 1 && dead.first?["type"] as? String == "booking.cancelled")
            #expect(try await harness.call(.get, deliveries, key: harness.otherTenantKey).status == 404)
            #expect(try await harness.call(.delete, "/v1/webhooks/\(webhookID)", key: admin).status == 204)
        }
    }
}
