import AsyncHTTPClient
public import Foundation
public import Logging
public import NIOCore
import NIOFileSystem
import NIOHTTP1
import NIOSSL
import Synchronization

/// The HTTP layer under every client (DAV, OCS, webhooks, OIDC key sets): a pooled async-http-client with preemptive
/// authentication, redirects followed by hand (so a DAV method survives a 301 and
/// credentials never follow a redirect to another origin), retries, a per-host circuit
/// breaker, timeouts that bound a whole exchange, and body size limits.
///
/// Under a network policy every request goes to the address the policy checked: the host
/// name is resolved once, every address is checked, and the connection is made to one of
/// them (a pool per host and address, the name kept for `Host`, TLS SNI and the
/// certificate check), so a name whose answer changes after the check cannot lead the
/// connection elsewhere.
public final class HTTPTransport: Sendable {
    /// The configuration in force.
    public let configuration: ClientConfiguration
    private let httpConfiguration: HTTPClient.Configuration
    private let client: HTTPClient
    /// Pools pinned to a checked address, by host and address.
    private let pinned = Mutex<PinnedClients>(PinnedClients())
    private let circuits = Mutex<[String: CircuitState]>([:])
    private let requestCounter = Atomic<Int>(0)
    private let logger: Logger

    /// How many HTTP requests this transport has sent, retries and redirects included:
    /// what a sync run reports as its cost.
    public var requestsSent: Int { requestCounter.load(ordering: .relaxed) }

    /// Creates a transport with its own connection pool; call ``shutdown()`` when done.
    public init(configuration: ClientConfiguration, logger: Logger = Logger(label: "switchboard.http")) {
        self.configuration = configuration
        self.logger = logger
        var tls = TLSConfiguration.makeClientConfiguration()
        if let file = configuration.additionalTrustRootsFile {
            tls.additionalTrustRoots = [.file(file)]
        }
        var pool = HTTPClient.Configuration.ConnectionPool(
            idleTimeout: .milliseconds(Int64(configuration.poolIdleTimeout * 1000)),
            concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.maxConnectionsPerHost)
        pool.retryConnectionEstablishment = false
        var httpConfiguration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            timeout: .init(
                connect: .milliseconds(Int64(configuration.connectTimeout * 1000)),
                read: .milliseconds(Int64(configuration.idleReadTimeout * 1000))),
            connectionPool: pool,
            decompression: .disabled)
        httpConfiguration.httpVersion = .http1Only
        self.httpConfiguration = httpConfiguration
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
    }

    /// Closes the pooled connections. Every transport must be shut down before it is
    /// released; ``withTransport(configuration:logger:_:)`` does it for you.
    public func shutdown() async {
        try? await client.shutdown()
        for pinnedClient in pinned.withLock({ $0.all }) { try? await pinnedClient.shutdown() }
    }

    /// The pools connecting to checked addresses. A pool is made per host and address; past
    /// ``limit`` the oldest is closed once the requests it may still carry are over (a
    /// request lasts at most ``ClientConfiguration/requestTimeout``).
    private struct PinnedClients {
        static let limit = 32
        var clients: [String: HTTPClient] = [:]
        var order: [String] = []
        var all: [HTTPClient] { Array(clients.values) }
    }

    /// The client that sends requests for `url`: the shared pool, or the pool connecting
    /// `url`'s host to `address`.
    private func client(for url: URL, pinnedTo address: IPAddress?) -> HTTPClient {
        guard let address, let host = url.host, IPAddress(Self.bareHost(host)) == nil else { return client }
        let key = host.lowercased() + " " + address.description
        return pinned.withLock { pinned in
            if let existing = pinned.clients[key] { return existing }
            var pinnedConfiguration = httpConfiguration
            pinnedConfiguration.dnsOverride = [host: address.description]
            let made = HTTPClient(eventLoopGroupProvider: .singleton, configuration: pinnedConfiguration)
            pinned.clients[key] = made
            pinned.order.append(key)
            if pinned.order.count > PinnedClients.limit, let oldest = pinned.clients.removeValue(forKey: pinned.order.removeFirst()) {
                let grace = configuration.requestTimeout + 5
                Task {
                    try? await Task.sleep(for: .seconds(grace))
                    try? await oldest.shutdown()
                }
            }
            return made
        }
    }

    /// Runs `body` with a new transport and shuts it down afterwards, whether `body`
    /// returns or throws.
    public static func withTransport<Result>(
        configuration: ClientConfiguration, logger: Logger = Logger(label: "switchboard.http"),
        _ body: (HTTPTransport) async throws -> Result
    ) async throws -> Result {
        let transport = HTTPTransport(configuration: configuration, logger: logger)
        do {
            let result = try await body(transport)
            await transport.shutdown()
            return result
        } catch {
            await transport.shutdown()
            throw error
        }
    }

    /// Sends `request`, following redirects and retrying as configured, and reads the
    /// whole response body (up to ``ClientConfiguration/maxResponseBytes``).
    public func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        try await sendFollowingRedirects(request) { response, url throws(HTTPError) in
            let body = try await self.collect(response.body, request: request, declaredLength: response.headers.first(name: "content-length"))
            return HTTPResponse(status: Int(response.status.code), headers: response.headers, body: body, url: url)
        }
    }

    /// Sends `request` and hands a successful (2xx) response body to `consume` chunk by
    /// chunk with each chunk's offset, without a size limit: for large files. Other
    /// statuses are read as usual.
    public func stream(
        _ request: HTTPRequest, consume: @escaping @Sendable (ByteBuffer, Int64) async throws -> Void
    ) async throws(HTTPError) -> HTTPResponse {
        try await sendFollowingRedirects(request) { response, url throws(HTTPError) in
            guard (200..<300).contains(Int(response.status.code)) else {
                let body = try await self.collect(response.body, request: request, declaredLength: nil)
                return HTTPResponse(status: Int(response.status.code), headers: response.headers, body: body, url: url)
            }
            do {
                var offset: Int64 = 0
                for try await chunk in response.body {
                    try await consume(chunk, offset)
                    offset += Int64(chunk.readableBytes)
                }
            } catch {
                throw self.mapError(error, request: request)
            }
            return HTTPResponse(status: Int(response.status.code), headers: response.headers, body: [], url: url)
        }
    }

    /// Streams a successful response's body into a new file at `path` (replacing one that is
    /// there) without holding it in memory, telling `progress` the bytes written. Throws the
    /// transport's `HTTPError`, or the file system's error for the local file.
    public func download(_ request: HTTPRequest, to path: String, progress: (@Sendable (Int64) -> Void)? = nil) async throws -> HTTPResponse {
        try await FileSystem.shared.withFileHandle(forWritingAt: FilePath(path), options: .newFile(replaceExisting: true)) { file in
            try await stream(request) { chunk, offset in
                try await file.write(contentsOf: chunk.readableBytesView, toAbsoluteOffset: offset)
                progress?(offset + Int64(chunk.readableBytes))
            }
        }
    }

    /// Reads a response's body once its head arrived.
    private typealias ResponseReader = @Sendable (HTTPClientResponse, URL) async throws(HTTPError) -> HTTPResponse

    // MARK: Redirects

    private func sendFollowingRedirects(
        _ original: HTTPRequest,
        read: @escaping ResponseReader
    ) async throws(HTTPError) -> HTTPResponse {
        if let body = original.body, body.count > configuration.maxRequestBytes {
            throw HTTPError(.tooLarge, method: original.method, url: original.url.absoluteString,
                           detail: "request body has \(body.count) bytes, the limit is \(configuration.maxRequestBytes)")
        }
        var request = original
        var visited: Set<String> = [request.url.absoluteString]
        let credentialOrigin = configuration.credentialOrigin ?? original.url
        for _ in 0...configuration.maxRedirects {
            var address: IPAddress?
            if let policy = configuration.networkPolicy {
                address = try await Self.checkDestination(request.url, method: request.method, against: policy, resolver: configuration.resolver)
            }
            let sendCredentials = Self.sameOrigin(request.url, credentialOrigin)
            let response = try await sendRetrying(request, sendCredentials: sendCredentials, address: address, read: read)
            guard [301, 302, 303, 307, 308].contains(response.status),
                let location = response.headers.first(name: "location")
            else { return response }
            guard let next = URL(string: location, relativeTo: request.url)?.absoluteURL else {
                throw HTTPError(.invalidURL, method: request.method, url: request.url.absoluteString,
                               status: response.status, detail: "unreadable Location \(location)")
            }
            guard visited.insert(next.absoluteString).inserted else {
                throw HTTPError(.redirectLoop, method: request.method, url: original.url.absoluteString,
                               status: response.status, detail: "\(next.absoluteString) was visited before")
            }
            if response.status == 303, request.method != "HEAD" {
                request.method = "GET"
                request.body = nil
            }
            request.url = next
        }
        throw HTTPError(.tooManyRedirects, method: original.method, url: original.url.absoluteString,
                       detail: "more than \(configuration.maxRedirects) redirects")
    }

    /// Refuses a URL whose host is, or resolves to, an address the policy does not allow,
    /// and returns the address to connect to: the lowest of those checked (the same one
    /// while the name's answer is the same, so its pool is reused).
    @discardableResult
    public static func checkDestination(_ url: URL, method: String, against policy: NetworkPolicy,
                                        resolver: AddressResolver = .system) async throws(HTTPError) -> IPAddress {
        guard let host = url.host, !host.isEmpty else {
            throw HTTPError(.invalidURL, method: method, url: url.absoluteString, detail: "no host")
        }
        do {
            return try await policy.checkedAddress(of: bareHost(host), resolver: resolver)
        } catch {
            throw HTTPError(error.isRefusal ? .destinationRefused : .connection, method: method, url: url.absoluteString, detail: error.description)
        }
    }

    /// A URL's host without the brackets of an IPv6 literal.
    static func bareHost(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    /// Whether two URLs have the same origin: scheme, host and port (RFC 6454).
    public static func sameOrigin(_ a: URL, _ b: URL) -> Bool {
        a.scheme?.lowercased() == b.scheme?.lowercased() && a.host?.lowercased() == b.host?.lowercased()
            && effectivePort(a) == effectivePort(b)
    }

    private static func effectivePort(_ url: URL) -> Int {
        url.port ?? (url.scheme?.lowercased() == "https" ? 443 : 80)
    }

    // MARK: Retries and the circuit breaker

    private func sendRetrying(
        _ request: HTTPRequest, sendCredentials: Bool, address: IPAddress?,
        read: @escaping ResponseReader
    ) async throws(HTTPError) -> HTTPResponse {
        let host = Self.circuitKey(request.url)
        var attempt = 0
        while true {
            attempt += 1
            try admit(host: host, request: request)
            let outcome: RetryPolicy.Outcome
            var lastError: HTTPError?
            var lastResponse: HTTPResponse?
            do throws(HTTPError) {
                let response = try await once(request, sendCredentials: sendCredentials, address: address, read: read)
                let retryAfter = response.headers.first(name: "retry-after").flatMap {
                    RetryPolicy.retryAfterSeconds($0, now: Date().timeIntervalSince1970)
                }
                outcome = .response(status: response.status, retryAfter: retryAfter)
                lastResponse = response
            } catch {
                guard error.code == .connection || error.code == .timeout else {
                    record(host: host, success: true)
                    throw error
                }
                outcome = .connectionFailure
                lastError = error
            }
            if let response = lastResponse, response.status == 500, !request.retriesServerErrors {
                record(host: host, success: true)
                return response
            }
            let serverFailed = lastError != nil || (lastResponse.map { $0.status >= 500 && $0.status != 507 } ?? false)
            record(host: host, success: !serverFailed)
            let decision = configuration.retry.decide(
                method: request.method, attempt: attempt, outcome: outcome, random: Double.random(in: 0..<1))
            switch decision {
            case .retry(let seconds):
                logger.debug("retrying", metadata: ["method": "\(request.method)", "url": "\(request.url)", "delay": "\(seconds)"])
                do {
                    try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                } catch {
                    throw HTTPError(.cancelled, method: request.method, url: request.url.absoluteString)
                }
            case .give(let reason):
                if let lastError { throw lastError }
                guard let lastResponse else { preconditionFailure("an attempt ends with a response or an error") }
                if lastResponse.status == 429 || (lastResponse.status == 503 && reason != .notRetryable) {
                    throw HTTPError(
                        .rateLimited, method: request.method, url: request.url.absoluteString, status: lastResponse.status,
                        retryAfterSeconds: lastResponse.headers.first(name: "retry-after").flatMap {
                            RetryPolicy.retryAfterSeconds($0, now: Date().timeIntervalSince1970)
                        },
                        detail: reason == .retryAfterTooLong ? "Retry-After is longer than the client waits" : "")
                }
                return lastResponse
            }
        }
    }

    private static func circuitKey(_ url: URL) -> String {
        "\(url.scheme ?? "")://\(url.host ?? ""):\(effectivePort(url))"
    }

    private func admit(host: String, request: HTTPRequest) throws(HTTPError) {
        let now = ProcessInfo.processInfo.systemUptime
        let admitted = circuits.withLock { $0[host, default: CircuitState()].admit(now: now) }
        guard admitted else {
            throw HTTPError(.circuitOpen, method: request.method, url: request.url.absoluteString,
                           detail: "\(host) failed \(configuration.circuitBreaker.failureThreshold) times in a row")
        }
    }

    private func record(host: String, success: Bool) {
        let now = ProcessInfo.processInfo.systemUptime
        let policy = configuration.circuitBreaker
        circuits.withLock { $0[host, default: CircuitState()].record(success: success, now: now, policy: policy) }
    }

    // MARK: One exchange

    private func once(
        _ request: HTTPRequest, sendCredentials: Bool, address: IPAddress?,
        read: @escaping ResponseReader
    ) async throws(HTTPError) -> HTTPResponse {
        let client = client(for: request.url, pinnedTo: address)
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        outgoing.headers = request.headers
        outgoing.headers.replaceOrAdd(name: "User-Agent", value: configuration.userAgent)
        if sendCredentials, let credentials = configuration.credentials {
            outgoing.headers.replaceOrAdd(name: "Authorization", value: credentials.headerValue)
        } else {
            outgoing.headers.remove(name: "Authorization")
        }
        if let body = request.body {
            outgoing.body = .bytes(ByteBuffer(bytes: body))
        }
        let timeout = configuration.requestTimeout
        let prepared = outgoing
        do {
            return try await withThrowingTaskGroup(of: HTTPResponse?.self) { group in
                group.addTask {
                    try await self.withBodyFile(request.bodyFile, progress: request.bodyProgress, in: prepared) { prepared in
                        self.requestCounter.add(1, ordering: .relaxed)
                        let response = try await client.execute(prepared, deadline: .now() + .milliseconds(Int64(timeout * 1000)))
                        return try await read(response, request.url)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let response = first else {
                    throw HTTPError(.timeout, method: request.method, url: request.url.absoluteString,
                                   detail: "no complete response within \(timeout) s")
                }
                return response
            }
        } catch {
            throw mapError(error, request: request)
        }
    }

    /// Runs `body` with `request` streaming the file at `path` as its body (when given),
    /// telling `progress` the bytes handed on so far.
    private func withBodyFile(
        _ path: String?, progress: (@Sendable (Int64) -> Void)?, in request: HTTPClientRequest,
        _ body: (HTTPClientRequest) async throws -> HTTPResponse
    ) async throws -> HTTPResponse {
        guard let path else { return try await body(request) }
        return try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { file in
            var streaming = request
            let size = try await file.info().size
            if let progress {
                let sent = ByteCount()
                streaming.body = .stream(file.readChunks().map { chunk in
                    progress(sent.add(Int64(chunk.readableBytes)))
                    return chunk
                }, length: .known(size))
            } else {
                streaming.body = .stream(file.readChunks(), length: .known(size))
            }
            return try await body(streaming)
        }
    }

    private func collect(_ body: HTTPClientResponse.Body, request: HTTPRequest, declaredLength: String?) async throws(HTTPError) -> [UInt8] {
        let limit = configuration.maxResponseBytes
        if let declaredLength, let length = Int(declaredLength), length > limit {
            throw HTTPError(.tooLarge, method: request.method, url: request.url.absoluteString,
                           detail: "the response declares \(length) bytes, the limit is \(limit)")
        }
        do {
            var buffer = try await body.collect(upTo: limit)
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch {
            throw mapError(error, request: request)
        }
    }

    /// Maps whatever the stack threw to an ``HTTPError`` with the request's context.
    private func mapError(_ error: any Error, request: HTTPRequest) -> HTTPError {
        if let error = error as? HTTPError { return error }
        let method = request.method
        let url = request.url.absoluteString
        if error is CancellationError { return HTTPError(.cancelled, method: method, url: url) }
        if let error = error as? FileSystemError {
            return HTTPError(.invalidURL, method: method, url: url, detail: "local file: \(error.message)")
        }
        if error is NIOTooManyBytesError {
            return HTTPError(.tooLarge, method: method, url: url,
                            detail: "the response is larger than \(configuration.maxResponseBytes) bytes")
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
                return HTTPError(.timeout, method: method, url: url, detail: error.description)
            case .cancelled:
                return HTTPError(.cancelled, method: method, url: url)
            case .invalidURL, .emptyHost, .emptyScheme:
                return HTTPError(.invalidURL, method: method, url: url, detail: error.description)
            default:
                if error.description.contains("unsupportedScheme") {
                    return HTTPError(.invalidURL, method: method, url: url, detail: error.description)
                }
                return HTTPError(.connection, method: method, url: url, detail: error.description)
            }
        }
        return HTTPError(.connection, method: method, url: url, detail: String(describing: error))
    }
}

/// A running byte count shared with the body stream's transform.
private final class ByteCount: Sendable {
    private let total = Atomic<Int64>(0)

    /// Adds `bytes`; the total after.
    func add(_ bytes: Int64) -> Int64 { total.add(bytes, ordering: .relaxed).newValue }
}
