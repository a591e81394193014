public import Hummingbird
public import Logging
public import Prometheus
public import SwitchboardCore
public import Foundation
import NIOCore
import OpenAPIHummingbird
import OpenAPIRuntime
import Scheduling
import ServiceLifecycle
import SwitchboardAPI
import Webhooks
public import SyncEngine
import SwitchboardStore
import Accounts

/// How the server listens and what it accepts.
public struct ServerConfiguration: Sendable {
    /// The bearer token `/metrics` asks of a scraper that is not on this machine (`nil`:
    /// only loopback clients may read it).
    public var metricsToken: String?
    /// The address to listen on (`127.0.0.1` by default: put a proxy in front to expose it).
    public var host = "127.0.0.1"
    public var port = 8080
    /// The largest request body accepted, in bytes.
    public var maxBodyBytes = 64 * 1024
    /// How long an availability answer or event list may be reused while the store is
    /// unchanged (zero: never).
    public var answerLifetime = Duration.seconds(1)
    /// The OIDC provider whose access tokens are accepted beside API keys, if any.
    public var oidc: OIDCConfiguration?
    /// Where the server is reached from outside, if it is: calendar servers' webhooks call
    /// back under it (`/hooks/…`).
    public var publicURL: URL?
    /// The largest body of a calendar server's webhook call, in bytes (Nextcloud's carry the
    /// whole calendar object).
    public var maxHookBodyBytes = 1 << 20
    /// The largest message to send (`POST /v1/mail/accounts/{id}/send`: attachments in base64). Default 20 MiB.
    public var maxMailBodyBytes = 20 << 20
    /// The largest file uploaded (`PUT /v1/accounts/{id}/files/{path}`, streamed to a
    /// temporary file, never held in memory). Default 4 GiB.
    public var maxFileBytes = 4 << 30
    /// Requests per API key (or token subject), or `nil` for no limits at all.
    public var rateLimit: RateLimit? = RateLimit(perSecond: 100, burst: 200)
    /// Requests per tenant, all its keys and tokens together (`nil`: five times the key's).
    public var tenantRateLimit: RateLimit?
    /// Requests per client address without a valid credential (`nil`: 20 a second, bursts of 100).
    public var anonymousRateLimit: RateLimit?
    /// How long a client has to send a request's head (from the connection opening or the
    /// previous response ending) before its connection is closed.
    public var headerTimeout = Duration.seconds(10)
    /// How long a connection may stay silent before it is closed.
    public var idleTimeout = Duration.seconds(60)
    /// The most connections open at once; past it, new ones wait to be accepted.
    public var maxConnections = 1_000

    public init(host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 64 * 1024, answerLifetime: Duration = .seconds(1),
                rateLimit: RateLimit? = RateLimit(perSecond: 100, burst: 200)) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.answerLifetime = answerLifetime
        self.rateLimit = rateLimit
    }
}

/// The Switchboard HTTP server: the `/v1` API generated from `openapi.yaml`, the health
/// checks, and the spec itself at `/openapi.yaml`.
public enum SwitchboardServer {
    /// Paths served without an API key (`/metrics` asks for its own token, or a loopback client).
    static let openPaths: Set<String> = ["/healthz", "/readyz", "/openapi.yaml", "/metrics"]

    /// The router with every route and middleware, over the application; request metrics go
    /// to `metrics`, served at `/metrics`. Changes pushed by calendar servers are synced
    /// through `sync` when it runs beside the server, else at once.
    public static func router(hub: Hub, sync: SyncService? = nil, configuration: ServerConfiguration,
                              metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
                              logger: Logger = Logger(label: "switchboard.server")) throws -> Router<ServerRequestContext>
    {
        let store = hub.store
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: RequestMetricsMiddleware(registry: metrics))
        router.add(middleware: RequestLogMiddleware(logger: logger))
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: BodyLimitMiddleware(limit: configuration.maxBodyBytes, hookLimit: configuration.maxHookBodyBytes,
                                                 mailLimit: configuration.maxMailBodyBytes))
        let identities = IdentityProviders(store: store, operatorProvider: configuration.oidc, tenantPolicy: hub.clients.tenantPolicy)
        let limits = configuration.rateLimit.map { perKey in
            configuration.anonymousRateLimit.map { RateLimits(perKey: perKey, perTenant: configuration.tenantRateLimit, perAnonymousAddress: $0) }
                ?? RateLimits(perKey: perKey, perTenant: configuration.tenantRateLimit)
        }
        router.add(middleware: AuthenticationMiddleware(store: store, open: openPaths, tokens: identities,
                                                        anonymous: limits.map { TokenBuckets(limit: $0.perAnonymousAddress) }))
        if let limits { router.add(middleware: RateLimitMiddleware(limits: limits)) }
        router.add(middleware: RequestSchemaMiddleware(schema: try RequestSchema(yaml: APISpecification.yaml)))
        router.add(middleware: RuntimeEncodedHeadersMiddleware())
        router.add(middleware: RecentAnswersMiddleware(store: store, lifetime: configuration.answerLifetime))
        let conservativeReadings = metrics.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "switchboard", subsystem: "availability", metricName: "events_read_conservatively",
            helpText: "Events busy time read conservatively: an unknown time zone (widened) or no expansion (the whole window busy)."),
            labels: [])
        router.get("metrics") { request, context in
            // Operational detail (routes, volumes, failures): for this machine, or a scraper with the token.
            let token = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
            guard context.isLoopback || (configuration.metricsToken != nil && token == configuration.metricsToken) else {
                throw Problem(status: 403, code: "forbidden", title: "Forbidden",
                              detail: "/metrics answers loopback clients, or the operator's metrics token")
            }
            conservativeReadings.set(Int64(hub.bookings.conservativelyReadEvents))
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer())))
        }
        router.get("openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: APISpecification.yaml)))
        }
        // Compact JSON (the runtime pretty-prints by default) and a date transcoder of our own.
        try APIHandler(hub: hub, sync: sync, publicURL: configuration.publicURL, identities: identities, logger: logger,
                       maxFileBytes: configuration.maxFileBytes).registerHandlers(
            on: router, configuration: Configuration(dateTranscoder: RFC3339DateTranscoder(), jsonEncodingOptions: [.sortedKeys]))
        return router
    }

    /// The application, listening as configured, with webhook deliveries and (when given)
    /// the sync service and the reading of invitation replies running beside it, their work
    /// counted in `/metrics`.
    public static func application(hub: Hub, sync: SyncService?, configuration: ServerConfiguration, logger: Logger) throws -> some ApplicationProtocol {
        let metrics = PrometheusCollectorRegistry()
        let headerTimeout = Int64(configuration.headerTimeout / .nanoseconds(1))
        let idleTimeout = Int64(configuration.idleTimeout / .nanoseconds(1))
        var background: [any Service] = [WebhookDeliveries(webhooks: hub.webhooks, metrics: metrics)]
        if let sync {
            background.append(BackgroundSync(service: sync, metrics: SyncMetrics(registry: metrics), logger: logger, hub: hub))
            background.append(InvitationReplies(hub: hub, metrics: metrics, logger: logger))
            background.append(IndexRuns(hub: hub, metrics: metrics, logger: logger))
        }
        return Application(router: try router(hub: hub, sync: sync, configuration: configuration, metrics: metrics, logger: logger),
                           server: .http1(configuration: .init(
                               additionalChannelHandlers: [RequestHeadTimeoutHandler(timeout: .nanoseconds(headerTimeout))],
                               idleTimeout: .nanoseconds(idleTimeout))),
                           configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Switchboard",
                                                availableConnectionsDelegate: .maximum(configuration.maxConnections, logger: logger)),
                           services: background, logger: logger)
    }
}

/// Refuses request bodies over the limit (413) before anything reads them; calendar
/// servers' webhook calls (`/hooks/…`) have a limit of their own.
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: Int
    let hookLimit: Int
    let mailLimit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // File uploads stream to disk under their own limit (the handler's), never read here.
        if request.method == .put, Self.isFile(request.uri.path) { return try await next(request, context) }
        var request = request
        _ = try await request.collectBody(upTo: bodyLimit(for: request.uri.path))
        return try await next(request, context)
    }

    /// `/v1/accounts/{id}/files/{path}`.
    static func isFile(_ path: String) -> Bool {
        let segments = path.split(separator: "/", maxSplits: 4)
        return segments.count == 5 && segments[0] == "v1" && segments[1] == "accounts" && segments[3] == "files"
    }

    /// The limit for a path: hooks and messages to send may be larger than the rest.
    private func bodyLimit(for path: String) -> Int {
        if path.hasPrefix("/hooks/") { return hookLimit }
        let segments = path.split(separator: "/")
        if segments.count == 5, segments[0] == "v1", segments[1] == "mail", segments[2] == "accounts", segments[4] == "send" { return mailLimit }
        return limit
    }
}
