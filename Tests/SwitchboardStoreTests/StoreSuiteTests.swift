import Foundation
import SwitchboardTestSupport
import SyncPlanning
import SwitchboardStore
import Testing

/// The one suite both store drivers pass.
@Suite struct StoreSuiteTests {
    /// A fresh account and calendar in `store`, uniquely named so tests can share a database.
    private func seed(_ store: SQLStore) async throws -> (AccountRecord, CollectionRecord) {
        let account = AccountRecord(name: "account-\(UUID().uuidString)", serverURL: "http://127.0.0.1:5232/",
                                    username: "anna", sealedPassword: [1, 2, 3])
        try await store.saveAccount(account)
        let collection = CollectionRecord(accountID: account.id, href: "/anna/calendar/", kind: .calendar, displayName: "Work")
        try await store.saveCollection(collection)
        return (account, collection)
    }

    private func event(_ collection: CollectionRecord, _ localID: String, uid: String? = nil, start: Int64?, end: Int64?,
                       recurring: Bool = false) -> ItemRecord {
        ItemRecord(collectionID: collection.id, localID: localID, href: "/anna/calendar/\(localID).ics", uid: uid ?? localID,
                   etag: "\"e-\(localID)\"", syncedData: "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", contentHash: "h-\(localID)",
                   fields: ItemFields(summary: "Event \(localID)", startUTC: start, endUTC: end, recurring: recurring))
    }

    @Test(arguments: StoreDriver.allCases)
    func accountsRoundTripAndNamesAreUnique(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let (account, _) = try await seed(store)
            let stored = try #require(try await store.accounts().first { $0.id == account.id })
            #expect(stored.name == account.name)
            #expect(stored.sealedPassword == [1, 2, 3])
            #expect(abs(stored.createdAt.timeIntervalSince(account.createdAt)) < 0.002)

            var renamed = stored
            renamed.username = "bob"
            try await store.saveAccount(renamed)
            #expect(try await store.accounts().first { $0.id == account.id }?.username == "bob")

            let twin = AccountRecord(name: account.name, serverURL: "http://x/", username: "x", sealedPassword: nil)
            let error = await thrownError(StoreError.self) { try await store.saveAccount(twin) }
            #expect(error?.code == .constraint)
        }
    }

    /// Requests for one account, collection or resource read that record only (a booking's
    /// commit, a sync of one collection), not every record of the store.
    @Test(arguments: StoreDriver.allCases)
    func recordsAreFoundByID(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let (account, collection) = try await seed(store)
            let other = CollectionRecord(accountID: account.id, href: "/anna/other/", kind: .calendar)
            try await store.saveCollection(other)
            #expect(try await store.account(id: account.id)?.name == account.name)
            #expect(try await store.account(id: "none") == nil)
            #expect(try await store.collection(id: collection.id) == collection)
            #expect(try await store.collection(id: "none") == nil)
            #expect(try await store.collections(ids: [other.id, "none", collection.id, other.id]).map(\.id) == [collection.id, other.id])
            #expect(try await store.collections(ids: []).isEmpty)
            let resource = ResourceRecord(name: "room-\(UUID().uuidString)", rules: "{}", calendarIDs: [collection.id], bookingCalendarID: collection.id)
            try await store.saveResource(resource)
            #expect(try await store.resource(id: resource.id)?.name == resource.name)
            #expect(try await store.resource(named: resource.name)?.id == resource.id)
            #expect(try await store.resource(named: "none") == nil)
        }
    }

    /// An availability question reads its resource's calendars, their items that may be busy
    /// and its bookings in one round trip; each part as the single-purpose reads give it.
    @Test(arguments: StoreDriver.allCases)
    func aResourceSnapshotIsTheReadsItReplaces(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let (_, collection) = try await seed(store)
            _ = try await store.saveItem(event(collection, "in", start: 1_000, end: 2_000))
            _ = try await store.saveItem(event(collection, "out", start: 9_000, end: 9_500))
            _ = try await store.saveItem(event(collection, "series", start: 0, end: nil, recurring: true))
            let resource = ResourceRecord(name: "room-\(UUID().uuidString)", rules: "{}", calendarIDs: [collection.id], bookingCalendarID: collection.id)
            try await store.saveResource(resource)
            let booking = BookingRecord(resourceID: resource.id, collectionID: collection.id, localID: UUID().uuidString, start: 1_500, end: 1_800,
                                        summary: "x")
            #expect(try await store.insertBooking(booking, calendars: resource.calendarIDs, event: nil))
            let snapshot = try await store.snapshot(of: resource, busy: (1_200, 3_000), bookings: (0, 5_000))
            #expect(snapshot.calendars == [collection])
            #expect(snapshot.versions == (try await store.itemVersions(in: [collection.id], overlappingFrom: 1_200, to: 3_000)))
            #expect(Set(snapshot.versions.map(\.localID)) == ["in", "series"])
            #expect(snapshot.bookings.map(\.id) == [booking.id])
            #expect(try await store.snapshot(of: resource, busy: (1_200, 3_000), bookings: (2_000, 5_000)).bookings.isEmpty)
            let bare = ResourceRecord(name: "bare-\(UUID().uuidString)", rules: "{}", calendarIDs: [], bookingCalendarID: collection.id)
            let empty = try await store.snapshot(of: bare, busy: (0, 10_000), bookings: (0, 10_000))
            #expect(empty.calendars.isEmpty && empty.versions.isEmpty && empty.bookings.isEmpty)
        }
    }

    @Test(arguments: StoreDriver.allCases)
    func deletingAnAccountRemovesEverythingBelowIt(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let (account, collection) = try await seed(store)
            _ = try await store.saveItem(event(collection, "a", start: 0, end: 3600))
            try await store.saveRun(SyncRunRecord(collectionID: collection.id))
            try await store.deleteAccount(id: account.id)
            #expect(try await store.collections(accountID: account.id).isEmpty)
            #expect(try await store.items(in: collection.id).isEmpty)
            #expect(try await store.runs(collectionID: collection.id, limit: 10).isEmpty)
        }
    }

    @Test(arguments: StoreDriver.allCases)
    func collectionsKeepTheirSyncStateAndPolicy(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let (account, collection) = try await seed(store)
            var updated = collection
            updated.syncToken = "http://radicale.org/ns/sync/abc"
            updated.ctag = "\"ctag\""
            updated.conflictPolicy = .newestWins
            updated.maxDeleteShare = 0.25
            updated.enabled = false
            updated.syncInterval = 60
            updated.lastSyncedAt = Date(timeIntervalSince1970: 1_800_000_000.5)
            try await store.saveCollection(updated)
            #expect(try await store.collections(accountID: account.id) == [updated])

            let twin = CollectionRecord(accountID: account.id, href: collection.href, kind: .calendar)
            let error = await thrownError(StoreError.self) { try await store.saveCollection(twin) }
            #expect(error?.code == .constraint)
        }
    }

    @Test(arguments: StoreDriver.allCases)
    func itemsAreFoundByIDUIDAndRevision(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let (_, collection) = try await seed(store)
            let first = try await store.saveItem(event(collection, "a", uid: "same", start: 0, end: 3600))
            let second = try await store.saveItem(event(collection, "b", uid: "same", start: 0, end: 3600))
            #expect(second > first)
            #expect(try await store.items(in: collection.id, uid: "same").map(\.localID) == ["a", "b"])

            var edited = try #require(try await store.item(in: collection.id, localID: "a"))
            #expect(edited.revision == first)
            edited.pendingData = "BEGIN:VCALENDAR\r\nX:1\r\nEND:VCALENDAR\r\n"
            let third = try await store.saveItem(edited)
            #expect(third > second)
            #expect(try await store.items(in: collection.id, changedSince: second).map(\.localID) == ["a"])
            #expect(try await store.item(in: collection.id, localID: "a")?.currentData == edited.pendingData)
            #expect(try await store.items(in: collection.id).count == 2)
        }
    }

    @Test(arguments: StoreDriver.allCases)
    func aBatchOfItemsIsSavedInOneTransaction(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let (_, collection) = try await seed(store)
            let batch = (0..<300).map { event(collection, "item-\($0)", start: Int64($0), end: Int64($0) + 1) }
            let revisions = try await store.saveItems(batch)
            #expect(revisions.count == 300)
            #expect(revisions == revisions.sorted() && Set(revisions).count == 300)
            #expect(try await store.items(in: collection.id).count == 300)

            var broken = batch
            broken[150].collectionID = "no-such-collection"
            let error = await thrownError(StoreError.self) { _ = try await store.saveItems(broken) }
            #expect(error?.code == .constraint)
            #expect(try await store.items(in: collection.id, changedSince: revisions.last!).isEmpty, "all or nothing")
        }
    }

    @Test(arguments: StoreDriver.allCases)
    func timeRangeQueriesIncludeRecurringMasters(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let (_, collection) = try await seed(store)
            let hour: Int64 = 3600
            _ = try await store.saveItem(event(collection, "before", start: 0, end: hour))
            _ = try await store.saveItem(event(collection, "touching-start", start: 9 * hour, end: 10 * hour))
            _ = try await store.saveItem(event(collection, "inside", start: 11 * hour, end: 12 * hour))
            _ = try await store.saveItem(event(collection, "spanning", start: 5 * hour, end: 30 * hour))
            _ = try await store.saveItem(event(collection, "instant", start: 10 * hour, end: nil))
            _ = try await store.saveItem(event(collection, "weekly", start: -100 * hour, end: nil, recurring: true))
            _ = try await store.saveItem(event(collection, "later-series", start: 40 * hour, end: nil, recurring: true))
            _ = try await store.saveItem(event(collection, "ended-series", start: -100 * hour, end: 9 * hour, recurring: true))
            _ = try await store.saveItem(event(collection, "bounded-series", start: -100 * hour, end: 15 * hour, recurring: true))
            _ = try await store.saveItem(event(collection, "after", start: 20 * hour, end: 21 * hour))
            let found = try await store.itemVersions(in: [collection.id], overlappingFrom: 10 * hour, to: 20 * hour)
            #expect(Set(found.map(\.localID)) == ["inside", "spanning", "instant", "weekly", "bounded-series"])
            // Each named with the revision of its last write.
            for version in found {
                #expect(try await store.item(in: collection.id, localID: version.localID)?.revision == version.revision)
            }
            #expect(try await store.itemVersions(in: [], overlappingFrom: 0, to: 1).isEmpty)
        }
    }

    @Test(arguments: StoreDriver.allCases)
    func itemsAreReadByLocalIDsInChunks(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let (_, collection) = try await seed(store)
            try await store.saveItems((0..<1_200).map { event(collection, "item-\($0)", start: Int64($0), end: Int64($0) + 1) })
            let wanted = (0..<1_201).map { "item-\($0)" }  // one that does not exist
            let found = try await store.items(in: collection.id, localIDs: wanted)
            #expect(found.count == 1_200)
            #expect(Set(found.map(\.localID)) == Set(wanted.dropLast()))
            #expect(try await store.items(in: collection.id, localIDs: []).isEmpty)
        }
    }

    @Test(arguments: StoreDriver.allCases)
    func deletionsLeaveTombstones(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let (_, collection) = try await seed(store)
            let saved = try await store.saveItem(event(collection, "a", start: 0, end: 1))
            let deletedAt = Date(timeIntervalSince1970: 1_800_000_000)
            let tombstoneRevision = try #require(try await store.deleteItem(in: collection.id, localID: "a", at: deletedAt))
            #expect(tombstoneRevision > saved)
            #expect(try await store.item(in: collection.id, localID: "a") == nil)
            #expect(try await store.deleteItem(in: collection.id, localID: "a", at: deletedAt) == nil)
            let tombstones = try await store.tombstones(in: collection.id, since: saved)
            #expect(tombstones == [Tombstone(collectionID: collection.id, localID: "a", href: "/anna/calendar/a.ics", uid: "a",
                                             deletedAt: deletedAt, revision: tombstoneRevision)])
            #expect(try await store.tombstones(in: collection.id, since: tombstoneRevision).isEmpty)
        }
    }

    @Test(arguments: StoreDriver.allCases)
    func theSyncLogKeepsCountsAndItemErrors(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let (_, collection) = try await seed(store)
            var older = SyncRunRecord(collectionID: collection.id, startedAt: Date(timeIntervalSince1970: 1_000))
            older.counts.downloaded = 3
            try await store.saveRun(older)
            var newer = SyncRunRecord(collectionID: collection.id, startedAt: Date(timeIntervalSince1970: 2_000))
            try await store.saveRun(newer)
            newer.finishedAt = Date(timeIntervalSince1970: 2_001)
            newer.counts.errors = 1
            newer.counts.requests = 4
            newer.method = "syncCollection"
            newer.itemErrors = [.init(href: "/anna/calendar/bad.ics", localID: nil, message: "line 3: missing END:VEVENT")]
            try await store.saveRun(newer)
            #expect(try await store.runs(collectionID: collection.id, limit: 10) == [newer, older])
            #expect(try await store.runs(collectionID: collection.id, limit: 1) == [newer])
        }
    }

    @Test(arguments: StoreDriver.allCases)
    func leasesHaveOneHolderUntilTheyExpire(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let (_, collection) = try await seed(store)
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            #expect(try await store.acquireLease(collectionID: collection.id, owner: "A", now: now, expiry: now + 60))
            #expect(try await !store.acquireLease(collectionID: collection.id, owner: "B", now: now + 30, expiry: now + 90))
            #expect(try await store.acquireLease(collectionID: collection.id, owner: "A", now: now + 30, expiry: now + 90))
            #expect(try await !store.acquireLease(collectionID: collection.id, owner: "B", now: now + 89, expiry: now + 150))
            #expect(try await store.acquireLease(collectionID: collection.id, owner: "B", now: now + 90, expiry: now + 150))
            try await store.releaseLease(collectionID: collection.id, owner: "A")
            #expect(try await !store.acquireLease(collectionID: collection.id, owner: "A", now: now + 100, expiry: now + 160))
            try await store.releaseLease(collectionID: collection.id, owner: "B")
            #expect(try await store.acquireLease(collectionID: collection.id, owner: "A", now: now + 100, expiry: now + 160))
        }
    }

    @Test(arguments: StoreDriver.allCases)
    func concurrentLeaseRequestsHaveExactlyOneWinner(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let (_, collection) = try await seed(store)
            let now = Date()
            let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                for owner in 0..<24 {
                    group.addTask {
                        try await store.acquireLease(collectionID: collection.id, owner: "worker-\(owner)", now: now, expiry: now + 60)
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(winners == 1)
        }
    }
}
