import Accounts
import DAVClient
import Crypto
import Foundation
import SwitchboardTestSupport
import SyncEngine
import SwitchboardStore
import Testing

@Suite struct SyncScheduleTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aGoodRunWaitsItsIntervalWithinTheJitter() {
        let schedule = SyncSchedule(jitter: 0.1)
        #expect(schedule.nextRun(after: start, interval: 300, consecutiveFailures: 0, random: 0) == start + 270)
        #expect(schedule.nextRun(after: start, interval: 300, consecutiveFailures: 0, random: 0.5) == start + 300)
        #expect(schedule.nextRun(after: start, interval: 300, consecutiveFailures: 0, random: 1) == start + 330)
    }

    @Test func failuresDoubleTheWaitUpToTheCap() {
        let schedule = SyncSchedule(jitter: 0, maxBackoff: 3600)
        let waits = (0...6).map { schedule.nextRun(after: start, interval: 300, consecutiveFailures: $0, random: 0.5).timeIntervalSince(start) }
        #expect(waits == [300, 600, 1200, 2400, 3600, 3600, 3600])
    }

    @Test func aBusyCollectionIsTriedSoonWithoutCountingAFailure() {
        let schedule = SyncSchedule(jitter: 0, busyRetry: 30)
        #expect(schedule.nextRun(after: start, interval: 300, consecutiveFailures: 3, busy: true, random: 0.5) == start + 30)
    }
}

@Suite struct SyncServiceTests {
    @Test(arguments: StoreDriver.allCases)
    func theServiceSyncsEachCollectionRunsTriggersAndBacksOff(driver: StoreDriver) async throws {
        let peer = try await Peer.named("radicale")
        // The service syncs every collection of its store: a store of its own.
        try await driver.withStore(isolated: true) { store in
            let secrets = try SecretBox(key: .init(size: .bits256))
            let account = AccountRecord(name: Fixtures.unique("service"), serverURL: peer.baseURL.absoluteString, username: "anna",
                                        sealedPassword: try secrets.seal("secret"))
            try await store.saveAccount(account)
            let href = peer.annaCalendarHome + Fixtures.unique("service") + "/"
            try await peer.withClient { client in
                try await client.makeCalendar(href, displayName: "Service")
                _ = try await client.createObject(.calendar, in: href, data: Fixtures.event(uid: "one"), uid: "one")
            }
            let good = CollectionRecord(accountID: account.id, href: href, kind: .calendar, syncInterval: 3600)
            // Due at once (never synced); after its failure the next try waits twice the
            // interval, far longer than this test runs even on a loaded machine.
            let missing = CollectionRecord(accountID: account.id, href: peer.annaCalendarHome + "no-such-calendar/", kind: .calendar,
                                           syncInterval: 120)
            let disabled = CollectionRecord(accountID: account.id, href: peer.annaCalendarHome + "disabled/", kind: .calendar,
                                            enabled: false)
            for collection in [good, missing, disabled] { try await store.saveCollection(collection) }

            let clients = AccountClients(secrets: secrets)
            let service = SyncService(store: store, clients: clients, schedule: SyncSchedule(jitter: 0, maxBackoff: 3600),
                                      tick: .milliseconds(20))
            let running = Task { try await service.run() }
            var finished: [SyncRunRecord] = []
            var triggered = false
            for await event in service.events {
                guard case .finished(let run) = event, [good.id, missing.id].contains(run.collectionID) else { continue }
                finished.append(run)
                let goodRuns = finished.filter { $0.collectionID == good.id }.count
                if goodRuns == 1, !triggered {
                    triggered = true
                    service.trigger(good.id)
                }
                if goodRuns == 2 { break }
            }
            running.cancel()
            _ = try? await running.value
            await clients.shutdown()

            let goodRuns = finished.filter { $0.collectionID == good.id }
            #expect(goodRuns.count == 2, "the first run, then the triggered one; the hour-long interval holds otherwise")
            #expect(goodRuns.first?.counts.downloaded == 1)
            #expect(goodRuns.allSatisfy { $0.failure == nil })
            let missingRuns = finished.filter { $0.collectionID == missing.id }
            #expect(missingRuns.count == 1, "a failing collection waits twice its interval before the next try")
            #expect(missingRuns.first?.failure != nil)
            #expect(try await store.runs(collectionID: disabled.id, limit: 5).isEmpty)
            #expect(try await store.items(in: good.id).map(\.uid) == ["one"])
        }
    }
}
