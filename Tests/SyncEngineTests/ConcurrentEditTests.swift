import DAVClient
import Foundation
import SwitchboardTestSupport
import SyncEngine
import SyncPlanning
import SwitchboardStore
import Synchronization
import Testing
import HTTPTransport

/// Data safety: edits written into the store while a run is under way (API edits,
/// bookings) are never lost, and runs of one collection never overlap.
@Suite struct ConcurrentEditTests {
    static let combinations: [(String, StoreDriver)] = [("radicale", .sqlite), ("radicale", .postgres)]

    /// Writes `summary` as the pending edit of an event, as the API does.
    static func edit(_ store: any SyncStore, _ collectionID: String, _ localID: String, summary: String) async throws {
        let data = Fixtures.event(uid: localID, summary: summary)
        try await store.updateItems(in: collectionID, localIDs: [localID]) { item in
            item.pendingData = data
            item.pendingDeletion = false
            item.uid = localID
        }
    }

    /// Each event gets a second edit (with the If-Match of the first) while the run uploads
    /// the first: the run reads it, and before it commits the upload, the API writes again.
    /// The probe lost 200 of 200 such second edits.
    @Test(arguments: combinations)
    func aSecondEditMadeWhileTheRunUploadsTheFirstIsKept(peer: String, driver: StoreDriver) async throws {
        try await SyncHarness.with(peer, driver) { harness in
            let store = harness.store
            let collectionID = harness.collection.id
            let ids = (0..<20).map { "edit-\($0)" }
            for id in ids { try await Self.edit(store, collectionID, id, summary: "First") }
            let racing = EditingReplica(inner: StoreReplica(store: store, collectionID: collectionID)) { localID in
                try await Self.edit(store, collectionID, localID, summary: "Second")
            }
            let run = try await harness.sync(replica: racing)
            #expect(run.failure == nil && run.counts.uploaded == ids.count)
            for item in try await store.items(in: collectionID) {
                #expect(item.pendingData?.contains("SUMMARY:Second") == true, "\(item.localID) lost its second edit")
                #expect(item.syncedData?.contains("SUMMARY:First") == true && item.etag != nil)
            }
            let second = try await harness.sync(replica: StoreReplica(store: store, collectionID: collectionID))
            #expect(second.failure == nil && second.counts.uploaded == ids.count && second.counts.conflicts == 0, "\(second)")
            let server = try await harness.serverObjects()
            #expect(server.count == ids.count && server.values.allSatisfy { $0.contains("SUMMARY:Second") })
            #expect(try await store.items(in: collectionID).allSatisfy { $0.pendingData == nil })
        }
    }

    /// An item the API creates after the run took its snapshot, whose upload then fails
    /// (the server dies): the run's "intent" record must not replace it.
    @Test(arguments: StoreDriver.allCases)
    func anItemCreatedDuringARunWhoseUploadFailsIsKept(driver: StoreDriver) async throws {
        let peer = try Peer.dedicated("radicale")
        defer { try? peer.stop() }
        try await SyncHarness.with(peer, driver, configure: { $0.circuitBreaker.cooldown = 0.2; $0.retry = .none }) { harness in
            let store = harness.store
            let collectionID = harness.collection.id
            let creating = CreatingReplica(inner: StoreReplica(store: store, collectionID: collectionID),
                                           create: { try await Self.edit(store, collectionID, "late", summary: "Created meanwhile") },
                                           beforeUpload: { try peer.kill() })
            let run = try await harness.sync(replica: creating)
            #expect(run.counts.uploaded == 0)
            let item = try #require(try await store.item(in: collectionID, localID: "late"))
            #expect(item.pendingData?.contains("SUMMARY:Created meanwhile") == true, "\(item)")
            try peer.resume()
            let next = try await harness.sync(replica: StoreReplica(store: store, collectionID: collectionID))
            #expect(next.counts.uploaded == 1)
            #expect(try await harness.serverObjects().values.contains { $0.contains("SUMMARY:Created meanwhile") })
        }
    }

    /// API edits, bookings, `POST …/sync` and background sync in one process share its name:
    /// each run holds the lease as itself, so they exclude each other; a run may wait.
    @Test func runsOfOneCollectionInOneProcessDoNotOverlap() async throws {
        try await SyncHarness.with("radicale", .sqlite) { harness in
            let store = harness.store
            let collection = harness.collection
            let slow = SlowReplica(inner: StoreReplica(store: store, collectionID: collection.id), pause: .milliseconds(700))
            let client = harness.client
            let first = Task { await CollectionSynchronizer(client: client, store: store, replica: slow).sync(collection) }
            try await Task.sleep(for: .milliseconds(200))
            let refused = await CollectionSynchronizer(client: client, store: store, replica: StoreReplica(store: store, collectionID: collection.id))
                .sync(collection)
            #expect(refused.failure?.hasPrefix("busy") == true, "\(String(describing: refused.failure))")
            let waiting = await CollectionSynchronizer(client: client, store: store, replica: StoreReplica(store: store, collectionID: collection.id),
                                                       options: SyncOptions(leaseWait: .seconds(30))).sync(collection)
            let ran = await first.value
            #expect(ran.failure == nil && waiting.failure == nil)
            #expect(waiting.startedAt >= (ran.finishedAt ?? .distantFuture) || waiting.startedAt > ran.startedAt)
        }
    }
}

/// The store as local side, with `edit` run once per item just after the run read it: an
/// API edit landing between the run's read and its commit.
struct EditingReplica: LocalReplica {
    let inner: StoreReplica
    let edit: @Sendable (String) async throws -> Void
    private let edited = EditedItems()

    init(inner: StoreReplica, edit: @escaping @Sendable (String) async throws -> Void) {
        self.inner = inner
        self.edit = edit
    }

    var identity: String { inner.identity }
    var statesDeletions: Bool { inner.statesDeletions }
    func versions() async throws(SyncError) -> [String: String] { try await inner.versions() }
    func read(_ localID: String) async throws(SyncError) -> (data: String, version: String) {
        let result = try await inner.read(localID)
        if edited.first(localID) { try? await edit(localID) }
        return result
    }
    func write(_ localID: String, data: String) async throws(SyncError) -> String { try await inner.write(localID, data: data) }
    func remove(_ localID: String) async throws(SyncError) { try await inner.remove(localID) }
    func uploaded(_ localID: String, version: String) -> String { inner.uploaded(localID, version: version) }
}

/// The store as local side, where an item is created after the run's snapshot (when it
/// lists the local side), and `beforeUpload` runs when the run reads it to upload.
struct CreatingReplica: LocalReplica {
    let inner: StoreReplica
    let create: @Sendable () async throws -> Void
    let beforeUpload: @Sendable () throws -> Void

    var identity: String { inner.identity }
    var statesDeletions: Bool { inner.statesDeletions }
    func versions() async throws(SyncError) -> [String: String] {
        try? await create()
        return try await inner.versions()
    }
    func read(_ localID: String) async throws(SyncError) -> (data: String, version: String) {
        let result = try await inner.read(localID)
        try? beforeUpload()
        return result
    }
    func write(_ localID: String, data: String) async throws(SyncError) -> String { try await inner.write(localID, data: data) }
    func remove(_ localID: String) async throws(SyncError) { try await inner.remove(localID) }
    func uploaded(_ localID: String, version: String) -> String { inner.uploaded(localID, version: version) }
}

/// The store as local side, slow to list: a run that holds its lease for a while.
struct SlowReplica: LocalReplica {
    let inner: StoreReplica
    let pause: Duration

    var identity: String { inner.identity }
    var statesDeletions: Bool { inner.statesDeletions }
    func versions() async throws(SyncError) -> [String: String] {
        try? await Task.sleep(for: pause)
        return try await inner.versions()
    }
    func read(_ localID: String) async throws(SyncError) -> (data: String, version: String) { try await inner.read(localID) }
    func write(_ localID: String, data: String) async throws(SyncError) -> String { try await inner.write(localID, data: data) }
    func remove(_ localID: String) async throws(SyncError) { try await inner.remove(localID) }
    func uploaded(_ localID: String, version: String) -> String { inner.uploaded(localID, version: version) }
}

/// The items edited so far.
final class EditedItems: Sendable {
    private let ids = Mutex<Set<String>>([])
    /// Whether `localID` is seen for the first time.
    func first(_ localID: String) -> Bool { ids.withLock { $0.insert(localID).inserted } }
}
