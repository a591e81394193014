import Synchronization

/// Signed-in IMAP connections to one account, kept open and lent to one task at a time, so
/// that a use case does not pay for TCP, TLS and sign-in each time. Each connection lives
/// in a task of its own (inside ``IMAPConnection/withConnection(to:options:limits:_:)``,
/// so it is always logged out and closed); work is handed to it and its result handed back.
///
/// At most ``maxConnections`` are open; more callers wait. A connection that failed (closed,
/// timed out, broke the protocol) is dropped, not lent again; one left unused for
/// ``idleTimeout`` is closed. A body must not leave IDLE running (``IMAPConnection/idle``
/// returns only once IDLE is over).
public actor IMAPConnectionPool {
    public let server: MailServer
    public let options: MailConnectionOptions
    public let maxConnections: Int
    /// How long an unused connection is kept. Default 5 minutes (servers may drop a silent
    /// client after 30).
    public let idleTimeout: Duration

    private var idle: [Lender] = []
    private var open = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var closed = false
    /// Closes connections left unused for ``idleTimeout``; runs while any is open.
    private var sweeper: Task<Void, Never>?

    public init(server: MailServer, options: MailConnectionOptions, maxConnections: Int = 4, idleTimeout: Duration = .seconds(300)) {
        self.server = server
        self.options = options
        self.maxConnections = max(1, maxConnections)
        self.idleTimeout = idleTimeout
    }

    /// How many connections are open (lent out or idle).
    public var openConnections: Int { open }

    /// Runs `body` on a pooled connection (opening one when none is free and fewer than
    /// ``maxConnections`` are open, else waiting for one).
    public func withConnection<Result: Sendable>(_ body: @escaping @Sendable (IMAPConnection) async throws -> Result) async throws -> Result {
        guard !closed else { throw MailError(.connectionClosed, server: server.description, detail: "the pool is closed") }
        let lender = try await checkOut()
        do {
            let result = try await lender.run(body)
            checkIn(lender, healthy: true)
            return result
        } catch let error as MailError where [.connectionClosed, .connection, .timeout, .protocolViolation, .tls].contains(error.code) {
            checkIn(lender, healthy: false)
            throw error
        } catch {
            // The body's own failure (a NO, a missing message): the connection is fine.
            checkIn(lender, healthy: !lender.isFinished)
            throw error
        }
    }

    /// Closes every idle connection and refuses new work; connections lent out close when
    /// their work is done.
    public func close() async {
        closed = true
        sweeper?.cancel()
        sweeper = nil
        let lenders = idle
        idle = []
        open -= lenders.count
        for lender in lenders { await lender.finish() }
        for waiter in waiters { waiter.resume() }
        waiters = []
    }

    private func checkOut() async throws -> Lender {
        while true {
            if let lender = idle.popLast() {
                if lender.isFinished {
                    open -= 1
                    continue
                }
                return lender
            }
            if open < maxConnections {
                open += 1
                startSweeper()
                do {
                    return try await Lender.start(server: server, options: options)
                } catch {
                    open -= 1
                    wakeOne()
                    throw error
                }
            }
            await withCheckedContinuation { waiters.append($0) }
            guard !closed else { throw MailError(.connectionClosed, server: server.description, detail: "the pool is closed") }
        }
    }

    private func checkIn(_ lender: Lender, healthy: Bool) {
        if healthy, !closed {
            idle.append(lender)
        } else {
            open -= 1
            Task { await lender.finish() }
        }
        wakeOne()
    }

    private func startSweeper() {
        guard sweeper == nil else { return }
        let period = idleTimeout / 2
        sweeper = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: period)
                guard let self, await self.sweep() else { return }
            }
        }
    }

    /// Closes the idle connections unused for ``idleTimeout``; `false` (and the sweeper
    /// ends) once none is open.
    private func sweep() async -> Bool {
        let expired = idle.filter { $0.idleFor >= idleTimeout }
        idle.removeAll { lender in expired.contains { $0 === lender } }
        open -= expired.count
        let goesOn = open > 0 && !closed
        if !goesOn { sweeper = nil }
        for lender in expired { await lender.finish() }
        return goesOn
    }

    private func wakeOne() {
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }
}

/// One pooled connection: a task that holds the connection open and runs the work sent to it.
private final class Lender: Sendable {
    typealias Work = @Sendable (IMAPConnection) async -> Void

    private let work: AsyncStream<Work>.Continuation
    private let task: Task<Void, Never>
    private let state: State

    /// Whether the connection has ended, and when it was last used.
    private final class State: Sendable {
        let value = Mutex((finished: false, lastUse: ContinuousClock.now))
    }

    private init(work: AsyncStream<Work>.Continuation, task: Task<Void, Never>, state: State) {
        self.work = work
        self.task = task
        self.state = state
    }

    var isFinished: Bool { state.value.withLock { $0.finished } }
    var idleFor: Duration { state.value.withLock { ContinuousClock.now - $0.lastUse } }

    /// Connects and signs in; throws what that throws.
    static func start(server: MailServer, options: MailConnectionOptions) async throws -> Lender {
        let (stream, continuation) = AsyncStream<Work>.makeStream()
        let state = State()
        let ready = AsyncStream<Result<Void, any Error>>.makeStream()
        let task = Task {
            do {
                try await IMAPConnection.withConnection(to: server, options: options) { connection in
                    ready.continuation.yield(.success(()))
                    for await job in stream { await job(connection) }
                }
            } catch {
                ready.continuation.yield(.failure(error))
            }
            state.value.withLock { $0.finished = true }
            continuation.finish()
        }
        var readiness = ready.stream.makeAsyncIterator()
        switch await readiness.next() {
        case .success?: return Lender(work: continuation, task: task, state: state)
        case .failure(let error)?: throw error
        case nil: throw MailError(.connectionClosed, server: server.description, detail: "the connection ended before it was ready")
        }
    }

    /// Runs `body` on the connection and hands back its result.
    func run<Result: Sendable>(_ body: @escaping @Sendable (IMAPConnection) async throws -> Result) async throws -> Result {
        let outcome = AsyncStream<Swift.Result<Result, any Error>>.makeStream()
        let accepted = work.yield { connection in
            do {
                outcome.continuation.yield(.success(try await body(connection)))
            } catch {
                outcome.continuation.yield(.failure(error))
            }
            outcome.continuation.finish()
        }
        if case .terminated = accepted { throw MailError(.connectionClosed, server: "pool", detail: "the connection is closed") }
        var iterator = outcome.stream.makeAsyncIterator()
        defer { state.value.withLock { $0.lastUse = ContinuousClock.now } }
        switch await iterator.next() {
        case .success(let value)?: return value
        case .failure(let error)?: throw error
        case nil: throw MailError(.connectionClosed, server: "pool", detail: "the connection ended during the work")
        }
    }

    /// Ends the connection: no more work; it logs out and closes.
    func finish() async {
        work.finish()
        await task.value
    }
}
