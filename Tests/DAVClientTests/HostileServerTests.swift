@testable import DAVClient
@testable import HTTPTransport
import DAVXML
import Foundation
import SwitchboardTestSupport
import Testing

/// The client against servers that misbehave: hostile XML, huge and slow bodies,
/// redirect loops, failures and rate limits. Each must end in a typed error (or a
/// recovered success), never a crash or a hang.
@Suite("DAV client against hostile servers")
struct HostileServerTests {
    private static let davRoot = #"<d:multistatus xmlns:d="DAV:"><d:response><d:href>/</d:href><d:propstat><d:prop><d:displayname>ok</d:displayname></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"#

    /// Runs `body` with a client of the scripted server.
    private func withClient<Result: Sendable>(
        _ script: @escaping @Sendable (ScriptedServer.Request) async -> [ScriptedServer.Step],
        configure: @escaping @Sendable (inout ClientConfiguration) -> Void = { _ in },
        _ body: @Sendable (DAVClient, RequestLog) async throws -> Result
    ) async throws -> Result {
        try await ScriptedServer.with(script) { url, log in
            var configuration = ClientConfiguration(credentials: .basic(user: "anna", password: "secret"))
            configuration.retry = RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.05, maxRetryAfter: 5)
            configure(&configuration)
            return try await HTTPTransport.withTransport(configuration: configuration) { transport in
                try await body(DAVClient(baseURL: url, transport: transport), log)
            }
        }
    }

    private func propfindError(
        _ script: @escaping @Sendable (ScriptedServer.Request) async -> [ScriptedServer.Step],
        configure: @escaping @Sendable (inout ClientConfiguration) -> Void = { _ in }
    ) async throws -> DAVError? {
        try await withClient(script, configure: configure) { client, _ in
            await davError { _ = try await client.propfind("/", depth: .zero, .properties([.dav("displayname")])) }
        }
    }

    @Test("an external entity (XXE) is refused before parsing")
    func externalEntity() async throws {
        let body = #"<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><d:multistatus xmlns:d="DAV:"><d:response><d:href>&x;</d:href></d:response></d:multistatus>"#
        let error = try await propfindError { _ in ScriptedServer.multistatus(body) }
        #expect(error?.code == .malformedResponse)
        #expect(error?.detail.contains("DOCTYPE") == true)
    }

    @Test("billion laughs is refused before parsing")
    func billionLaughs() async throws {
        var entities = #"<!ENTITY l0 "ha">"#
        for level in 1...9 { entities += "<!ENTITY l\(level) \"" + String(repeating: "&l\(level - 1);", count: 10) + "\">" }
        let body = #"<?xml version="1.0"?><!DOCTYPE m ["# + entities + #"]><d:multistatus xmlns:d="DAV:"><d:response><d:href>&l9;</d:href></d:response></d:multistatus>"#
        let error = try await propfindError { _ in ScriptedServer.multistatus(body) }
        #expect(error?.code == .malformedResponse)
    }

    @Test("a 1 GiB body declared by Content-Length is refused without reading it")
    func gigabyteDeclared() async throws {
        let error = try await propfindError { _ in
            [.send(Array("HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\nContent-Length: 1073741824\r\n\r\n".utf8)),
             .zeros(count: 1 << 30)]
        }
        #expect(error?.code == .tooLarge)
    }

    @Test("a chunked body past the limit is cut off")
    func unboundedChunkedBody() async throws {
        let error = try await propfindError(
            { _ in
                var steps: [ScriptedServer.Step] = [.send(Array("HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\nTransfer-Encoding: chunked\r\n\r\n".utf8))]
                let chunk = Array("10000\r\n".utf8) + [UInt8](repeating: UInt8(ascii: " "), count: 0x10000) + Array("\r\n".utf8)
                steps += Array(repeating: .send(chunk), count: 64)
                return steps
            },
            configure: { $0.maxResponseBytes = 1 << 20 })
        #expect(error?.code == .tooLarge)
    }

    @Test("a request body over the limit is refused before anything is sent")
    func requestTooLarge() async throws {
        let (error, sent) = try await withClient({ _ in ScriptedServer.response(201) }, configure: { $0.maxRequestBytes = 1024 }) { client, log in
            (await davError { try await client.put("/x.ics", body: [UInt8](repeating: 65, count: 2048), contentType: "text/calendar", precondition: .ifNoneMatch) },
             log.count)
        }
        #expect(error?.code == .tooLarge)
        #expect(sent == 0)
    }

    @Test("a slow-loris response ends in a timeout")
    func slowLoris() async throws {
        let error = try await propfindError(
            { _ in
                var steps: [ScriptedServer.Step] = [.send(Array("HTTP/1.1 207 Multi-Status\r\nContent-Length: 100000\r\n\r\n".utf8))]
                for _ in 0..<1000 { steps += [.send([UInt8(ascii: " ")]), .pause(.milliseconds(50))] }
                return steps
            },
            configure: {
                $0.requestTimeout = 1
                $0.retry = .none
            })
        #expect(error?.code == .timeout)
    }

    @Test("malformed and truncated XML are typed errors", arguments: [
        #"<d:multistatus xmlns:d="DAV:"><d:response></d:multistatus>"#,
        #"<d:multistatus xmlns:d="DAV:"><d:response><d:href>/</d:href>"#,
        "not xml at all",
    ])
    func malformedXML(body: String) async throws {
        let error = try await propfindError { _ in ScriptedServer.multistatus(body) }
        #expect(error?.code == .malformedResponse)
    }

    @Test("a multistatus in the wrong namespace is refused; any prefix shape is read")
    func namespaces() async throws {
        let wrong = #"<d:multistatus xmlns:d="urn:not-dav"><d:response><d:href>/</d:href></d:response></d:multistatus>"#
        let error = try await propfindError { _ in ScriptedServer.multistatus(wrong) }
        #expect(error?.code == .malformedResponse)

        let oddPrefixes = #"<multistatus xmlns="DAV:"><response><href>/</href><X:propstat xmlns:X="DAV:"><X:prop><displayname>Odd</displayname><Q:getctag xmlns:Q="http://calendarserver.org/ns/">7</Q:getctag></X:prop><status>HTTP/1.1 200 OK</status></X:propstat></response></multistatus>"#
        let collection = try await withClient({ _ in ScriptedServer.multistatus(oddPrefixes) }) { client, _ in
            try await client.collection("/")
        }
        #expect(collection.displayName == "Odd")
        #expect(collection.ctag == "7")
    }

    @Test("a redirect loop and a redirect chain past the limit are typed errors")
    func redirects() async throws {
        let loop = try await propfindError { request in
            ScriptedServer.response(301, headers: ["Location": request.path == "/" ? "/a" : "/"])
        }
        #expect(loop?.code == .redirectLoop)
        let chain = try await propfindError(
            { request in ScriptedServer.response(302, headers: ["Location": "/hop\(request.index)"]) },
            configure: { $0.maxRedirects = 3 })
        #expect(chain?.code == .tooManyRedirects)
    }

    @Test("a redirect keeps the method and body; credentials do not cross to another origin")
    func redirectAcrossOrigins() async throws {
        try await ScriptedServer.with({ _ in ScriptedServer.multistatus(Self.davRoot) }) { other, otherLog in
            let moved = try await withClient({ request in
                request.path == "/.well-known/caldav"
                    ? ScriptedServer.response(301, headers: ["Location": "/dav/"])
                    : ScriptedServer.response(307, headers: ["Location": other.absoluteString + "elsewhere/"])
            }) { client, log in
                _ = try await client.propfind("/.well-known/caldav", depth: .zero, .properties([.dav("displayname")]))
                return log.all
            }
            #expect(moved.map(\.path) == ["/.well-known/caldav", "/dav/"])
            #expect(moved.allSatisfy { $0.method == "PROPFIND" && $0.headers["authorization"] != nil })
            let crossed = try #require(otherLog.all.first)
            #expect(crossed.method == "PROPFIND")
            #expect(crossed.path == "/elsewhere/")
            #expect(!crossed.body.isEmpty)
            #expect(crossed.headers["authorization"] == nil)
        }
    }

    @Test("credentials go with the first request: Basic and Bearer")
    func preemptiveCredentials() async throws {
        let basic = try await withClient({ _ in ScriptedServer.multistatus(Self.davRoot) }) { client, log in
            _ = try await client.propfind("/", depth: .zero, .properties([.dav("displayname")]))
            return log.all.first?.headers["authorization"]
        }
        #expect(basic == "Basic YW5uYTpzZWNyZXQ=")
        let bearer = try await withClient({ _ in ScriptedServer.multistatus(Self.davRoot) }, configure: { $0.credentials = .bearer(token: "tok-123") }) { client, log in
            _ = try await client.propfind("/", depth: .zero, .properties([.dav("displayname")]))
            return log.all.first?.headers["authorization"]
        }
        #expect(bearer == "Bearer tok-123")
    }

    @Test("500s then success: an idempotent request is retried; MKCOL is not")
    func retries() async throws {
        let attempts = try await withClient({ request in
            request.index < 2 ? ScriptedServer.response(500) : ScriptedServer.multistatus(Self.davRoot)
        }) { client, log in
            _ = try await client.propfind("/", depth: .zero, .properties([.dav("displayname")]))
            return log.count
        }
        #expect(attempts == 3)
        let mkcol = try await withClient({ _ in ScriptedServer.response(500) }) { client, log in
            (await davError { try await client.mkcol("/new/") }, log.count)
        }
        #expect(mkcol.0?.code == .status)
        #expect(mkcol.1 == 1)
    }

    @Test("a server known to answer 500 for permission problems is not retried")
    func quirkStopsRetries() async throws {
        let (error, sent) = try await withClient({ _ in ScriptedServer.response(500) }) { client, log in
            var client = client
            client.quirks = ServerQuirks(product: .xandikos)
            return (await davError { _ = try await client.get("/bob/calendars/calendar/") }, log.count)
        }
        #expect(error?.code == .status)
        #expect(sent == 1)
    }

    @Test("429 with Retry-After is waited out; a longer Retry-After is reported")
    func rateLimits() async throws {
        let waited = try await withClient({ request in
            request.index == 0 ? ScriptedServer.response(429, headers: ["Retry-After": "1"]) : ScriptedServer.multistatus(Self.davRoot)
        }) { client, log in
            let start = ContinuousClock.now
            _ = try await client.propfind("/", depth: .zero, .properties([.dav("displayname")]))
            return (log.count, ContinuousClock.now - start)
        }
        #expect(waited.0 == 2)
        #expect(waited.1 >= .seconds(1))
        let refused = try await propfindError { _ in ScriptedServer.response(503, headers: ["Retry-After": "3600"]) }
        #expect(refused?.code == .rateLimited)
        #expect(refused?.retryAfterSeconds == 3600)
    }

    @Test("the circuit opens after repeated failures and stops sending")
    func circuitBreaker() async throws {
        let (codes, sent) = try await withClient({ _ in ScriptedServer.response(502) }, configure: {
            $0.retry = .none
            $0.circuitBreaker = CircuitBreakerPolicy(failureThreshold: 2, cooldown: 60)
        }) { client, log in
            var codes: [DAVError.Code?] = []
            for _ in 0..<4 { codes.append(await davError { _ = try await client.get("/x.ics") }?.code) }
            return (codes, log.count)
        }
        #expect(codes == [.status, .status, .circuitOpen, .circuitOpen])
        #expect(sent == 2)
    }

    @Test("sync-collection follows 507 pages to the end")
    func syncPaging() async throws {
        let changes = try await withClient({ request in
            let token = String(decoding: request.body, as: UTF8.self).contains("<d:sync-token>t1</d:sync-token>") ? "t1" : ""
            if token.isEmpty {
                return ScriptedServer.multistatus(#"""
                    <d:multistatus xmlns:d="DAV:"><d:response><d:href>/cal/a.ics</d:href><d:propstat><d:prop><d:getetag>"1"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response><d:response><d:href>/cal/</d:href><d:status>HTTP/1.1 507 Insufficient Storage</d:status></d:response><d:sync-token>t1</d:sync-token></d:multistatus>
                    """#)
            }
            return ScriptedServer.multistatus(#"""
                <d:multistatus xmlns:d="DAV:"><d:response><d:href>/cal/b.ics</d:href><d:propstat><d:prop><d:getetag>"2"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response><d:sync-token>t2</d:sync-token></d:multistatus>
                """#)
        }) { client, _ in
            try await client.changes(in: "/cal/", since: SyncState())
        }
        #expect(changes.added.map(\.href) == ["/cal/a.ics", "/cal/b.ics"])
        #expect(changes.state.syncToken == "t2")
        #expect(changes.method == .syncCollection)
    }

    @Test("without sync-collection, an unchanged ctag costs one request and a changed one lists ETags")
    func ctagFallback() async throws {
        let listing = #"<d:multistatus xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:response><d:href>/cal/</d:href><d:propstat><d:prop><cs:getctag>CTAG</cs:getctag><d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response><d:response><d:href>/cal/x</d:href><d:propstat><d:prop><d:getetag>"x2"</d:getetag><d:resourcetype/></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"#
        func script(ctag: String) -> @Sendable (ScriptedServer.Request) async -> [ScriptedServer.Step] {
            { request in
                request.method == "REPORT" ? ScriptedServer.response(501) : ScriptedServer.multistatus(listing.replacingOccurrences(of: "CTAG", with: ctag))
            }
        }
        let known = SyncState(ctag: "c1", etags: ["/cal/x": "\"x1\"", "/cal/gone": "\"g\""])
        let (same, sameRequests) = try await withClient(script(ctag: "c1")) { client, log in
            (try await client.changes(in: "/cal/", since: known), log.all.filter { $0.method != "REPORT" }.count)
        }
        #expect(same.method == .ctagUnchanged)
        #expect(same.isEmpty)
        #expect(sameRequests == 1)
        let changed = try await withClient(script(ctag: "c2")) { client, _ in try await client.changes(in: "/cal/", since: known) }
        #expect(changed.method == .etagListing)
        #expect(changed.changed == [MemberVersion(href: "/cal/x", etag: "\"x2\"")])
        #expect(changed.deleted == ["/cal/gone"])
        #expect(changed.state.ctag == "c2")
    }
}

/// The ``DAVError`` a call throws, or nil when it succeeds.
func davError(_ body: () async throws -> Void) async -> DAVError? {
    await thrownError(DAVError.self, body)
}

/// The ``HTTPError`` a transport call throws, or nil when it succeeds.
func httpError(_ body: () async throws -> Void) async -> HTTPError? {
    await thrownError(HTTPError.self, body)
}

/// Discovery over layouts no local server has: Nextcloud's `/remote.php/dav` under a path.
@Suite("DAV discovery layouts")
struct DiscoveryLayoutTests {
    private static func principalAnswer(_ href: String, principal: String) -> [ScriptedServer.Step] {
        ScriptedServer.multistatus(#"<d:multistatus xmlns:d="DAV:"><d:response><d:href>\#(href)</d:href><d:propstat><d:prop><d:current-user-principal><d:href>\#(principal)</d:href></d:current-user-principal></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"#)
    }

    private static func homes(_ principal: String, calendars: String, contacts: String) -> [ScriptedServer.Step] {
        ScriptedServer.multistatus(#"<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:a="urn:ietf:params:xml:ns:carddav"><d:response><d:href>\#(principal)</d:href><d:propstat><d:prop><c:calendar-home-set><d:href>\#(calendars)</d:href></c:calendar-home-set><a:addressbook-home-set><d:href>\#(contacts)</d:href></a:addressbook-home-set><d:displayname>Anna</d:displayname></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"#)
    }

    @Test("Nextcloud under /nextcloud is found from the plain server URL")
    func nextcloudUnderPath() async throws {
        let found = try await ScriptedServer.with({ request in
            switch (request.method, request.path) {
            case ("PROPFIND", "/nextcloud/remote.php/dav/"):
                return Self.principalAnswer(request.path, principal: "/nextcloud/remote.php/dav/principals/users/anna/")
            case ("PROPFIND", "/nextcloud/remote.php/dav/principals/users/anna/"):
                return Self.homes(request.path, calendars: "/nextcloud/remote.php/dav/calendars/anna/",
                                  contacts: "/nextcloud/remote.php/dav/addressbooks/users/anna/")
            case ("OPTIONS", _):
                return ScriptedServer.response(200, headers: ["DAV": "1, 3, extended-mkcol, calendar-access, addressbook, nc-calendar-search"])
            default:
                // The login page Nextcloud serves for anything else.
                return ScriptedServer.response(200, headers: ["Content-Type": "text/html"], body: "<html>login</html>")
            }
        }) { url, _ in
            var configuration = ClientConfiguration(credentials: .basic(user: "anna", password: "app-password"))
            configuration.retry = .none
            return try await HTTPTransport.withTransport(configuration: configuration) { transport in
                try await DAVClient(baseURL: url.appendingPathComponent("nextcloud"), transport: transport).discover()
            }
        }
        #expect(found.principal == "/nextcloud/remote.php/dav/principals/users/anna/")
        #expect(found.calendarHomes == ["/nextcloud/remote.php/dav/calendars/anna/"])
        #expect(found.addressBookHomes == ["/nextcloud/remote.php/dav/addressbooks/users/anna/"])
        #expect(found.displayName == "Anna")
        #expect(found.quirks.product == .nextcloud)
    }

    @Test("a bare host is followed through /.well-known/caldav's redirect")
    func wellKnownRedirect() async throws {
        let found = try await ScriptedServer.with({ request in
            switch request.path {
            case "/.well-known/caldav": return ScriptedServer.response(301, headers: ["Location": "/dav/"])
            case "/dav/": return Self.principalAnswer(request.path, principal: "/dav/principals/anna/")
            case "/dav/principals/anna/": return Self.homes(request.path, calendars: "/dav/cal/anna/", contacts: "/dav/card/anna/")
            default: return ScriptedServer.response(404)
            }
        }) { url, _ in
            try await HTTPTransport.withTransport(configuration: ClientConfiguration(credentials: .basic(user: "anna", password: "x"))) { transport in
                try await DAVClient(baseURL: url, transport: transport).discover()
            }
        }
        #expect(found.calendarHomes == ["/dav/cal/anna/"])
        #expect(found.contextURL.path == "/dav")
    }
}
