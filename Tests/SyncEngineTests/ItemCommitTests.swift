import DAVClient
import Foundation
import SwitchboardTestSupport
import SyncEngine
import SyncPlanning
import SwitchboardStore
import Testing
import HTTPTransport

/// The single-item commit, the one way an edit reaches a server: its request counts, and
/// what it answers when the server changed, lost an answer, or cannot be reached.
@Suite struct ItemCommitTests {
    static func engine(_ harness: SyncHarness) -> CollectionSynchronizer {
        CollectionSynchronizer(client: harness.client, store: harness.store, replica: StoreReplica(store: harness.store, collectionID: harness.collection.id))
    }

    /// The store becomes the collection's local side, as connecting an account makes it.
    static func bind(_ harness: inout SyncHarness) async throws {
        _ = try await harness.sync(replica: StoreReplica(store: harness.store, collectionID: harness.collection.id))
    }

    /// A bound collection holding item `one` (`SUMMARY:First`) as uploaded, with its href.
    static func uploadedItem(_ harness: inout SyncHarness) async throws
        -> (engine: CollectionSynchronizer, collection: CollectionRecord, created: ItemRecord, href: String)
    {
        try await bind(&harness)
        let engine = engine(harness)
        let collection = harness.collection
        try await ConcurrentEditTests.edit(harness.store, collection.id, "one", summary: "First")
        guard case .uploaded(let created) = await engine.commit("one", in: collection), let href = created.href else {
            throw ItemCommitFailure(description: "item one was not uploaded")
        }
        return (engine, collection, created, href)
    }

    struct ItemCommitFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Counts the requests `body` sends through the harness's client.
    static func requests(_ harness: SyncHarness, _ body: () async throws -> Void) async rethrows -> Int {
        let before = harness.client.transport.requestsSent
        try await body()
        return harness.client.transport.requestsSent - before
    }

    @Test(arguments: ["radicale", "xandikos"])
    func aCreateCostsOneRequestAnUpdateTwoADeletionTwo(peer: String) async throws {
        try await SyncHarness.with(peer, .sqlite) { harness in
            try await Self.bind(&harness)
            let engine = Self.engine(harness)
            let collection = harness.collection
            var outcome: WriteOutcome?
            try await ConcurrentEditTests.edit(harness.store, collection.id, "one", summary: "First")
            let create = await Self.requests(harness) { outcome = await engine.commit("one", in: collection) }
            guard case .uploaded(let created)? = outcome else { Issue.record("create: \(String(describing: outcome))"); return }
            #expect(create == 1, "a create sent \(create) requests")
            #expect(created.pendingData == nil && created.etag?.isEmpty == false && created.href != nil)

            var refreshed: ItemRecord?
            let update = try await Self.requests(harness) {
                refreshed = try await engine.refresh("one", in: collection)
                try await ConcurrentEditTests.edit(harness.store, collection.id, "one", summary: "Second")
                outcome = await engine.commit("one", in: collection)
            }
            #expect(refreshed?.syncedData?.contains("SUMMARY:First") == true)
            guard case .uploaded(let updated)? = outcome else { Issue.record("update: \(String(describing: outcome))"); return }
            #expect(update <= 2, "an update sent \(update) requests")
            #expect(updated.syncedData?.contains("SUMMARY:Second") == true && updated.etag != created.etag)

            let deletion = try await Self.requests(harness) {
                _ = try await engine.refresh("one", in: collection)
                try await harness.store.updateItems(in: collection.id, localIDs: ["one"]) { $0.pendingDeletion = true }
                outcome = await engine.commit("one", in: collection)
            }
            guard case .deleted? = outcome else { Issue.record("deletion: \(String(describing: outcome))"); return }
            #expect(deletion <= 2, "a deletion sent \(deletion) requests")
            #expect(try await harness.serverObjects().isEmpty)
            #expect(try await harness.store.item(in: collection.id, localID: "one") == nil)
        }
    }

    /// Refreshing finds the server's newer version and keeps it as the synced copy.
    @Test func aRefreshReadsTheServersNewerVersion() async throws {
        try await SyncHarness.with("radicale", .sqlite) { harness in
            let (engine, collection, created, href) = try await Self.uploadedItem(&harness)
            _ = try await harness.client.updateObject(.calendar, at: href, data: Fixtures.event(uid: "one", summary: "From the phone"), etag: nil)
            let refreshed = try await engine.refresh("one", in: collection)
            #expect(refreshed?.syncedData?.contains("SUMMARY:From the phone") == true && refreshed?.etag != created.etag)
            try await harness.client.delete(href, etag: nil)
            #expect(try await engine.refresh("one", in: collection) == nil)
        }
    }

    /// The server changed another property meanwhile: the refused `If-Match` fetches its
    /// version and the policy merges both edits.
    @Test func aStaleUpdateIsMergedWithTheServersEdit() async throws {
        try await SyncHarness.with("radicale", .sqlite) { harness in
            let (engine, collection, _, href) = try await Self.uploadedItem(&harness)
            let located = Fixtures.event(uid: "one", summary: "First").replacingOccurrences(of: "SUMMARY:First", with: "SUMMARY:First\r\nLOCATION:Room 4")
            _ = try await harness.client.updateObject(.calendar, at: href, data: located, etag: nil)
            try await ConcurrentEditTests.edit(harness.store, collection.id, "one", summary: "Second")
            let outcome = await engine.commit("one", in: collection)
            guard case .merged(let merged) = outcome else { Issue.record("\(outcome)"); return }
            #expect(merged.pendingData == nil)
            let server = try #require(try await harness.object(uid: "one")?.data)
            #expect(server.contains("SUMMARY:Second") && server.contains("LOCATION:Room 4"), "\(server)")
        }
    }

    /// A create whose PUT landed but whose answer was lost (the record has the href, no
    /// ETag): the retry's `If-None-Match: *` is refused, the server holds our own content,
    /// and the item is adopted — uploaded, not a conflict.
    @Test func aCreateWhoseAnswerWasLostIsRecognisedAsOurs() async throws {
        try await SyncHarness.with("radicale", .sqlite, policy: .manual) { harness in
            try await Self.bind(&harness)
            let collection = harness.collection
            let data = Fixtures.event(uid: "lost", summary: "Landed")
            let href = DAVClient.newHref(.calendar, in: collection.href, uid: "lost")
            _ = try await harness.client.createObject(.calendar, at: href, data: data)
            try await harness.store.updateItems(in: collection.id, localIDs: ["lost"]) { item in
                item.pendingData = data
                item.uid = "lost"
                item.href = href
            }
            let outcome = await Self.engine(harness).commit("lost", in: collection)
            guard case .uploaded(let item) = outcome else { Issue.record("\(outcome)"); return }
            #expect(item.pendingData == nil && item.conflictData == nil && item.etag?.isEmpty == false)
            #expect(try await harness.serverObjects().count == 1)
        }
    }

    /// The server is down: the edit waits in the store, and the caller learns why, typed.
    @Test func anUnreachableServerLeavesTheEditPendingWithTheUpstreamError() async throws {
        let peer = try Peer.dedicated("radicale")
        defer { try? peer.stop() }
        try await SyncHarness.with(peer, .sqlite, configure: { $0.retry = .none }) { harness in
            try await Self.bind(&harness)
            let collection = harness.collection
            try await ConcurrentEditTests.edit(harness.store, collection.id, "down", summary: "Waiting")
            try peer.kill()
            let outcome = await Self.engine(harness).commit("down", in: collection)
            guard case .pending(let item?, let error) = outcome else { Issue.record("\(outcome)"); return }
            #expect(item.pendingData?.contains("SUMMARY:Waiting") == true)
            #expect(error.isTransient && error.upstream?.code == .connection, "\(error)")
            try peer.resume()
            let run = try await harness.sync(replica: StoreReplica(store: harness.store, collectionID: collection.id))
            #expect(run.counts.uploaded == 1)
        }
    }
}
