import DAVClient
import Foundation
import SwitchboardTestSupport
import SyncEngine
import SwitchboardStore
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
            #expect(quiet.counts.requests == 1, "no change on either side: one sync-collection REPORT; \(second.itemErrors) \(quiet.itemErrors)")
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
            let server = try await harness.serverObjects()
            let folder = try harness.files()
            #expect(server.values.compactMap(SyncHarness.uid).sorted() == ["card-1", "card-2"], "\(run) \(server)")
            #expect(folder.values.compactMap(SyncHarness.uid).sorted() == ["card-1", "card-2"], "\(run) \(folder)")
        }
    }

    @Test(arguments: StoreDriver.allCases)
    func syncedItemsCarryTheFieldsQueriesNeed(driver: StoreDriver) async throws {
        try await SyncHarness.with("radicale", driver) { harness in
            let zoned = Fixtures.event(uid: "zoned", summary: "Berlin morning", start: "20260105T090000", end: "20260105T100000")
                .replacingOccurrences(of: "DTSTART:", with: "DTSTART;TZID=Europe/Berlin:")
                .replacingOccurrences(of: "DTEND:", with: "DTEND;TZID=Europe/Berlin:")
                .replacingOccurrences(of: "END:VEVENT", with: "STATUS:TENTATIVE\r\nTRANSP:TRANSPARENT\r\nEND:VEVENT")
            let weekly = Fixtures.event(uid: "weekly", start: "20250106T090000Z", end: "20250106T093000Z", rrule: "FREQ=WEEKLY")
            let allDay = Fixtures.event(uid: "all-day", start: "20260110", end: "20260111")
                .replacingOccurrences(of: "DTSTART:", with: "DTSTART;VALUE=DATE:").replacingOccurrences(of: "DTEND:", with: "DTEND;VALUE=DATE:")
            let ended = Fixtures.event(uid: "ended", start: "20250106T090000Z", end: "20250106T093000Z", rrule: "FREQ=WEEKLY;COUNT=3")
            for (uid, data) in [("zoned", zoned), ("weekly", weekly), ("all-day", allDay), ("ended", ended)] {
                _ = try await harness.client.createObject(.calendar, in: harness.collection.href, data: data, uid: uid)
            }
            try await harness.sync()
            let items = Dictionary(uniqueKeysWithValues: try await harness.store.items(in: harness.collection.id).map { ($0.uid ?? "", $0) })
            let berlin = try #require(items["zoned"]?.fields)
            #expect(berlin.summary == "Berlin morning")
            #expect(berlin.startUTC == 1_767_600_000, "09:00 in Berlin is 08:00 UTC")
            #expect(berlin.endUTC == 1_767_603_600)
            #expect(berlin.status == "TENTATIVE" && berlin.transparency == "TRANSPARENT" && !berlin.recurring)
            #expect(items["weekly"]?.fields.recurring == true && items["weekly"]?.fields.endUTC == nil)
            // An all-day date is indexed from the earliest zone's midnight (14 hours before UTC's).
            #expect(items["all-day"]?.fields.allDay == true && items["all-day"]?.fields.startUTC == 1_768_003_200 - 14 * 3600)
            #expect(items["ended"]?.fields.endUTC == 1_737_365_400, "a bounded series ends with its third instance, 20 January 2025 09:30 UTC")

            // A March 2026 week: the weekly series (a master from 2025) and nothing else — not
            // the series that ended in January 2025.
            func uids(from: Int64, to: Int64) async throws -> Set<String> {
                let versions = try await harness.store.itemVersions(in: [harness.collection.id], overlappingFrom: from, to: to)
                return Set(try await harness.store.items(in: harness.collection.id, localIDs: versions.map(\.localID)).compactMap(\.uid))
            }
            #expect(try await uids(from: 1_772_323_200, to: 1_772_928_000) == ["weekly"])
            // The first week of January 2026.
            #expect(try await uids(from: 1_767_571_200, to: 1_768_176_000) == ["zoned", "weekly", "all-day"])
            #expect(try await harness.store.items(in: harness.collection.id, uid: "zoned").count == 1)
        }
    }
}
