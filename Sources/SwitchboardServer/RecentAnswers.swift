import Caching
import HTTPTypes
import Hummingbird
import NIOCore
import SyncStore

/// Answers of costly read-only operations (availability, event lists) kept for a moment per
/// tenant and request URI, while the store is unchanged: a booking page asks the same week
/// again and again. An answer is reused only under the store's write generation it was
/// computed at — any write through this server (a booking, a sync, an edit) makes the next
/// question computed afresh — and for at most `lifetime`, which bounds how long another
/// process's writes (a shared PostgreSQL) or the passing of time (minimum notice) go unseen.
/// A booking is still checked atomically when it is made, whatever an answer showed.
struct RecentAnswersMiddleware<Context: RequestContext>: RouterMiddleware {
    struct Answer: Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: ByteBuffer
        var expires: ContinuousClock.Instant
    }

    let answers: Memo<String, Answer>
    let store: any SyncStore
    let lifetime: Duration

    init(store: any SyncStore, lifetime: Duration = .seconds(1), capacity: Int = 10_000) {
        answers = Memo(capacity: capacity)
        self.store = store
        self.lifetime = lifetime
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
        if let kept = answers.cached(for: key, version: generation), kept.expires > now {
            return Response(status: kept.status, headers: kept.headers, body: ResponseBody(byteBuffer: kept.body))
        }
        let response = try await next(request, context)
        guard response.status == .ok else { return response }
        let collector = BodyCollector()
        try await response.body.write(collector)
        let body = collector.buffer
        answers.keep(Answer(status: response.status, headers: response.headers, body: body, expires: now + lifetime), for: key, version: generation)
        return Response(status: response.status, headers: response.headers, body: ResponseBody(byteBuffer: body))
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
