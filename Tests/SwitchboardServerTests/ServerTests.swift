import Accounts
import Availability
import Crypto
import DAVClient
import HTTPTransport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Indexing
import Logging
import NIOCore
import Scheduling
import ServiceLifecycle
import SwitchboardCore
import SwitchboardServer
import SwitchboardTestSupport
import SyncEngine
import SwitchboardStore
import Testing
import Webhooks

/// The server over a store with two tenants, and a resource of the first on a fresh
/// Radicale calendar: every request goes through the real router, middleware and
/// generated layer (Hummingbird's router test framework, no socket).
struct ServerHarness {
    let store: SQLStore
    let client: any TestClientProtocol
    let peer: Peer
    let calendar: CollectionRecord
    let resource: String
    /// Keys of the first tenant by scope, and a booking key of the second.
    let keys: [APIScope: String]
    let otherTenantKey: String
    /// The second tenant.
    let otherTenant: TenantRecord
    let revokedKey: String
    /// Webhooks with quick retries (three attempts, 0.2 s apart at first), allowed to reach 127.0.0.1.
    let webhooks: WebhookService
    /// The first tenant's name (what access tokens name).
    let tenantName: String
    /// Where the server listens, when it is `reachable`.
    let publicURL: URL?
    /// The token `/metrics` asks of clients that are not on this machine.
    static let metricsToken = "test-metrics-token"

    /// With `backgroundSync`, the whole application runs on a socket with the sync service
    /// beside it, as `switchboard serve` runs it; with `reachable`, on a port chosen
    /// beforehand and known as its public URL (for calendar servers' webhooks to call).
    static func with(_ driver: StoreDriver = .sqlite, maxBodyBytes: Int = 64 * 1024, rateLimit: RateLimit? = RateLimit(perSecond: 100, burst: 200),
                     oidc: OIDCConfiguration? = nil, backgroundSync: Bool = false, reachable: Bool = false,
                     embeddings: (any EmbeddingProvider)? = nil,
                     configure: (inout ServerConfiguration) -> Void = { _ in }, logger: Logger? = nil,
                     _ body: @Sendable (ServerHarness) async throws -> Void) async throws
    {
        let peer = try await Peer.named("radicale")
        try await driver.withStore { store in
            let clinic = TenantRecord(name: Fixtures.unique("clinic"))
            let other = TenantRecord(name: Fixtures.unique("other"))
            try await store.saveTenant(clinic)
            try await store.saveTenant(other)
            func key(_ tenant: TenantRecord, _ scope: APIScope) async throws -> (String, APIKeyRecord) {
                let made = SecretToken.generate()
                let record = APIKeyRecord(tenantID: tenant.id, name: "test", keyHash: made.hash, scope: scope)
                try await store.saveKey(record)
                return (made.token, record)
            }
            var keys: [APIScope: String] = [:]
            for scope in APIScope.allCases { keys[scope] = try await key(clinic, scope).0 }
            let otherKey = try await key(other, .admin).0
            let (revoked, revokedRecord) = try await key(clinic, .admin)
            _ = try await store.revokeKey(id: revokedRecord.id, at: Date())

            let secrets = try SecretBox(key: SymmetricKey(size: .bits256))
            let account = AccountRecord(name: Fixtures.unique("server"), serverURL: peer.baseURL.absoluteString, username: "anna",
                                        sealedPassword: try secrets.seal("secret"), tenantID: clinic.id)
            try await store.saveAccount(account)
            let href = peer.annaCalendarHome + Fixtures.unique("api") + "/"
            try await peer.withClient { client in try await client.makeCalendar(href, displayName: "API") }
            let calendar = CollectionRecord(accountID: account.id, href: href, kind: .calendar)
            try await store.saveCollection(calendar)
            let rules = ResourceRules(timeZone: "Europe/Berlin", weeklyHours: try WeeklyHours.parse("mon-fri 09:00-17:00"),
                                      horizon: 3650 * 86_400, slotLength: 3600, slotStep: 3600, maxDataAge: 3600)
            let resource = ResourceRecord(name: Fixtures.unique("anna"), rules: String(decoding: try JSONEncoder().encode(rules), as: UTF8.self),
                                          calendarIDs: [calendar.id], bookingCalendarID: calendar.id, tenantID: clinic.id)
            try await store.saveResource(resource)

            let scopedKeys = keys
            let loopback = NetworkPolicy(allowing: [IPRange("127.0.0.1")!])
            let clients = AccountClients(secrets: secrets, tenantPolicy: loopback)
            let webhooks = WebhookService(store: store, secrets: secrets, networkPolicy: loopback,
                                              policy: DeliveryPolicy(maxAttempts: 3, baseDelay: 0.2, maxDelay: 1, timeout: 2))
            let service = BookingService(store: store, clients: clients)
            // Request lines are tested in LoggingTests; here they would only fill the test log.
            var quiet = logger ?? Logger(label: "test")
            if logger == nil { quiet.logLevel = .warning }
            var configuration = ServerConfiguration(port: 0, maxBodyBytes: maxBodyBytes, rateLimit: rateLimit)
            configuration.oidc = oidc
            configuration.metricsToken = Self.metricsToken
            configure(&configuration)
            if reachable {
                configuration.port = try Peer.freePort()
                configuration.publicURL = URL(string: "http://127.0.0.1:\(configuration.port)/")
            }
            let publicURL = configuration.publicURL
            let harness = { @Sendable (client: any TestClientProtocol) in
                ServerHarness(store: store, client: client, peer: peer, calendar: calendar, resource: resource.name,
                              keys: scopedKeys, otherTenantKey: otherKey, otherTenant: other, revokedKey: revoked, webhooks: webhooks, tenantName: clinic.name,
                              publicURL: publicURL)
            }
            let hub = Hub(store: store, bookings: service, webhooks: webhooks)
            hub.indexes.useEmbeddings(embeddings)
            do {
                if reachable {
                    // Served on the port its public URL names (the live test client would pick
                    // another), with the sync service; the test's requests go to a router over
                    // the same store.
                    let application = try SwitchboardServer.application(
                        hub: hub,
                        sync: SyncService(store: store, clients: clients, tick: .milliseconds(100)),
                        configuration: configuration, logger: quiet)
                    let group = ServiceGroup(services: [application], gracefulShutdownSignals: [], logger: quiet)
                    let serving = Task { try await group.run() }
                    do {
                        try await waitUntilListening(configuration.port)
                        let router = try SwitchboardServer.router(hub: hub, configuration: configuration, logger: quiet)
                        try await Application(router: router).test(.router) { client in try await body(harness(client)) }
                    } catch {
                        await group.triggerGracefulShutdown()
                        throw error
                    }
                    await group.triggerGracefulShutdown()
                    try await serving.value
                } else if backgroundSync {
                    // The test client opens its connection at once and may send nothing for a
                    // while (a peer written first, on a loaded machine): the head timeout that
                    // guards against slow clients would close it under the test.
                    var configuration = configuration
                    configuration.headerTimeout = .seconds(300)
                    let application = try SwitchboardServer.application(
                        hub: hub,
                        sync: SyncService(store: store, clients: clients, tick: .milliseconds(100)),
                        configuration: configuration, logger: quiet)
                    try await application.test(.live) { client in try await body(harness(client)) }
                } else {
                    let router = try SwitchboardServer.router(hub: hub, configuration: configuration, logger: quiet)
                    try await Application(router: router).test(.router) { client in try await body(harness(client)) }
                }
                await clients.shutdown()
                await webhooks.shutdown()
            } catch {
                await clients.shutdown()
                await webhooks.shutdown()
                throw error
            }
        }
    }

    private static func waitUntilListening(_ port: Int) async throws {
        try await HTTPTransport.withTransport(configuration: ClientConfiguration()) { transport in
            for _ in 0..<100 {
                if (try? await transport.send(.init(method: "GET", url: URL(string: "http://127.0.0.1:\(port)/healthz")!)))?.status == 200 {
                    return
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw PeerError(message: "the server did not listen on \(port)")
        }
    }

    /// A request; the answer's status, JSON body (if any) and headers.
    func call(_ method: HTTPRequest.Method, _ uri: String, key: String?, json: String? = nil, headers extra: HTTPFields = [:])
        async throws -> (status: Int, body: Any?, headers: HTTPFields)
    {
        var headers = extra
        if let key { headers[.authorization] = "Bearer " + key }
        if json != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) { response in
            let body = try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView), options: [.fragmentsAllowed])
            return (Int(response.status.code), body, response.headers)
        }
    }

    /// A problem answer's `code`, checked to carry the response's request id.
    static func problemCode(_ answer: (status: Int, body: Any?, headers: HTTPFields)) -> String? {
        guard let problem = answer.body as? [String: Any], let requestID = problem["requestId"] as? String,
            requestID == answer.headers[HTTPField.Name("X-Request-Id")!], problem["status"] as? Int == answer.status
        else { return nil }
        return problem["code"] as? String
    }
}

@Suite struct ServerRouteTests {
    @Test func healthAndSpecAreOpenAndEverythingElseNeedsAKey() async throws {
        try await ServerHarness.with { harness in
            #expect(try await harness.call(.get, "/healthz", key: nil).status == 200)
            #expect(try await harness.call(.get, "/readyz", key: nil).status == 200)
            let spec = try await harness.client.execute(uri: "/openapi.yaml", method: .get) { String(buffer: $0.body) }
            #expect(spec.hasPrefix("openapi: 3.1.0"))
            for key in [nil, "sb_not-a-key", harness.revokedKey] {
                let answer = try await harness.call(.get, "/v1/resources", key: key)
                #expect(answer.status == 401 && ServerHarness.problemCode(answer) == "unauthorized")
            }
            let unknown = try await harness.call(.get, "/v2/nothing", key: harness.keys[.read])
            #expect(unknown.status == 404 && ServerHarness.problemCode(unknown) == "not_found")

            // Prometheus text: every request above, by route pattern, method and status.
            let metrics = try await harness.client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer " + ServerHarness.metricsToken]) {
                String(buffer: $0.body)
            }
            #expect(metrics.contains(#"switchboard_http_requests_total{route="/v1/resources",method="GET",status="401"} 3"#), "\(metrics)")
            #expect(metrics.contains(#"switchboard_http_request_duration_seconds_bucket{route="/healthz",method="GET",status="200",le="+Inf"} 1"#))
        }
    }

    @Test func scopesLimitWhatAKeyDoesAndTenantsNeverMeet() async throws {
        try await ServerHarness.with { harness in
            let booking = #"{"resource": "\#(harness.resource)", "start": "2028-03-06T09:00:00Z", "end": "2028-03-06T10:00:00Z", "summary": "Consultation"}"#
            let refused = try await harness.call(.post, "/v1/bookings", key: harness.keys[.read], json: booking)
            #expect(refused.status == 403 && ServerHarness.problemCode(refused) == "forbidden")
            let made = try await harness.call(.post, "/v1/bookings", key: harness.keys[.book], json: booking)
            #expect(made.status == 201)
            let id = try #require((made.body as? [String: Any])?["id"] as? String)

            // The other tenant sees neither the resource nor the booking: both do not exist for it.
            let theirs = try await harness.call(.get, "/v1/resources", key: harness.otherTenantKey)
            #expect(theirs.status == 200 && (theirs.body as? [Any])?.isEmpty == true)
            let ours = try await harness.call(.get, "/v1/resources", key: harness.keys[.read])
            #expect((ours.body as? [[String: Any]])?.map { $0["name"] as? String } == [harness.resource])
            let window = "from=2028-03-06T00:00:00Z&to=2028-03-07T00:00:00Z"
            for (method, uri, json) in [(HTTPRequest.Method.get, "/v1/availability?resource=\(harness.resource)&\(window)", nil),
                                        (.get, "/v1/bookings?resource=\(harness.resource)&\(window)", nil),
                                        (.post, "/v1/bookings", booking)] {
                let answer = try await harness.call(method, uri, key: harness.otherTenantKey, json: json)
                #expect(answer.status == 404 && ServerHarness.problemCode(answer) == "resource_not_found", "\(uri)")
            }
            for (method, uri) in [(HTTPRequest.Method.get, "/v1/bookings/\(id)"), (.post, "/v1/bookings/\(id)/confirm"),
                                  (.post, "/v1/bookings/\(id)/cancel")] {
                let answer = try await harness.call(method, uri, key: harness.otherTenantKey)
                #expect(answer.status == 404 && ServerHarness.problemCode(answer) == "booking_not_found", "\(uri)")
            }
            #expect(try await harness.store.booking(id: id)?.status == .pending, "untouched by the other tenant")

            // Each tenant names its resources freely: the other's own "anna" is its own.
            // (On the other tenant's own account: a resource takes its tenant's calendars only.)
            let mine = try #require(try await harness.store.resources().first { $0.name == harness.resource })
            var theirAccount = try #require(try await harness.store.accounts().first { $0.id == harness.calendar.accountID })
            theirAccount.id = UUID().uuidString
            theirAccount.name = TenantScopedName.stored("server", tenantName: harness.otherTenant.name)
            theirAccount.tenantID = harness.otherTenant.id
            try await harness.store.saveAccount(theirAccount)
            let theirCalendar = CollectionRecord(accountID: theirAccount.id, href: harness.calendar.href, kind: .calendar)
            try await harness.store.saveCollection(theirCalendar)
            var twin = mine
            twin.id = UUID().uuidString
            twin.name = TenantScopedName.stored(harness.resource, tenantName: harness.otherTenant.name)
            twin.tenantID = harness.otherTenant.id
            #expect(await thrownError(StoreError.self) { try await harness.store.saveResource(twin) }?.code == .constraint,
                    "another tenant's calendar")
            twin.calendarIDs = [theirCalendar.id]
            twin.bookingCalendarID = theirCalendar.id
            try await harness.store.saveResource(twin)
            let twinBooking = try await harness.call(.post, "/v1/bookings", key: harness.otherTenantKey,
                                                     json: booking.replacingOccurrences(of: "09:00:00Z", with: "11:00:00Z")
                                                         .replacingOccurrences(of: "10:00:00Z", with: "12:00:00Z"))
            #expect(twinBooking.status == 201 && (twinBooking.body as? [String: Any])?["resource"] as? String == harness.resource)
            let listed = try await harness.call(.get, "/v1/resources", key: harness.otherTenantKey)
            #expect((listed.body as? [[String: Any]])?.map { $0["name"] as? String } == [harness.resource])
            let ourBookings = try await harness.call(.get, "/v1/bookings?resource=\(harness.resource)&\(window)", key: harness.keys[.read])
            #expect((ourBookings.body as? [[String: Any]])?.map { $0["id"] as? String } == [id])
        }
    }

    @Test func eachKeyHasItsRateLimit() async throws {
        // A token a minute: the four requests cannot outlast it even on a loaded machine. The
        // refill itself is timed with a given clock (`aBucketRefillsAtItsRate`), not waited for.
        try await ServerHarness.with(rateLimit: RateLimit(perSecond: 1.0 / 60, burst: 3)) { harness in
            for _ in 0..<3 { #expect(try await harness.call(.get, "/v1/resources", key: harness.keys[.read]).status == 200) }
            let limited = try await harness.call(.get, "/v1/resources", key: harness.keys[.read])
            #expect(limited.status == 429 && ServerHarness.problemCode(limited) == "rate_limited")
            // Sixty seconds a token, less the time the three requests took.
            #expect((1...60).map(String.init).contains(limited.headers[.retryAfter] ?? ""))
            // Another key has its own bucket; health checks need none.
            #expect(try await harness.call(.get, "/v1/resources", key: harness.keys[.book]).status == 200)
            #expect(try await harness.call(.get, "/healthz", key: nil).status == 200)
        }
    }

    @Test func badRequestsNameWhatIsWrong() async throws {
        try await ServerHarness.with(maxBodyBytes: 1024) { harness in
            let key = harness.keys[.book]
            let resource = harness.resource
            let cases: [(HTTPRequest.Method, String, String?, Int, String, String?)] = [
                (.post, "/v1/bookings", #"{"resource": "x", "start": 5}"#, 400, "invalid_request", "start"),
                (.post, "/v1/bookings", "{not json", 400, "invalid_request", nil),
                (.post, "/v1/bookings", #"{"resource": "\#(resource)", "start": "2028-03-06T10:00:00Z", "end": "2028-03-06T09:00:00Z", "summary": "x"}"#,
                 400, "invalid_request", "end"),
                (.get, "/v1/availability?resource=\(resource)&from=2028-03-06T00:00:00Z&to=2028-03-05T00:00:00Z", nil, 400, "invalid_request", "to"),
                (.get, "/v1/availability?resource=\(resource)&from=2028-01-01T00:00:00Z&to=2030-01-01T00:00:00Z", nil, 400, "invalid_request", "to"),
                (.get, "/v1/availability?resource=\(resource)&from=2028-03-06T00:00:00Z&to=2028-03-07T00:00:00Z&tz=Mars/Olympus", nil,
                 400, "invalid_request", "tz"),
                (.get, "/v1/availability?resource=\(resource)&from=yesterday&to=2028-03-07T00:00:00Z", nil, 400, "invalid_request", nil),
                (.get, "/v1/availability?from=2028-03-06T00:00:00Z&to=2028-03-07T00:00:00Z", nil, 400, "invalid_request", nil),
                (.post, "/v1/bookings", #"{"summary": "\#(String(repeating: "x", count: 2000))"}"#, 413, "body_too_large", nil),
            ]
            for (method, uri, json, status, code, field) in cases {
                let answer = try await harness.call(method, uri, key: key, json: json)
                #expect(answer.status == status && ServerHarness.problemCode(answer) == code, "\(uri) \(json ?? "") → \(answer.status) \(String(describing: answer.body))")
                if let field {
                    let fields = ((answer.body as? [String: Any])?["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
                    #expect(fields == [field], "\(uri) \(json ?? "")")
                }
            }
        }
    }

    @Test func availabilityThenBookConfirmCancelShowOnRadicale() async throws {
        try await ServerHarness.with { harness in
            let key = harness.keys[.book]
            // Monday 6 March 2028 in New York: 09:00–17:00 Berlin is 03:00–11:00 there.
            let asked = try await harness.call(
                .get, "/v1/availability?resource=\(harness.resource)&from=2028-03-06T00:00:00Z&to=2028-03-07T00:00:00Z&tz=America/New_York", key: key)
            #expect(asked.status == 200)
            let availability = try #require(asked.body as? [String: Any])
            let slots = try #require(availability["slots"] as? [[String: Any]])
            #expect(slots.count == 8 && slots.first?["start"] as? String == "2028-03-06T08:00:00Z")
            #expect(slots.first?["localStart"] as? String == "2028-03-06T03:00:00-05:00")
            #expect((availability["free"] as? [Any])?.count == 1 && (availability["busy"] as? [Any])?.isEmpty == true)

            let booking = #"{"resource": "\#(harness.resource)", "start": "2028-03-06T08:00:00Z", "end": "2028-03-06T09:00:00Z", "summary": "Consultation", "attendees": ["client@example.org"]}"#
            let made = try await harness.call(.post, "/v1/bookings", key: key, json: booking)
            #expect(made.status == 201)
            // The same question right after sees the booking (a kept answer is not reused after a write).
            let again = try await harness.call(
                .get, "/v1/availability?resource=\(harness.resource)&from=2028-03-06T00:00:00Z&to=2028-03-07T00:00:00Z&tz=America/New_York", key: key)
            let slotsAfter = try #require((again.body as? [String: Any])?["slots"] as? [[String: Any]])
            #expect(slotsAfter.count == 7 && slotsAfter.first?["start"] as? String == "2028-03-06T09:00:00Z")
            let created = try #require(made.body as? [String: Any])
            #expect(created["status"] as? String == "pending" && created["attendees"] as? [String] == ["mailto:client@example.org"])
            let id = try #require(created["id"] as? String)
            let twice = try await harness.call(.post, "/v1/bookings", key: key, json: booking)
            #expect(twice.status == 409 && ServerHarness.problemCode(twice) == "not_bookable")

            func serverSummaries() async throws -> [String] {
                try await harness.peer.withClient { client in
                    try await client.allObjects(.calendar, in: harness.calendar.href).compactMap(\.data)
                        .flatMap { $0.components(separatedBy: .newlines).filter { $0.hasPrefix("SUMMARY:") } }
                }
            }
            #expect(try await serverSummaries() == ["SUMMARY:REQUEST: Consultation"])
            let confirmed = try await harness.call(.post, "/v1/bookings/\(id)/confirm", key: key)
            #expect((confirmed.body as? [String: Any])?["status"] as? String == "confirmed")
            #expect(try await serverSummaries() == ["SUMMARY:Consultation"])
            let listed = try await harness.call(.get, "/v1/bookings?resource=\(harness.resource)&from=2028-03-06T00:00:00Z&to=2028-03-07T00:00:00Z",
                                                key: harness.keys[.read])
            #expect((listed.body as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            let cancelled = try await harness.call(.post, "/v1/bookings/\(id)/cancel", key: key)
            #expect((cancelled.body as? [String: Any])?["status"] as? String == "cancelled")
            #expect(try await serverSummaries().isEmpty)
        }
    }
}
