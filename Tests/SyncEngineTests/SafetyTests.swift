import DAVClient
import FileStamps
import Foundation
import SwitchboardTestSupport
import SyncEngine
import SyncPlanning
import SwitchboardStore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What sync must never do: delete what it has not confirmed gone, stop at one bad item,
/// or merge two items that share a UID.
@Suite struct SafetyTests {
    static let combinations: [(String, StoreDriver)] = Peer.all.map { ($0, .sqlite) } + [("radicale", .postgres)]

    private func seed(_ harness: inout SyncHarness, count: Int) async throws {
        for index in 1...count {
            _ = try await harness.client.createObject(.calendar, in: harness.collection.href,
                                                      data: Fixtures.event(uid: "event-\(index)"), uid: "event-\(index)")
        }
        try await harness.sync()
    }

    @Test(arguments: combinations)
    func aServerThatLooksEmptyDoesNotWipeTheFolder(peer: String, driver: StoreDriver) async throws {
        try await SyncHarness.with(peer, driver) { harness in
            try await seed(&harness, count: 4)
            for href in try await harness.client.etags(in: harness.collection.href).keys {
                try await harness.client.delete(href)
            }
            let refused = try await harness.sync()
            #expect(refused.failure?.contains("massDeleteRefused") == true)
            #expect(try harness.files().count == 4, "nothing deleted locally")
            let tokenBefore = harness.collection.syncToken

            let again = try await harness.sync()
            #expect(again.failure?.contains("massDeleteRefused") == true, "the refusal holds on every run")
            #expect(harness.collection.syncToken == tokenBefore)

            let forced = try await harness.sync(force: true)
            #expect(forced.failure == nil)
            #expect(forced.counts.deletedLocally == 4)
            #expect(try harness.files().isEmpty)
        }
    }

    @Test(arguments: combinations)
    func anInvalidSyncTokenFallsBackToAFullListingWithoutLoss(peer: String, driver: StoreDriver) async throws {
        try await SyncHarness.with(peer, driver) { harness in
            try await seed(&harness, count: 3)
            try harness.writeFile("local.ics", Fixtures.event(uid: "local"))
            _ = try await harness.client.createObject(.calendar, in: harness.collection.href, data: Fixtures.event(uid: "late"), uid: "late")
            harness.collection.syncToken = "http://example.org/ns/sync/not-a-token-of-this-server"
            try await harness.store.saveCollection(harness.collection)

            let run = try await harness.sync()
            #expect(run.failure == nil)
            #expect(run.method == "fullListingAfterInvalidToken")
            #expect(run.counts.downloaded == 1)
            #expect(run.counts.uploaded == 1)
            #expect(try harness.folderUIDs() == ["event-1", "event-2", "event-3", "late", "local"])
            #expect(try await harness.serverUIDs() == ["event-1", "event-2", "event-3", "late", "local"])
            #expect(try await harness.sync().counts.requests == 1, "a valid token is kept")
        }
    }

    /// A local edit in the clock tick of the sync's own write, of the same size, keeping the
    /// inode: the file's stamp does not change ("racily clean"). The edit must still be seen.
    @Test func anEditThatLeavesTheFileStampAsItWasIsStillSeen() async throws {
        try await SyncHarness.with("radicale", .sqlite) { harness in
            _ = try await harness.client.createObject(.calendar, in: harness.collection.href, data: Fixtures.event(uid: "racy"), uid: "racy")
            try await harness.sync()
            let (name, text) = try #require(try harness.files().first)
            let path = harness.directory.appendingPathComponent(name).path
            let stamp = try #require(FileStamp.of(path))
            let edited = text.replacingOccurrences(of: "SUMMARY:Consultation", with: "SUMMARY:Renamed here")
            #expect(edited.utf8.count == text.utf8.count && edited != text)
            // In place (same inode), then the modification time put back to the nanosecond.
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.write(contentsOf: Data(edited.utf8))
            try handle.close()
            let time = stamp.split(separator: "-")[1].split(separator: ".").compactMap { Int($0) }
            var times = [timespec(tv_sec: time[0], tv_nsec: time[1]), timespec(tv_sec: time[0], tv_nsec: time[1])]
            #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
            #expect(FileStamp.of(path) == stamp, "the stamp is as it was")

            let run = try await harness.sync()
            #expect(run.counts.uploaded == 1, "\(run)")
            #expect(try await harness.object(uid: "racy")?.data?.contains("SUMMARY:Renamed here") == true)
        }
    }

    @Test(arguments: combinations)
    func aMalformedItemIsLoggedAndTheRestGoesOn(peer: String, driver: StoreDriver) async throws {
        try await SyncHarness.with(peer, driver) { harness in
            try await seed(&harness, count: 1)
            try harness.writeFile("broken.ics", "this is no calendar at all\r\n")
            try harness.writeFile("good.ics", Fixtures.event(uid: "good"))
            let run = try await harness.sync()
            #expect(run.failure == nil)
            #expect(run.counts.uploaded == 1)
            #expect(run.counts.errors == 1)
            let error = try #require(run.itemErrors.first)
            #expect(error.localID == "broken")
            #expect(error.message.contains("malformedItem") && error.message.contains("line 1"), "names the line: \(error.message)")
            #expect(try await harness.serverUIDs() == ["event-1", "good"])
            let logged = try await harness.store.runs(collectionID: harness.collection.id, limit: 10).first { $0.id == run.id }
            #expect(logged?.itemErrors == run.itemErrors)
        }
    }

    @Test(arguments: combinations)
    func duplicateUIDsAreReportedNotMerged(peer: String, driver: StoreDriver) async throws {
        try await SyncHarness.with(peer, driver) { harness in
            try await seed(&harness, count: 1)
            try harness.writeFile("copy.ics", Fixtures.event(uid: "event-1", summary: "A copy"))
            let run = try await harness.sync()
            #expect(run.itemErrors.contains { $0.message.contains("duplicateUID") && $0.localID == "copy" })
            #expect(run.counts.uploaded == 0)
            #expect(try await harness.serverObjects().count == 1)
            #expect(try harness.files().count == 2, "the local copy stays for a person to look at")
        }
    }

    @Test(arguments: StoreDriver.allCases)
    func theStoreItselfCanBeTheLocalSide(driver: StoreDriver) async throws {
        try await SyncHarness.with("radicale", driver) { harness in
            let replica = StoreReplica(store: harness.store, collectionID: harness.collection.id)
            for uid in ["event-1", "event-2"] {
                _ = try await harness.client.createObject(.calendar, in: harness.collection.href, data: Fixtures.event(uid: uid), uid: uid)
            }
            #expect(try await harness.sync(replica: replica).counts.downloaded == 2)
            // The app edits the store's records.
            var items = try await harness.store.items(in: harness.collection.id).sorted { $0.uid ?? "" < $1.uid ?? "" }
            items[0].pendingData = Fixtures.event(uid: "event-1", summary: "Moved by the app")
            _ = try await harness.store.saveItem(items[0])
            items[1].pendingDeletion = true
            _ = try await harness.store.saveItem(items[1])
            _ = try await harness.store.saveItem(ItemRecord(collectionID: harness.collection.id, localID: "booking-1",
                                                        pendingData: Fixtures.event(uid: "booking-1", summary: "Booked")))
            let run = try await harness.sync(replica: replica)
            #expect(run.failure == nil)
            #expect(run.itemErrors.isEmpty)
            #expect(run.counts.uploaded == 2)
            #expect(run.counts.deletedRemotely == 1)
            #expect(try await harness.serverUIDs() == ["booking-1", "event-1"])
            #expect(try await harness.object(uid: "event-1")?.data?.contains("Moved by the app") == true)
            let stored = try await harness.store.items(in: harness.collection.id)
            #expect(stored.allSatisfy { $0.pendingData == nil && $0.etag != nil })
            #expect(try await harness.sync(replica: replica).counts.requests == 1)

            // Syncing the same collection to a folder starts that side afresh, never reading
            // the folder's emptiness as deletions; back on the store, unsynced edits block it.
            let folderRun = try await harness.sync()
            #expect(folderRun.counts.downloaded == 2 && folderRun.counts.deletedRemotely == 0)
            #expect(try await harness.serverUIDs() == ["booking-1", "event-1"])
            try await harness.sync(replica: replica)
            var edited = try #require(try await harness.store.items(in: harness.collection.id).first)
            edited.pendingData = Fixtures.event(uid: edited.uid ?? "", summary: "Unsynced")
            _ = try await harness.store.saveItem(edited)
            let refused = try await harness.sync()
            #expect(refused.failure?.contains("not yet synced") == true)
            #expect(try await harness.store.item(in: harness.collection.id, localID: edited.localID)?.pendingData != nil)
        }
    }
}
