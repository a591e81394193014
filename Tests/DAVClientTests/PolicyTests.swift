@testable import DAVClient
@testable import HTTPTransport
import Testing

/// The pure rules under the transport: retry decisions, the circuit breaker, header
/// reading, capability and quirk detection, href naming.
@Suite("DAV client policies")
struct PolicyTests {
    @Test("retries: idempotent methods on connection failures and 5xx, any method on 429/503")
    func retryDecisions() {
        let policy = RetryPolicy(maxAttempts: 3, baseDelay: 1, maxDelay: 4, maxRetryAfter: 30)
        #expect(policy.decide(method: "PROPFIND", attempt: 1, outcome: .connectionFailure, random: 0.5) == .retry(afterSeconds: 0.5))
        #expect(policy.decide(method: "PROPFIND", attempt: 2, outcome: .connectionFailure, random: 0.5) == .retry(afterSeconds: 1))
        #expect(policy.decide(method: "PROPFIND", attempt: 3, outcome: .connectionFailure, random: 0.5) == .give(up: .attemptsExhausted))
        #expect(policy.decide(method: "MKCOL", attempt: 1, outcome: .connectionFailure, random: 0.5) == .give(up: .notRetryable))
        #expect(policy.decide(method: "MKCOL", attempt: 1, outcome: .response(status: 500, retryAfter: nil), random: 0.5) == .give(up: .notRetryable))
        #expect(policy.decide(method: "MKCOL", attempt: 1, outcome: .response(status: 429, retryAfter: 7), random: 0.5) == .retry(afterSeconds: 7))
        #expect(policy.decide(method: "GET", attempt: 1, outcome: .response(status: 503, retryAfter: 60), random: 0.5) == .give(up: .retryAfterTooLong))
        #expect(policy.decide(method: "GET", attempt: 1, outcome: .response(status: 404, retryAfter: nil), random: 0.5) == .give(up: .notRetryable))
        // The ceiling caps the backoff however many attempts came before.
        let long = RetryPolicy(maxAttempts: 100, baseDelay: 1, maxDelay: 4)
        #expect(long.decide(method: "GET", attempt: 50, outcome: .response(status: 502, retryAfter: nil), random: 0.999) == .retry(afterSeconds: 4 * 0.999))
    }

    @Test("backoff doubles from its base after each failure up to its ceiling")
    func exponentialBackoff() {
        let backoff = ExponentialBackoff(base: 5, maximum: 3600)
        #expect([0, 1, 2, 3, 4].map(backoff.delay(afterFailures:)) == [5, 5, 10, 20, 40])
        #expect(backoff.delay(afterFailures: 10) == 2560)
        #expect(backoff.delay(afterFailures: 11) == 3600)
        #expect(backoff.delay(afterFailures: 1_000) == 3600, "no overflow")
    }

    @Test("Retry-After as seconds and as HTTP-dates")
    func retryAfter() {
        #expect(RetryPolicy.retryAfterSeconds("120", now: 0) == 120)
        let date = 784_111_777.0  // Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example)
        #expect(RetryPolicy.retryAfterSeconds("Sun, 06 Nov 1994 08:49:47 GMT", now: date) == 10)
        #expect(RetryPolicy.retryAfterSeconds("Sunday, 06-Nov-94 08:49:47 GMT", now: date) == 10)
        #expect(RetryPolicy.retryAfterSeconds("Sun Nov  6 08:49:47 1994", now: date) == 10)
        #expect(RetryPolicy.retryAfterSeconds("Sun, 06 Nov 1994 08:49:37 GMT", now: date + 100) == 0)
        #expect(RetryPolicy.retryAfterSeconds("soon", now: 0) == nil)
        #expect(RetryPolicy.retryAfterSeconds("-5", now: 0) == nil)
    }

    @Test("the circuit opens at the threshold, admits one trial after the cooldown, and closes on success")
    func circuit() {
        let policy = CircuitBreakerPolicy(failureThreshold: 3, cooldown: 10)
        var state = CircuitState()
        func admit(_ state: inout CircuitState, _ now: Double) -> Bool { state.admit(now: now) }
        for second in 0..<3 {
            #expect(admit(&state, Double(second)))
            state.record(success: false, now: Double(second), policy: policy)
        }
        #expect(!admit(&state, 5))
        #expect(admit(&state, 12.5))
        #expect(!admit(&state, 12.6), "only one trial while half-open")
        state.record(success: false, now: 13, policy: policy)
        #expect(!admit(&state, 22), "a failed trial opens the circuit again")
        #expect(admit(&state, 23.5))
        state.record(success: true, now: 24, policy: policy)
        #expect(admit(&state, 24.1))
        #expect(state.consecutiveFailures == 0)
    }

    @Test("capabilities from DAV and Allow headers; quirks from what servers send")
    func capabilitiesAndQuirks() {
        var radicale = ServerCapabilities()
        radicale.read(davHeader: "1, 2, 3, calendar-access, addressbook, extended-mkcol",
                      allowHeader: "DELETE, GET, HEAD, MKCALENDAR, MKCOL, MOVE, OPTIONS, POST, PROPFIND, PROPPATCH, PUT, REPORT")
        #expect(radicale.calendarAccess && radicale.addressBook && radicale.extendedMkcol)
        #expect(!radicale.locking, "class 2 without LOCK in Allow")
        var xandikos = ServerCapabilities()
        xandikos.read(davHeader: "1, 2, 3, calendar-access, calendar-auto-schedule, addressbook, extended-mkcol, add-member, sync-collection, quota",
                      allowHeader: "COPY, DELETE, GET, LOCK, UNLOCK")
        #expect(xandikos.scheduling && xandikos.locking)

        #expect(ServerQuirks.detect(serverHeader: "WSGIServer/0.2 CPython/3.11.7", davHeader: "1, 2, 3, calendar-access, addressbook, extended-mkcol").product == .radicale)
        #expect(ServerQuirks.detect(serverHeader: "Python/3.11 aiohttp/3.14.5", davHeader: "1, 2, calendar-access, add-member, sync-collection").product == .xandikos)
        #expect(ServerQuirks.detect(serverHeader: "nginx", davHeader: "1, 3, extended-mkcol, access-control, calendarserver-principal-property-search, oc-resource-sharing, addressbook, nc-calendar-search").product == .nextcloud)
        #expect(ServerQuirks.detect(serverHeader: nil, davHeader: nil).product == .unknown)
        #expect(ServerQuirks(product: .xandikos).known.contains(.serverErrorForForeignCollections))
        #expect(ServerQuirks(product: .unknown).known.isEmpty)
    }

    @Test("new hrefs from UIDs stay inside their collection")
    func safeNames() {
        #expect(DAVClient.safeName("abc-123@example.org") == "abc-123@example.org")
        #expect(DAVClient.safeName("../../etc/passwd") .contains("/") == false)
        #expect(DAVClient.safeName("a b/c") == "a%20b%2Fc")
        #expect(!DAVClient.safeName("").isEmpty)
        #expect(!DAVClient.safeName("..").hasPrefix("."))
    }

    @Test("credentials never print their secret")
    func redaction() {
        #expect(!"\(ClientConfiguration.Credentials.basic(user: "anna", password: "hunter2"))".contains("hunter2"))
        #expect(!"\(ClientConfiguration.Credentials.bearer(token: "tok-123"))".contains("tok-123"))
        #expect(ClientConfiguration.Credentials.basic(user: "anna", password: "secret").headerValue == "Basic YW5uYTpzZWNyZXQ=")
    }
}
