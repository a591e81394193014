import DAVClient
import HTTPTransport
import struct Crypto.HMAC
import struct Crypto.SHA256
import struct Crypto.SymmetricKey
import Foundation
import HTTPTypes
import HummingbirdTesting
import ICalendar
import JWTKit
import NIOCore
import NIOPosix
@testable import SwitchboardServer
import SwitchboardTestSupport
import Synchronization
import SwitchboardStore
import Testing

/// Base64url without padding (RFC 4648 §5), as JWTs and JWKs write bytes.
func base64URL(_ data: some DataProtocol) -> String {
    Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}

/// The attacks of docs/security.md against the server: each hole found in the December
/// probe (one test each) and the attacks that held, kept so they keep holding.
@Suite struct SecurityTests {
    /// The booking calendar's events on the server, parsed.
    static func serverEvents(_ harness: ServerHarness) async throws -> [Component] {
        let objects = try await harness.peer.withClient { client in try await client.calendarObjects(in: harness.calendar.href) }
        return try objects.compactMap(\.data).flatMap { text in
            try ICalendarParser().parse(Array(text.utf8)).components.flatMap { $0.components(ComponentName.event) }
        }
    }

    static func booking(_ harness: ServerHarness, day: Int, summary: String, attendees: [String] = []) -> String {
        let encoded = String(decoding: try! JSONEncoder().encode(["summary": summary]), as: UTF8.self).dropFirst().dropLast()
        let list = String(decoding: try! JSONEncoder().encode(attendees), as: UTF8.self)
        let date = Calendar(identifier: .gregorian).date(byAdding: .day, value: day * 7, to: Date(timeIntervalSince1970: 1_836_518_400))!
        let start = ISO8601DateFormatter().string(from: date.addingTimeInterval(9 * 3600))
        let end = ISO8601DateFormatter().string(from: date.addingTimeInterval(10 * 3600))
        return #"{"resource": "\#(harness.resource)", "start": "\#(start)", "end": "\#(end)", \#(encoded), "attendees": \#(list)}"#
    }

    // MARK: 1. iCalendar injection through bookings

    @Test func aBookingsFieldsCannotAddToTheCalendarObject() async throws {
        try await ServerHarness.with { harness in
            let key = harness.keys[.book]
            let injected = "Consult\r\nRRULE:FREQ=DAILY\r\nATTENDEE:mailto:victim@example.org"
            let made = try await harness.call(.post, "/v1/bookings", key: key,
                                              json: Self.booking(harness, day: 0, summary: injected, attendees: ["client@example.org"]))
            #expect(made.status == 201, "\(String(describing: made.body))")
            let events = try await Self.serverEvents(harness)
            #expect(events.count == 1)
            let event = try #require(events.first)
            #expect(event.properties("RRULE").isEmpty)
            #expect(event.properties("ATTENDEE").map(\.value) == ["mailto:client@example.org"])
            #expect(event.property("SUMMARY")?.text == "REQUEST: Consult\nRRULE:FREQ=DAILY\nATTENDEE:mailto:victim@example.org")

            // The schema's limits, enforced: each refused with the field named, nothing written.
            let refusals: [(String, [String], String)] = [
                ("x", ["not-an-email;X=1"], "attendees[0]"),
                ("x", ["a@example.org\r\nATTENDEE:mailto:victim@example.org"], "attendees[0]"),
                ("x", ["mailto:a@example.org;RSVP=TRUE"], "attendees[0]"),
                (String(repeating: "A", count: 60_000), [], "summary"),
                ("x", (0..<1_000).map { "a\($0)@example.org" }, "attendees"),
                ("", [], "summary"),
                ("bell\u{07}", [], "summary"),
            ]
            for (index, (summary, attendees, field)) in refusals.enumerated() {
                let answer = try await harness.call(.post, "/v1/bookings", key: key,
                                                    json: Self.booking(harness, day: index + 1, summary: summary, attendees: attendees))
                let fields = ((answer.body as? [String: Any])?["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
                #expect(answer.status == 400 && ServerHarness.problemCode(answer) == "invalid_request", "\(field): \(answer.status)")
                #expect(fields?.first == field, "\(String(describing: answer.body))")
            }
            #expect(try await Self.serverEvents(harness).count == 1)
        }
    }

    /// For any text, a booking's summary comes back from the calendar server as it was sent
    /// (line breaks as LF) and adds no property: 40 generated strings over the characters
    /// that matter to iCalendar, and any Unicode.
    @Test func aBookingsSummaryRoundTripsThroughTheCalendarServer() async throws {
        var generator = SeededGenerator(seed: 20261206)
        let alphabet: [Character] = ["\r", "\n", "\r\n", ";", ",", ":", "\\", "\"", "^", "=", " ", "\t", "A", "z", "é", "ß", "😀", "中", "\u{2028}",
                                     "R", "U", "L", "E", "B", "G", "I", "N"]
        let summaries = (0..<40).map { _ in
            String((0..<Int.random(in: 1...60, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
        }
        try await ServerHarness.with(rateLimit: nil) { harness in
            for (index, summary) in summaries.enumerated() {
                let made = try await harness.call(.post, "/v1/bookings", key: harness.keys[.book], json: Self.booking(harness, day: index, summary: summary))
                #expect(made.status == 201, "\(summary.debugDescription): \(String(describing: made.body))")
            }
            let events = try await Self.serverEvents(harness)
            #expect(events.count == summaries.count)
            let expected = Set(summaries.map { "REQUEST: " + String($0.map { $0 == "\r\n" || $0 == "\r" ? "\n" : $0 }) })
            #expect(Set(events.compactMap { $0.property("SUMMARY")?.text }) == expected)
            for event in events {
                #expect(event.properties.map(\.name).sorted() == ["DTEND", "DTSTAMP", "DTSTART", "SEQUENCE", "STATUS", "SUMMARY", "UID", "X-SWITCHBOARD-BOOKING"])
            }
        }
    }

    @Test func everyRequestIsHeldToItsSchemasLimits() async throws {
        try await ServerHarness.with { harness in
            let key = harness.keys[.admin]
            let window = "from=2028-03-06T00:00:00Z&to=2028-03-07T00:00:00Z"
            let cases: [(HTTPTypes.HTTPRequest.Method, String, String?, String)] = [
                (.get, "/v1/availability?resource=\(String(repeating: "a", count: 201))&\(window)", nil, "resource"),
                (.get, "/v1/availability?resource=\(harness.resource)&\(window)&tz=\(String(repeating: "Z", count: 65))", nil, "tz"),
                (.post, "/v1/calendars/\(harness.calendar.id)/events", #"{"summary": "\#(String(repeating: "s", count: 501))", "start": "2028-03-06T09:00:00Z", "end": "2028-03-06T10:00:00Z"}"#, "summary"),
                (.post, "/v1/calendars/\(harness.calendar.id)/events", #"{"summary": "x", "status": "MAYBE", "start": "2028-03-06T09:00:00Z", "end": "2028-03-06T10:00:00Z"}"#, "status"),
                (.post, "/v1/calendars/\(harness.calendar.id)/events", #"{"summary": "x\u0000y", "start": "2028-03-06T09:00:00Z", "end": "2028-03-06T10:00:00Z"}"#, "summary"),
            ]
            for (method, uri, json, field) in cases {
                let answer = try await harness.call(method, uri, key: key, json: json)
                let fields = ((answer.body as? [String: Any])?["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
                #expect(answer.status == 400 && fields?.first == field, "\(uri) \(field): \(answer.status) \(String(describing: answer.body))")
            }
            // Header parameters too: an If-Match past its limit is refused before the handler.
            let longTag = try await harness.call(.put, "/v1/calendars/\(harness.calendar.id)/events/e1", key: key,
                                                 json: #"{"summary": "x", "start": "2028-03-06T09:00:00Z", "end": "2028-03-06T10:00:00Z"}"#,
                                                 headers: [.ifMatch: String(repeating: "0", count: 300)])
            let fields = ((longTag.body as? [String: Any])?["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
            #expect(longTag.status == 400 && fields?.first == "if-match", "\(longTag.status) \(String(describing: longTag.body))")
        }
    }

    // MARK: 3. Credentials go only to their origin

    @Test func aPushSubscriptionCannotSendTheAccountsPasswordElsewhere() async throws {
        try await ServerHarness.with(configure: { $0.publicURL = URL(string: "https://switchboard.example.org/") }) { harness in
            let account = try #require(try await harness.store.accounts().first { $0.id == harness.calendar.accountID })
            let answer = try await harness.call(.put, "/v1/accounts/\(account.id)/push", key: harness.keys[.admin],
                                                json: #"{"ocsUrl": "http://127.0.0.1:9/"}"#)
            #expect(answer.status == 422 && ServerHarness.problemCode(answer) == "credentials_needed", "\(String(describing: answer.body))")
            #expect(try await harness.store.pushSubscription(accountID: account.id) == nil)
        }
    }

    // MARK: 4 and 5. OpenID Connect

    /// A key with no `alg` (as Microsoft Entra ID publishes them) is RS256 by configuration:
    /// an anonymous token in RS512 with its key id must not make the valid RS256 ones fail.
    @Test func aTokenCannotChooseTheAlgorithmOfAKeyWithoutOne() async throws {
        let pem = try ChildProcess.run(["/usr/bin/env", "openssl", "genrsa", "2048"]).stdout
        let key = try Insecure.RSA.PrivateKey(pem: pem)
        let (modulus, exponent) = try key.publicKey.getKeyPrimitives()
        let provider = Receiver()
        provider.jwks.withLock { $0 = #"{"keys": [{"kty": "RSA", "kid": "entra", "use": "sig", "n": "\#(base64URL(modulus))", "e": "\#(base64URL(exponent))"}]}"# }
        try await provider.start()
        let oidc = OIDCConfiguration(issuer: "https://id.example.org", audience: "switchboard",
                                     jwksURL: URL(string: "http://127.0.0.1:\(provider.port.withLock { $0 })/jwks")!, keyRefreshInterval: .zero)
        try await ServerHarness.with(oidc: oidc) { harness in
            func token(_ digest: DigestAlgorithm, signer signingKey: Insecure.RSA.PrivateKey) async throws -> String {
                let keys = JWTKeyCollection()
                await keys.add(rsa: signingKey, digestAlgorithm: digest, kid: "entra")
                let claims = AccessTokenClaims(iss: IssuerClaim(value: "https://id.example.org"), aud: AudienceClaim(value: ["switchboard"]),
                                               exp: ExpirationClaim(value: Date().addingTimeInterval(300)), nbf: nil,
                                               sub: SubjectClaim(value: "attacker"), scope: "switchboard:read", switchboard_tenant: harness.tenantName)
                return try await keys.sign(claims, kid: "entra")
            }
            let forged = try await token(.sha512, signer: try Insecure.RSA.PrivateKey(pem: try ChildProcess.run(["/usr/bin/env", "openssl", "genrsa", "2048"]).stdout))
            #expect(try await harness.call(.get, "/v1/resources", key: forged).status == 401)
            let valid = try await token(.sha256, signer: key)
            #expect(try await harness.call(.get, "/v1/resources", key: valid).status == 200)
            // A genuine RS512 token of the same key is not accepted either: the algorithm is fixed.
            #expect(try await harness.call(.get, "/v1/resources", key: try await token(.sha512, signer: key)).status == 401)
        }
        await provider.stop()
    }

    /// A tenant registering another tenant's issuer and audience takes over nothing.
    @Test func aTenantCannotTakeAnotherTenantsIssuer() async throws {
        let provider = Receiver()
        let key = ES256PrivateKey()
        provider.jwks.withLock { $0 = #"{"keys": [\#(AccessTokenTests.jwk(key, kid: "t1"))]}"# }
        try await provider.start()
        let jwksURL = "http://127.0.0.1:\(provider.port.withLock { $0 })/jwks"
        try await ServerHarness.with { harness in
            let settings = #"{"issuer": "https://login.clinic.example", "audience": "clinic-booking", "jwksUrl": "\#(jwksURL)"}"#
            #expect(try await harness.call(.put, "/v1/identity-provider", key: harness.keys[.admin], json: settings).status == 200)
            // The other tenant registers the same issuer, with the clinic's audience and one of its own.
            let hijack = #"{"issuer": "https://login.clinic.example", "audience": "clinic-booking", "jwksUrl": "\#(jwksURL)"}"#
            #expect(try await harness.call(.put, "/v1/identity-provider", key: harness.otherTenantKey, json: hijack).status == 200)
            let token = try await AccessTokenTests.token(key, kid: "t1", issuer: "https://login.clinic.example", audience: "clinic-booking",
                                                         tenant: harness.otherTenant.name, scope: "switchboard:admin")
            let listed = try await harness.call(.get, "/v1/resources", key: token)
            #expect(listed.status == 200 && (listed.body as? [[String: Any]])?.map { $0["name"] as? String } == [harness.resource],
                    "the clinic's token stays the clinic's")
            let own = #"{"issuer": "https://login.clinic.example", "audience": "other-app", "jwksUrl": "\#(jwksURL)"}"#
            #expect(try await harness.call(.put, "/v1/identity-provider", key: harness.otherTenantKey, json: own).status == 200)
            let theirs = try await AccessTokenTests.token(key, kid: "t1", issuer: "https://login.clinic.example", audience: "other-app",
                                                          tenant: harness.otherTenant.name, scope: "switchboard:admin")
            #expect(try await harness.call(.get, "/v1/resources", key: theirs).status == 401, "the issuer is the clinic's")
        }
        await provider.stop()
    }

    /// The token forgeries that held in the probe, kept: no signature (`alg: none`), HMAC
    /// keyed with the provider's public key (as PEM and as its JWK), a future `nbf`.
    @Test func forgedTokensAreRefused() async throws {
        let provider = Receiver()
        let key = ES256PrivateKey()
        provider.jwks.withLock { $0 = #"{"keys": [\#(AccessTokenTests.jwk(key, kid: "k1"))]}"# }
        try await provider.start()
        let oidc = OIDCConfiguration(issuer: "https://id.example.org", audience: "switchboard",
                                     jwksURL: URL(string: "http://127.0.0.1:\(provider.port.withLock { $0 })/jwks")!, keyRefreshInterval: .zero)
        try await ServerHarness.with(oidc: oidc) { harness in
            let now = Int(Date().timeIntervalSince1970)
            let claims = #"{"iss": "https://id.example.org", "aud": ["switchboard"], "exp": \#(now + 300), "sub": "eve", "scope": "switchboard:admin", "switchboard_tenant": "\#(harness.tenantName)"}"#
            let payload = base64URL(Data(claims.utf8))
            let unsigned = base64URL(Data(#"{"alg": "none", "kid": "k1", "typ": "JWT"}"#.utf8)) + "." + payload + "."
            let hmacHeader = base64URL(Data(#"{"alg": "HS256", "kid": "k1", "typ": "JWT"}"#.utf8)) + "." + payload
            var forged = [unsigned]
            for secret in [key.publicKey.pemRepresentation, AccessTokenTests.jwk(key, kid: "k1")] {
                let mac = HMAC<SHA256>.authenticationCode(for: Data(hmacHeader.utf8), using: SymmetricKey(data: Data(secret.utf8)))
                forged.append(hmacHeader + "." + base64URL(Data(mac)))
            }
            let signer = JWTKeyCollection()
            await signer.add(ecdsa: key, kid: JWKIdentifier(string: "k1"))
            let notYet = AccessTokenClaims(iss: IssuerClaim(value: "https://id.example.org"), aud: AudienceClaim(value: ["switchboard"]),
                                           exp: ExpirationClaim(value: Date().addingTimeInterval(900)),
                                           nbf: NotBeforeClaim(value: Date().addingTimeInterval(600)), sub: SubjectClaim(value: "eve"),
                                           scope: "switchboard:read", switchboard_tenant: harness.tenantName)
            forged.append(try await signer.sign(notYet, kid: JWKIdentifier(string: "k1")))
            let genuine = try await AccessTokenTests.token(key, kid: "k1", tenant: harness.tenantName, scope: "switchboard:read")
            for token in forged {
                let answer = try await harness.call(.get, "/v1/resources", key: token)
                #expect(answer.status == 401, "\(token.prefix(40))")
            }
            // A genuine token still works after the forgeries (nothing was pinned or refreshed away).
            #expect(try await harness.call(.get, "/v1/resources", key: genuine).status == 200)
        }
        await provider.stop()
    }

    /// A body nested deeper than any request needs is refused in its own words, not a crash.
    @Test func deeplyNestedBodiesAreRefused() async throws {
        try await ServerHarness.with { harness in
            let deep = String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000)
            let answer = try await harness.call(.post, "/v1/bookings", key: harness.keys[.book], json: #"{"resource": \#(deep)}"#)
            #expect(answer.status == 400 || answer.status == 413, "\(answer.status)")
            #expect(try await harness.call(.get, "/healthz", key: nil).status == 200)
        }
    }

    // MARK: 9. Rate limits

    @Test func aTenantsKeysShareItsLimit() async throws {
        try await ServerHarness.with(rateLimit: RateLimit(perSecond: 0.01, burst: 100), configure: { $0.tenantRateLimit = RateLimit(perSecond: 0.01, burst: 4) }) { harness in
            for key in [harness.keys[.read], harness.keys[.book], harness.keys[.admin], harness.keys[.read]] {
                #expect(try await harness.call(.get, "/v1/resources", key: key).status == 200)
            }
            let limited = try await harness.call(.get, "/v1/resources", key: harness.keys[.book])
            #expect(limited.status == 429 && ServerHarness.problemCode(limited) == "rate_limited")
            #expect(limited.headers[.retryAfter] != nil)
            // Another tenant has its own.
            #expect(try await harness.call(.get, "/v1/resources", key: harness.otherTenantKey).status == 200)
        }
    }

    @Test func requestsWithoutACredentialAreLimitedByAddress() async throws {
        try await ServerHarness.with(configure: { $0.anonymousRateLimit = RateLimit(perSecond: 0.01, burst: 3) }) { harness in
            for _ in 0..<3 { #expect(try await harness.call(.get, "/v1/resources", key: "sb_wrong").status == 401) }
            let limited = try await harness.call(.get, "/v1/resources", key: "sb_wrong")
            #expect(limited.status == 429 && limited.headers[.retryAfter] != nil)
            #expect(try await harness.call(.get, "/ics/guessed-feed.ics", key: nil).status == 429)
            // A valid key is not held to the anonymous bucket.
            #expect(try await harness.call(.get, "/v1/resources", key: harness.keys[.read]).status == 200)
        }
    }

    /// A caller that keeps asking stays limited while a flood of new names (rotated token
    /// subjects) passes the bucket limit: eviction takes the least recently used, never all.
    @Test func aBucketRefillsAtItsRate() {
        let buckets = TokenBuckets(limit: RateLimit(perSecond: 0.1, burst: 2), capacity: 10)
        let start = ContinuousClock.now
        #expect(buckets.take("key", now: start) == nil && buckets.take("key", now: start) == nil)
        #expect((buckets.take("key", now: start + .seconds(1)) ?? 0) > 8)
        #expect(buckets.take("key", now: start + .seconds(10.5)) == nil)
        #expect(buckets.take("key", now: start + .seconds(10.6)) != nil)
    }

    @Test func manyNamesCannotResetABusyBucket() {
        let buckets = TokenBuckets(limit: RateLimit(perSecond: 0.001, burst: 2), capacity: 100)
        let start = ContinuousClock.now
        #expect(buckets.take("busy", now: start) == nil && buckets.take("busy", now: start) == nil)
        for index in 0..<1_000 {
            let now = start + .milliseconds(index + 1)
            _ = buckets.take("sub-\(index)", now: now)
            if index.isMultiple(of: 50) { #expect(buckets.take("busy", now: now) != nil, "reset at \(index)") }
        }
        #expect(buckets.count <= 100)
        #expect(buckets.take("busy", now: start + .seconds(2)) != nil, "the busy caller is still limited")
    }

    // MARK: 10. Slow clients

    /// 60 connections trickle their headers a byte at a time: each is closed once its
    /// head is late, and ordinary requests are served meanwhile.
    @Test func slowHeadersAreCutOffAndOthersServed() async throws {
        try await ServerHarness.with(reachable: true, configure: { configuration in
            configuration.headerTimeout = .seconds(1)
            configuration.maxConnections = 40
        }) { harness in
            let port = try #require(harness.publicURL?.port)
            let closed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<60 {
                    group.addTask {
                        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                            .connect(host: "127.0.0.1", port: port) { channel in
                                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                            }
                        // The server ends the connection (a close, or a reset if it arrives mid-write).
                        try? await channel.executeThenClose { inbound, outbound in
                            try await outbound.write(ByteBuffer(string: "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"))
                            let trickle = Task {
                                for _ in 0..<100 {
                                    try await Task.sleep(for: .milliseconds(200))
                                    try await outbound.write(ByteBuffer(string: "X"))
                                }
                            }
                            defer { trickle.cancel() }
                            for try await _ in inbound {}
                        }
                        return true
                    }
                }
                // Ordinary requests keep being answered while the slow ones hold connections.
                try await Task.sleep(for: .milliseconds(300))
                for _ in 0..<5 {
                    let status = try await HTTPTransport.withTransport(configuration: ClientConfiguration()) { transport in
                        try await transport.send(.init(method: "GET", url: URL(string: "http://127.0.0.1:\(port)/healthz")!)).status
                    }
                    #expect(status == 200)
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(closed == 60)
        }
    }

    // MARK: 13. Small leaks

    @Test func metricsAskForTheTokenOfClientsNotOnThisMachine() async throws {
        try await ServerHarness.with { harness in
            let refused = try await harness.client.execute(uri: "/metrics", method: .get) { Int($0.status.code) }
            #expect(refused == 403)
            let wrong = try await harness.client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer wrong"]) { Int($0.status.code) }
            #expect(wrong == 403)
            let allowed = try await harness.client.execute(uri: "/metrics", method: .get,
                                                           headers: [.authorization: "Bearer " + ServerHarness.metricsToken]) { Int($0.status.code) }
            #expect(allowed == 200)
        }
    }
}
