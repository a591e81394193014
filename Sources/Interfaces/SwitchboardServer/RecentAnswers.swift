import Caching
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import SwitchboardStore

/// Answers of costly read-only operations (availability, event lists) kept for a moment per
/// tenant and request URI, while the store is unchanged: a booking page asks the same week
/// again and again. An answer is reused only under the store's write generation it was
/// computed at — any write through this server (a booking, a sync, an edit) makes the next
/// question computed afresh — and for at most `lifetime`, which bounds how long another
/// process's writes (a shared PostgreSQL) or the passing of time (minimum notice) go unseen.
/// A booking is still checked atomically when it is made, whatever an answer showed.
///
/// When an answer is missing, the first request computes it and the ones asking the same
/// meanwhile wait for it (a burst at expiry does not compute it once per connection).
struct RecentAnswersMiddleware<Context: RequestContext>: RouterMiddleware {
    let kept: RecentAnswers
    let store: any SyncStore

    init(store: any SyncStore, lifetime: Duration = .seconds(1), capacity: Int = 10_000) {
        kept = RecentAnswers(lifetime: lifetime, capacity: capacity)
        self.store = store
    }

    /// Whether answers to GETs of this path may be kept.
    static func keeps(_ path: String) -> Bool {
        path == "/v1/availability" || (path.hasPrefix("/v1/calendars/") && path.hasSuffix("/events"))
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get, Self.keeps(request.uri.path), let principal = Principal.current else {
            return try await next(request, context)
        }
        let key = principal.tenantID + " " + request.uri.description
        let generation = Int64(truncatingIfNeeded: store.writeGeneration)
        let now = ContinuousClock.now
        if let answer = kept.answers.cached(for: key, version: generation) { return answer.response }
        let wait = await withCheckedContinuation { (continuation: CheckedContinuation<RecentAnswers.Wait, Never>) in
            let computing = kept.waiting.withLock { waiting in
                if waiting[key] != nil {
                    waiting[key]?.append(continuation)
                    return true
                }
                waiting[key] = []
                return false
            }
            if !computing { continuation.resume(returning: .lead) }
        }
        switch wait {
        case .answer(let answer): return answer.response
        case .failed: return try await next(request, context)
        case .lead: break
        }
        var computed: RecentAnswers.Answer?
        defer {
            let waiters = kept.waiting.withLock { $0.removeValue(forKey: key) } ?? []
            for waiter in waiters { waiter.resume(returning: computed.map(RecentAnswers.Wait.answer) ?? .failed) }
        }
        let response = try await next(request, context)
        guard response.status == .ok else { return response }
        let collector = BodyCollector()
        try await response.body.write(collector)
        let answer = RecentAnswers.Answer(status: response.status, headers: response.headers, body: collector.buffer)
        kept.answers.keep(answer, for: key, version: generation, madeAt: now)
        computed = answer
        return answer.response
    }
}

/// The answers kept, and the requests waiting for one being computed.
final class RecentAnswers: Sendable {
    struct Answer: Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: ByteBuffer

        var response: Response { Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body)) }
    }

    /// What a request waiting for another's computation gets.
    enum Wait: Sendable {
        /// Nobody was computing it: compute it.
        case lead
        case answer(Answer)
        /// The computation gave no answer to keep (an error): compute it too.
        case failed
    }

    let answers: Memo<String, Answer>
    /// The requests waiting for an answer being computed, by key.
    let waiting = Mutex<[String: [CheckedContinuation<Wait, Never>]]>([:])

    init(lifetime: Duration, capacity: Int) {
        answers = Memo(capacity: capacity, lifetime: lifetime)
    }
}

/// A response body written into one buffer.
private final class BodyCollector: ResponseBodyWriter {
    var buffer = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        self.buffer.writeBuffer(&buffer)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
