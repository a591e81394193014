import Caching
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OpenAPIRuntime
import Synchronization
import SwitchboardStore

/// Who is asking: the tenant and scope of the request's API key.
struct Principal: Sendable, Hashable {
    var tenantID: String
    var scope: APIScope
    var keyID: String

    /// The request's principal (set by ``AuthenticationMiddleware``) and request id (set by
    /// ``RequestIDMiddleware``): the generated handlers see the request only through these.
    @TaskLocal static var current: Principal?
    @TaskLocal static var requestID = "-"

    /// The current principal, when its scope allows `needed`.
    static func requiring(_ needed: APIScope) throws(Problem) -> Principal {
        guard let principal = current else { throw .unauthorized }
        guard principal.scope.allows(needed) else { throw .forbidden("this key's scope is \(principal.scope.rawValue); \(needed.rawValue) is needed") }
        return principal
    }
}

/// Gives every request an id (the caller's `X-Request-Id` when it is a sane token, else a
/// new one), returns it on the response, and renders a ``Problem`` thrown anywhere below
/// as an RFC 9457 document carrying it.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let offered = request.headers[.requestID].flatMap { $0.count <= 64 && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } ? $0 : nil }
        let id = offered ?? UUID().uuidString.lowercased()
        return try await Principal.$requestID.withValue(id) {
            var response: Response
            do {
                response = try await next(request, context)
            } catch let problem as Problem {
                response = problem.response(requestID: id)
            } catch let error as ServerError {
                response = Problem(error).response(requestID: id)
            } catch let error as any HTTPResponseError where error.status == .notFound {
                response = Problem.notFound("no route \(request.method.rawValue) \(request.uri.path)").response(requestID: id)
            } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
                response = Problem(status: 413, code: "body_too_large", title: "Request body too large").response(requestID: id)
            }
            response.headers[.requestID] = id
            return response
        }
    }
}

/// Checks the API key (or the OIDC access token) of every request but the health checks,
/// the spec, feeds and calendar servers' webhook calls, and runs the rest as its principal.
/// A missing, unknown or revoked key, or a token that does not verify, is a 401.
///
/// Keys found are kept for a moment while the store is unchanged (a revocation through
/// this server takes effect at once; one made by another process within a second).
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let store: any AccessStore & SyncStore
    /// Paths served to anyone.
    let open: Set<String>
    /// The OIDC providers whose access tokens stand in for keys.
    let tokens: IdentityProviders
    /// The buckets of requests without a valid credential, by client address (`nil`: no limit).
    let anonymous: TokenBuckets?
    /// Keys by hash (and unknown hashes, as `nil`), for a second at most.
    let keys = Memo<String, APIKeyRecord?>(capacity: 10_000, lifetime: .seconds(1))

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let credential = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst("Bearer ".count)) : nil }
        // Feeds are opened by the secret in their URL; calendar servers' webhook calls carry
        // their subscription's secret, checked by the handler.
        let isOpen = open.contains(request.uri.path) || request.uri.path.hasPrefix("/ics/")
        let isHook = request.uri.path.hasPrefix("/hooks/")
        if isOpen || isHook {
            try chargeAnonymous(context)
            if isHook { return try await HookSecret.$current.withValue(credential) { try await next(request, context) } }
            return try await next(request, context)
        }
        guard let credential else { try refuse(context) }
        if !credential.hasPrefix("sb_") {
            guard let principal = await tokens.principal(for: credential) else { try refuse(context) }
            RequestCaller.current?.identify(principal)
            return try await Principal.$current.withValue(principal) { try await next(request, context) }
        }
        let hash = SecretToken.hash(credential)
        let key: APIKeyRecord?
        do {
            key = try await keys.value(for: hash, version: Int64(truncatingIfNeeded: store.writeGeneration)) { () async throws(StoreError) in
                try await store.key(hash: hash)
            }
        } catch {
            throw Problem(error)
        }
        guard let key, key.revokedAt == nil else { try refuse(context) }
        let principal = Principal(tenantID: key.tenantID, scope: key.scope, keyID: key.id)
        RequestCaller.current?.identify(principal)
        return try await Principal.$current.withValue(principal) { try await next(request, context) }
    }

    /// Takes a token of the client address's anonymous bucket, or refuses with a 429.
    private func chargeAnonymous(_ context: Context) throws(Problem) {
        if let anonymous, let wait = anonymous.take(context.clientAddress) {
            throw Problem.rateLimited("this address, without a credential,", anonymous.limit).retrying(after: wait)
        }
    }

    /// A 401 (or a 429, for an address that keeps sending bad credentials).
    private func refuse(_ context: Context) throws(Problem) -> Never {
        try chargeAnonymous(context)
        throw Problem.unauthorized
    }
}

/// Who made the request, for its log line: the client address, and the key (or token
/// subject) and tenant once authenticated. Set by ``RequestLogMiddleware`` for the requests
/// below it; filled in by ``AuthenticationMiddleware``.
final class RequestCaller: Sendable {
    let address: String
    private let principal = Mutex<Principal?>(nil)

    init(address: String) { self.address = address }

    @TaskLocal static var current: RequestCaller?

    func identify(_ principal: Principal) { self.principal.withLock { $0 = principal } }
    var identified: Principal? { principal.withLock { $0 } }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
}

extension Problem {
    /// The RFC 9457 document for this problem.
    func response(requestID: String) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let body = (try? encoder.encode(payload(requestID: requestID))) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        if let retryAfterSeconds { headers[.retryAfter] = String(Int(retryAfterSeconds.rounded(.up))) }
        return Response(status: HTTPResponse.Status(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension Problem {
    /// A request the generated layer could not read (a missing parameter, a malformed date,
    /// JSON that does not match the schema), naming the field where it can.
    init(_ error: ServerError) {
        let status = Int(error.httpStatus.code)
        guard (400..<500).contains(status) else {
            self.init(status: 500, code: "internal", title: "Internal error", detail: "the request could not be answered")
            return
        }
        // The runtime's own errors name a missing or malformed parameter in their text.
        let field = (error.underlyingError as? DecodingError).map(Self.path(of:)) ?? "request"
        let why = "\(error.underlyingError)"
        self.init(status: status, code: status == 415 ? "unsupported_media_type" : "invalid_request", title: "Invalid request",
                  detail: why, fields: [(field, why)])
    }

    /// The JSON path a decoding error is about (`attendees[0]`), or `body`.
    private static func path(of error: DecodingError) -> String {
        let context: DecodingError.Context? = switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): context
        case .keyNotFound(let key, let context): DecodingError.Context(codingPath: context.codingPath + [key], debugDescription: "")
        @unknown default: nil
        }
        let path = (context?.codingPath ?? []).map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
        return path.isEmpty ? "body" : String(path.drop { $0 == "." })
    }
}

/// Writes `ETag`, `Content-Disposition` and `Content-Range` as HTTP defines them. The OpenAPI
/// runtime percent-encodes header values once (`"ab"` becomes `%22ab%22`;
/// swift-openapi-generator issues #529 and #857, open), which no HTTP client reads as an
/// entity tag, a file name or a range; decoding once restores exactly what was set: our own
/// quoted-hex tags and file servers' tags alike, a disposition of ASCII without control
/// characters (`APIHandler.attachmentDisposition`), and `bytes FIRST-LAST/SIZE`.
struct RuntimeEncodedHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        for name in [HTTPField.Name.eTag, .contentDisposition, .contentRange] {
            if let value = response.headers[name], value.contains("%"), let decoded = value.removingPercentEncoding {
                response.headers[name] = decoded
            }
        }
        return response
    }
}

/// Logs every answered request once, at info: its id, method, route pattern (never the
/// path or query, which carry ids and names), status and time. It runs outside the
/// request-id middleware, so refusals rendered there are logged too.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let caller = RequestCaller(address: context.clientAddress)
        let response = try await RequestCaller.$current.withValue(caller) { try await next(request, context) }
        let elapsed = ContinuousClock.now - start
        let principal = caller.identified
        logger.info("request", metadata: [
            "request_id": .string(response.headers[.requestID] ?? "-"), "method": .string(request.method.rawValue),
            "route": .string(context.endpointPath ?? "unmatched"), "status": .stringConvertible(response.status.code),
            "duration_ms": .stringConvertible(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15),
            "client": .string(caller.address), "key_id": .string(principal?.keyID ?? "-"), "tenant": .string(principal?.tenantID ?? "-"),
        ])
        return response
    }
}
