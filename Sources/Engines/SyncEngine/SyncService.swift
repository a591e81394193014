public import Accounts
import Foundation
import Synchronization
public import SwitchboardStore

/// What the service reports as it works.
public enum SyncServiceEvent: Sendable {
    case progress(SyncProgress)
    case finished(SyncRunRecord)
}

/// Syncs every enabled collection of a store on its interval, with the store itself as the
/// local side: jittered, backing off after failures, a few at a time, each run leased so
/// that several processes sharing a PostgreSQL store never sync one collection at once.
/// ``trigger(_:)`` asks for a run now; ``events`` reports progress and finished runs.
public final class SyncService: Sendable {
    let store: any SyncStore
    let clients: AccountClients
    let options: SyncOptions
    let schedule: SyncSchedule
    let maxConcurrentRuns: Int
    let tick: Duration
    private let state = Mutex<[String: CollectionState]>([:])
    private let eventContinuation: AsyncStream<SyncServiceEvent>.Continuation

    /// Progress and finished runs, as they happen.
    public let events: AsyncStream<SyncServiceEvent>

    struct CollectionState {
        var nextRun: Date
        var failures = 0
        var running = false
    }

    public init(store: any SyncStore, clients: AccountClients, options: SyncOptions = SyncOptions(),
                schedule: SyncSchedule = SyncSchedule(), maxConcurrentRuns: Int = 2, tick: Duration = .seconds(1)) {
        self.store = store
        self.clients = clients
        self.options = options
        self.schedule = schedule
        self.maxConcurrentRuns = maxConcurrentRuns
        self.tick = tick
        (events, eventContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1000))
    }

    /// Asks for a run of one collection, or of all (`nil`), at the next tick.
    public func trigger(_ collectionID: String? = nil) {
        state.withLock { state in
            for id in state.keys where collectionID == nil || id == collectionID { state[id]?.nextRun = .distantPast }
            if let collectionID, state[collectionID] == nil { state[collectionID] = CollectionState(nextRun: .distantPast) }
        }
    }

    /// Runs until cancelled; runs in progress then finish their current item and stop.
    public func run() async throws {
        defer { eventContinuation.finish() }
        try await withThrowingDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let running = state.withLock { $0.values.filter(\.running).count }
                // A store that cannot answer now (or a query cut short by shutdown) is asked
                // again at the next tick: it does not stop the service.
                let due = (try? await dueCollections(limit: maxConcurrentRuns - running)) ?? []
                if Task.isCancelled { break }
                for collection in due {
                    group.addTask { await self.sync(collection) }
                }
                do {
                    try await Task.sleep(for: tick)
                } catch {
                    break
                }
            }
        }
    }

    /// The enabled collections whose time has come, marked running.
    private func dueCollections(limit: Int) async throws -> [CollectionRecord] {
        guard limit > 0 else { return [] }
        let collections = try await store.collections(accountID: nil).filter(\.enabled)
        let now = Date()
        return state.withLock { state in
            var due: [CollectionRecord] = []
            for collection in collections {
                let first = collection.lastSyncedAt.map {
                    schedule.nextRun(after: $0, interval: TimeInterval(collection.syncInterval), consecutiveFailures: 0,
                                     random: Double.random(in: 0...1))
                } ?? now
                let entry = state[collection.id, default: CollectionState(nextRun: first)]
                state[collection.id] = entry
                if !entry.running, entry.nextRun <= now, due.count < limit {
                    state[collection.id]?.running = true
                    due.append(collection)
                }
            }
            return due
        }
    }

    private func sync(_ collection: CollectionRecord) async {
        let continuation = eventContinuation
        let record = await StoreSyncer(store: store, clients: clients, options: options).sync(collection) { continuation.yield(.progress($0)) }
        let busy = record.failure?.hasPrefix(SyncError.Code.busy.rawValue) ?? false
        state.withLock { state in
            var entry = state[collection.id] ?? CollectionState(nextRun: Date())
            entry.failures = busy ? entry.failures : (record.failure == nil ? 0 : entry.failures + 1)
            entry.running = false
            entry.nextRun = schedule.nextRun(after: Date(), interval: TimeInterval(collection.syncInterval),
                                             consecutiveFailures: entry.failures, busy: busy, random: Double.random(in: 0...1))
            state[collection.id] = entry
        }
        eventContinuation.yield(.finished(record))
    }
}
