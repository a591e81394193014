import Foundation
import SwitchboardTestSupport
import SwitchboardStore
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

/// Data safety: bookings are checked per calendar, so resources sharing a calendar cannot
/// double-book it (the probe double-booked in 3 of 8 rounds).
@Suite struct SharedCalendarBookingTests {
    @Test(arguments: StoreDriver.allCases)
    func resourcesSharingACalendarCannotBookOverEachOther(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let collection = try await CompareAndSwapTests.collection(in: store)
            let own = CollectionRecord(accountID: collection.accountID, href: "/anna/" + Fixtures.unique("own") + "/", kind: .calendar)
            try await store.saveCollection(own)
            let anna = ResourceRecord(name: Fixtures.unique("anna"), rules: "{}", calendarIDs: [collection.id, own.id], bookingCalendarID: collection.id)
            let room = ResourceRecord(name: Fixtures.unique("room"), rules: "{}", calendarIDs: [collection.id], bookingCalendarID: collection.id)
            try await store.saveResource(anna)
            try await store.saveResource(room)
            func booking(_ resource: ResourceRecord, _ start: Int64, in calendar: String? = nil) -> BookingRecord {
                BookingRecord(resourceID: resource.id, collectionID: calendar ?? resource.bookingCalendarID, localID: UUID().uuidString,
                              start: start, end: start + 3600, summary: "x")
            }
            // Racing bookers of the two resources for overlapping hours: exactly one wins, and
            // only the winner's event reaches the outbox (it is written in the same transaction).
            // (A type of this run's own: other tests may share the database and its outbox.)
            let type = "test.booked-\(UUID().uuidString.prefix(8))"
            let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<8 {
                    let resource = index.isMultiple(of: 2) ? anna : room
                    let event = DomainEventRecord(tenantID: "t", type: type, payload: "{\"attempt\":\(index)}")
                    group.addTask {
                        try await store.insertBooking(booking(resource, 1_900_000_000 + Int64(index) * 60), calendars: resource.calendarIDs, event: event)
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(winners == 1)
            let now = Date()
            let recorded = try await store.claimEvents(now: now, until: now + 60, limit: 10_000).filter { $0.type == type }
            #expect(recorded.count == 1)
            #expect(try await store.claimEvents(now: now, until: now + 60, limit: 10_000).allSatisfy { $0.type != type }, "a claimed event is not claimed twice")
            try await store.deleteEvents(ids: recorded.map(\.id))
            #expect(try await store.claimEvents(now: now + 120, until: now + 180, limit: 10_000).allSatisfy { $0.type != type })
            // A booking on anna's own calendar is not the room's busy time.
            #expect(try await store.insertBooking(booking(anna, 1_900_100_000, in: own.id), calendars: anna.calendarIDs, event: nil))
            #expect(try await store.insertBooking(booking(room, 1_900_100_000), calendars: room.calendarIDs, event: nil))
        }
    }
}
