import Foundation
import SwitchboardTestSupport
import SyncStore
import Testing

/// Data safety: every write of an item states the revision it read, on both drivers.
@Suite struct CompareAndSwapTests {
    static func collection(in store: any SyncStore) async throws -> CollectionRecord {
        let account = AccountRecord(name: Fixtures.unique("cas"), serverURL: "http://127.0.0.1/", username: "anna", sealedPassword: nil)
        try await store.saveAccount(account)
        let collection = CollectionRecord(accountID: account.id, href: "/anna/" + Fixtures.unique("cal") + "/", kind: .calendar)
        try await store.saveCollection(collection)
        return collection
    }

    @Test(arguments: StoreDriver.allCases)
    func aWriteOfAStaleRevisionChangesNothing(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let collection = try await Self.collection(in: store)
            let fresh = ItemRecord(collectionID: collection.id, localID: "a", pendingData: "one")
            let first = try #require(try await store.replaceItems([fresh]).first ?? nil)
            // A second "new" item of the same id is refused: another writer created it.
            #expect(try await store.replaceItems([fresh]) == [nil])
            var read = try #require(try await store.item(in: collection.id, localID: "a"))
            #expect(read.revision == first)
            var other = read
            other.pendingData = "two (another writer)"
            let second = try #require(try await store.replaceItems([other]).first ?? nil)
            read.pendingData = "three (stale)"
            #expect(try await store.replaceItems([read]) == [nil])
            #expect(try await store.item(in: collection.id, localID: "a")?.pendingData == "two (another writer)")
            #expect(try await !store.deleteItem(in: collection.id, localID: "a", ifRevision: first, at: Date()))
            #expect(try await store.deleteItem(in: collection.id, localID: "a", ifRevision: second, at: Date()))
            #expect(try await store.item(in: collection.id, localID: "a") == nil)
            #expect(try await store.tombstones(in: collection.id, since: 0).map(\.localID) == ["a"])
        }
    }

    @Test(arguments: StoreDriver.allCases)
    func updatesApplyTheirEditToWhatIsThereNow(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let collection = try await Self.collection(in: store)
            try await store.updateItems(in: collection.id, localIDs: ["a", "b"]) { $0.pendingData = "edit of \($0.localID)" }
            try await store.updateItems(in: collection.id, localIDs: ["a"]) { $0.etag = "\"e1\"" }
            let a = try #require(try await store.item(in: collection.id, localID: "a"))
            #expect(a.pendingData == "edit of a" && a.etag == "\"e1\"")
            // Concurrent updates of one item: every one of them lands.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        try await store.updateItems(in: collection.id, localIDs: ["counter"]) { item in
                            item.pendingData = String((Int(item.pendingData ?? "0") ?? 0) + 1)
                            _ = index
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await store.item(in: collection.id, localID: "counter")?.pendingData == "20")
        }
    }
}
