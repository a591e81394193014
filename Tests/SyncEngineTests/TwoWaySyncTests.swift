import DAVClient
import Foundation
import SwitchboardTestSupport
import SyncEngine
import SyncStore
import Testing

/// Two-way sync of a real server's collection with a folder, on both servers and both stores.
@Suite struct TwoWaySyncTests {
    static let combinations: [(String, StoreDriver)] = Peer.all.flatMap { peer in StoreDriver.allCases.map { (peer, $0) } }

    @Test(arguments: combinations)
    func eventsFlowBothWaysAndAQuietResyncCostsOneRequest(peer: String, driver: StoreDriver) async throws {
        try await SyncHarness.with(peer, driver) { harness in
            for index in 1...3 {
                _ = try await harness.client.createObject(.calendar, in: harness.collection.href,
                                                          data: Fixtures.event(uid: "server-\(index)"), uid: "server-\(index)")
            }
            let first = try await harness.sync()
            #expect(first.failure == nil)
            #expect(first.counts.downloaded == 3)
            #expect(try harness.folderUIDs() == ["server-1", "server-2", "server-3"])
            #expect(harness.collection.syncToken != nil)

            // Both sides change different items.
            let files = try harness.files()
            let server2 = try #require(files.first { SyncHarness.uid($0.value) == "server-2" }?.key)
            let server3 = try #require(files.first { SyncHarness.uid($0.value) == "server-3" }?.key)
            try harness.writeFile(server2, Fixtures.event(uid: "server-2", summary: "Edited here"))
            try harness.removeFile(server3)
            try harness.writeFile("local-1.ics", Fixtures.event(uid: "local-1", summary: "Made here"))
            let server1 = try #require(try await harness.object(uid: "server-1"))
            _ = try await harness.client.updateObject(.calendar, at: server1.href, data: Fixtures.event(uid: "server-1", summary: "Edited there"),
                                                      etag: server1.etag)
            _ = try await harness.client.createObject(.calendar, in: harness.collection.href, data: Fixtures.event(uid: "server-4"), uid: "server-4")

            let second = try await harness.sync()
            #expect(second.failure == nil)
            #expect(second.itemErrors.isEmpty)
            #expect(second.counts.downloaded == 2)
            #expect(second.counts.uploaded == 2)
            #expect(second.counts.deletedRemotely == 1)
            #expect(try await harness.serverUIDs() == ["local-1", "server-1", "server-2", "server-4"])
            #expect(try harness.folderUIDs() == ["local-1", "server-1", "server-2", "server-4"])
            #expect(try await harness.object(uid: "server-2")?.data?.contains("SUMMARY:Edited here") == true)
            #expect(try harness.files().values.contains { $0.contains("SUMMARY:Edited there") })

            let quiet = try await harness.sync()
            #expect(quiet.failure == nil)
            #expect(quiet.counts.requests == 1, "no change on either side: one sync-collection REPORT")
            #expect(quiet.counts.downloaded + quiet.counts.uploaded == 0)
        }
    }

    @Test(arguments: combinations)
    func contactsFlowBothWays(peer: String, driver: StoreDriver) async throws {
        try await SyncHarness.with(peer, driver, kind: .addressBook) { harness in
            _ = try await harness.client.createObject(.addressBook, in: harness.collection.href,
                                                      data: Fixtures.card(uid: "card-1", name: "Ada Lovelace"), uid: "card-1")
            #expect(try await harness.sync().counts.downloaded == 1)
            try harness.writeFile("card-2.vcf", Fixtures.card(uid: "card-2", name: "Grace Hopper"))
            let run = try await harness.sync()
            #expect(run.counts.uploaded == 1)
            #expect(try await harness.serverUIDs() == ["card-1", "card-2"])
            #expect(try harness.folderUIDs() == ["card-1", "card-2"])
        }
    }
}
