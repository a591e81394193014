import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
@testable import SwitchboardServer
import SwitchboardTestSupport
import Synchronization
import SwitchboardStore
import Testing

/// Kept answers: reused for the same tenant and URI while the store is unchanged and the
/// lifetime lasts; never after a write, never for another tenant.
@Suite struct RecentAnswersTests {
    /// Runs the principal as `tenant` (what the authentication middleware does).
    struct AsTenant<Context: RequestContext>: RouterMiddleware {
        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            let tenant = request.headers[HTTPField.Name("X-Tenant")!] ?? "a"
            return try await Principal.$current.withValue(Principal(tenantID: tenant, scope: .read, keyID: "k")) {
                try await next(request, context)
            }
        }
    }

    /// A router answering availability and bookings with a count of answers computed,
    /// answers kept for `lifetime`; `body` asks it (as tenant "a" unless told).
    static func withCountingRouter(lifetime: Duration, _ body: @Sendable (SQLStore, (String, String) async throws -> String) async throws -> Void)
        async throws
    {
        try await StoreDriver.sqlite.withStore { store in
            let computed = Atomic<Int>(0)
            let router = Router()
            router.add(middleware: AsTenant())
            router.add(middleware: RecentAnswersMiddleware(store: store, lifetime: lifetime))
            router.get("v1/availability") { _, _ -> String in
                "answer \(computed.add(1, ordering: .relaxed).newValue)"
            }
            router.get("v1/bookings") { _, _ -> String in
                "answer \(computed.add(1, ordering: .relaxed).newValue)"
            }
            try await Application(router: router).test(.router) { client in
                try await body(store) { uri, tenant in
                    try await client.execute(uri: uri, method: .get, headers: [HTTPField.Name("X-Tenant")!: tenant]) { String(buffer: $0.body) }
                }
            }
        }
    }

    static let week = "/v1/availability?resource=r&from=2028-03-06T00:00:00Z&to=2028-03-13T00:00:00Z"

    // A lifetime far longer than any pause of a loaded machine: only writes end the reuse here.
    @Test func answersAreReusedPerTenantAndQuestionUntilAWrite() async throws {
        try await Self.withCountingRouter(lifetime: .seconds(600)) { store, ask in
            let week = Self.week
            #expect(try await ask(week, "a") == "answer 1")
            #expect(try await ask(week, "a") == "answer 1", "the same question, kept")
            #expect(try await ask(week + "&tz=UTC", "a") == "answer 2", "another question")
            #expect(try await ask(week, "b") == "answer 3", "another tenant")
            try await store.saveTenant(TenantRecord(name: Fixtures.unique("write")))
            #expect(try await ask(week, "a") == "answer 4", "after a write")
            #expect(try await ask(week, "a") == "answer 4")
            #expect(try await ask("/v1/bookings", "a") == "answer 5")
            #expect(try await ask("/v1/bookings", "a") == "answer 6", "only the costly reads are kept")
        }
    }

    @Test func answersAreComputedAgainAfterTheirLifetime() async throws {
        try await Self.withCountingRouter(lifetime: .milliseconds(100)) { _, ask in
            #expect(try await ask(Self.week, "a") == "answer 1")
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await ask(Self.week, "a") == "answer 2", "after its lifetime")
        }
    }

    @Test func aBurstOfTheSameQuestionIsComputedOnce() async throws {
        try await StoreDriver.sqlite.withStore { store in
            let computed = Atomic<Int>(0)
            let router = Router()
            router.add(middleware: AsTenant())
            router.add(middleware: RecentAnswersMiddleware(store: store, lifetime: .seconds(5)))
            router.get("v1/availability") { _, _ -> String in
                let count = computed.add(1, ordering: .relaxed).newValue
                try await Task.sleep(for: .milliseconds(200))
                return "answer \(count)"
            }
            try await Application(router: router).test(.router) { client in
                let answers = try await withThrowingTaskGroup(of: String.self) { group in
                    for _ in 0..<20 {
                        group.addTask {
                            try await client.execute(uri: "/v1/availability?resource=r", method: .get) { String(buffer: $0.body) }
                        }
                    }
                    return try await group.reduce(into: [String]()) { $0.append($1) }
                }
                #expect(Set(answers) == ["answer 1"] && answers.count == 20)
                #expect(computed.load(ordering: .relaxed) == 1)
            }
        }
    }
}
