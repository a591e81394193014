import Accounts
import CalendarEditing
import Crypto
import DAVClient
import SwitchboardCore
import Foundation
import ICalendar
import SwitchboardTestSupport
import SyncEngine
import SyncPlanning
import SwitchboardStore
import Synchronization
import Testing

/// Data safety, randomized: API edits (create, update, delete, one occurrence, this and
/// future) from two writers with pools of their own race background sync runs and a phone
/// (python `caldav`) editing the same calendar on Radicale. Afterwards every edit that was
/// answered (a 2xx) is on the server or listed as a conflict, and nothing is there twice.
/// `INTERLEAVINGS` operations per driver: 200 in `scripts/test`, 1,000 in `scripts/check-interleavings`.
@Suite(.serialized) struct InterleavingTests {
    /// What an answered edit promises about an item.
    enum Promise: Sendable, Hashable {
        /// The server's object holds this text (a summary marker).
        case holds(String)
        case deleted
    }

    /// One writer's items: created or split by it, edited only by it.
    struct Owned: Sendable {
        var id: String
        var start: Int64
        var recurring: Bool
        /// The summary its series was last given; `nil` once an edit of it was not answered
        /// (it may have landed, merged, or not).
        var seriesMarker: String?
    }

    /// What each item was last promised.
    final class Promises: Sendable {
        private let promises = Mutex<[String: Promise]>([:])
        func keep(_ id: String, _ promise: Promise) { promises.withLock { $0[id] = promise } }
        func forget(_ id: String) { promises.withLock { _ = $0.removeValue(forKey: id) } }
        var all: [String: Promise] { promises.withLock { $0 } }
    }

    final class Tally: Sendable {
        private let count = Mutex(0)
        func add() { count.withLock { $0 += 1 } }
        var total: Int { count.withLock { $0 } }
    }

    final class StopFlag: Sendable {
        private let flag = Mutex(false)
        func set() { flag.withLock { $0 = true } }
        var isSet: Bool { flag.withLock { $0 } }
    }

    static var operations: Int { Int(ProcessInfo.processInfo.environment["INTERLEAVINGS"] ?? "") ?? 200 }
    /// How long the writers go on at most (`INTERLEAVING_SECONDS`, 240 by default): a slow
    /// machine runs fewer edits rather than overrunning CI.
    static var budget: Duration { .seconds(Int(ProcessInfo.processInfo.environment["INTERLEAVING_SECONDS"] ?? "") ?? 240) }

    @Test(arguments: StoreDriver.allCases)
    func everyAnsweredEditIsOnTheServerOrAConflict(driver: StoreDriver) async throws {
        try await SyncHarness.with("radicale", driver, policy: .manual) { harness in
            let store = harness.store
            // The store becomes the collection's local side (as connecting an account does).
            try await harness.sync(replica: StoreReplica(store: store, collectionID: harness.collection.id))
            let collection = harness.collection
            let secrets = try SecretBox(key: SymmetricKey(size: .bits256))
            var account = try #require(try await store.accounts().first { $0.id == collection.accountID })
            account.sealedPassword = try secrets.seal("secret")
            try await store.saveAccount(account)
            let clients = [AccountClients(secrets: secrets), AccountClients(secrets: secrets), AccountClients(secrets: secrets)]
            let promises = Promises()
            let stop = StopFlag()

            // The phone, for as long as the writers may take.
            let calendarURL = harness.peer.baseURL.appendingPathComponent(collection.href).absoluteString
            let phone = try ChildProcess.spawn([
                ChildProcess.repositoryRoot.appendingPathComponent(".build/peers/venv/bin/python").path,
                ChildProcess.repositoryRoot.appendingPathComponent("Tests/python/interleaving_editor.py").path,
                harness.peer.baseURL.absoluteString, "anna", "secret", calendarURL, "600", driver == .sqlite ? "1" : "2",
            ])
            // Background runs, as the sync service makes them (they do not wait for a lease).
            let background = Task {
                let syncer = StoreSyncer(store: store, clients: clients[2], options: SyncOptions())
                while !stop.isSet {
                    await syncer.sync(collection)
                    try? await Task.sleep(for: .milliseconds(Int.random(in: 100...400)))
                }
            }
            let deadline = ContinuousClock.now + Self.budget
            let made = Tally()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<2 {
                    let service = EventService(store: store, clients: clients[writer])
                    let count = Self.operations / 2
                    group.addTask {
                        var random = SeededGenerator(seed: UInt64(writer * 7919 + (driver == .sqlite ? 1 : 2)))
                        var owned: [Owned] = []
                        for step in 0..<count where ContinuousClock.now < deadline {
                            made.add()
                            try await Self.step(writer: writer, step: step, service: service, collection: collection, owned: &owned,
                                                random: &random, promises: promises)
                        }
                    }
                }
                try await group.waitForAll()
            }
            stop.set()
            await background.value
            // SIGTERM: the phone finishes the action in hand and prints it (a SIGKILL between a
            // DELETE and its line would leave a deletion the log does not show).
            phone.kill(SIGTERM)
            let phoneLog = phone.wait().stdout
            // What the phone deleted after an answered edit is gone by its later word.
            let deletedByPhone = Set(phoneLog.split(separator: "\n").filter { $0.hasPrefix("deleted ") }.map { String($0.dropFirst(8)) })

            // Settle: runs until nothing moves.
            let syncer = StoreSyncer(store: store, clients: clients[2])
            for _ in 0..<5 {
                let run = await syncer.sync(collection)
                if run.failure != nil || !run.itemErrors.isEmpty {
                    print("interleavings (\(driver)): settling: \(run.failure ?? "-"), \(run.itemErrors.prefix(3).map(\.message))")
                }
                if run.counts.downloaded + run.counts.uploaded + run.counts.deletedLocally + run.counts.deletedRemotely + run.counts.merged == 0 { break }
            }
            for client in clients { await client.shutdown() }

            let server = try await harness.serverObjects()
            let serverUIDs = server.values.compactMap(SyncHarness.uid)
            #expect(Set(serverUIDs).count == serverUIDs.count, "a UID twice on the server")
            let items = try await store.items(in: collection.id)
            let storeUIDs = items.compactMap(\.uid)
            #expect(Set(storeUIDs).count == storeUIDs.count, "a UID twice in the store")
            let byUID = Dictionary(server.values.map { (SyncHarness.uid($0) ?? "", $0) }, uniquingKeysWith: { first, _ in first })
            let conflicted = Set(items.filter { $0.conflictData != nil }.compactMap(\.uid))
            var broken: [String] = []
            for (id, promise) in promises.all where !conflicted.contains(id) && !deletedByPhone.contains(id) {
                switch promise {
                case .holds(let marker):
                    if byUID[id]?.contains(marker) != true {
                        let item = items.first { $0.uid == id }
                        let summaries = (byUID[id] ?? "gone").split(whereSeparator: \.isNewline).filter { $0.hasPrefix("SUMMARY") || $0.hasPrefix("RECURRENCE-ID") || $0.hasPrefix("RRULE") }
                        broken.append("\(id) lost \(marker): server \(summaries); store pending \(item?.pendingData?.contains(marker) == true), synced \(item?.syncedData?.contains(marker) == true), item \(item == nil ? "gone" : "kept")")
                    }
                case .deleted: if byUID[id] != nil { broken.append("\(id) was deleted here but is on the server") }
                }
            }
            #expect(broken.isEmpty, "\(broken.count) of \(promises.all.count) promises broken: \(broken.prefix(5))")
            print("interleavings (\(driver)): \(made.total) edits, \(promises.all.count) items promised, \(conflicted.count) conflicts listed, "
                  + "\(deletedByPhone.count) deleted by the phone, \(server.count) objects on the server")
        }
    }

    /// One random edit by `writer`; what it promises when answered.
    static func step(writer: Int, step: Int, service: EventService, collection: CollectionRecord, owned: inout [Owned],
                     random: inout SeededGenerator, promises: Promises) async throws {
        let marker = "w\(writer)-op\(step)"
        let draw = Double.random(in: 0..<1, using: &random)
        let start: Int64 = 1_772_442_000 + Int64.random(in: 0..<60, using: &random) * 86_400
        let daily = try RecurrenceRule(parsing: "FREQ=DAILY;COUNT=5")
        func draft(_ start: Int64, recurring: Bool) -> EventDraft {
            EventDraft(summary: marker, timing: .timed(start: start, end: start + 3600, timeZone: "Europe/Berlin"),
                       recurrence: recurring ? daily : nil)
        }
        func keep(_ id: String, _ promise: Promise) { promises.keep(id, promise) }
        var target: String?
        do throws(EventError) {
            if owned.isEmpty || draw < 0.25 {
                let recurring = Bool.random(using: &random)
                let made = try await service.create(in: collection, draft(start, recurring: recurring))
                owned.append(Owned(id: made.id, start: start, recurring: recurring, seriesMarker: marker))
                keep(made.id, .holds(marker))
                return
            }
            let index = Int.random(in: 0..<owned.count, using: &random)
            let item = owned[index]
            target = item.id
            if draw < 0.6 || !item.recurring {
                if draw > 0.9 {
                    owned[index].seriesMarker = nil
                    _ = try await service.delete(in: collection, id: item.id, ifMatch: nil)
                    owned.remove(at: index)
                    keep(item.id, .deleted)
                } else {
                    owned[index].seriesMarker = nil
                    _ = try await service.update(in: collection, id: item.id, with: draft(item.start, recurring: item.recurring), ifMatch: nil)
                    owned[index].seriesMarker = marker
                    keep(item.id, .holds(marker))
                }
            } else if draw < 0.8 {
                let occurrence = item.start + Int64.random(in: 1...4, using: &random) * 86_400
                _ = try await service.update(in: collection, id: item.id, scope: .occurrence(occurrence),
                                             with: draft(occurrence + 1800, recurring: false), ifMatch: nil)
                keep(item.id, .holds(marker))
            } else {
                let occurrence = item.start + Int64.random(in: 1...3, using: &random) * 86_400
                let (_, split) = try await service.update(in: collection, id: item.id, scope: .thisAndFuture(occurrence),
                                                          with: draft(occurrence, recurring: true), ifMatch: nil)
                // What is left of the series keeps its summary (its later overrides went).
                if let marker = item.seriesMarker { keep(item.id, .holds(marker)) } else { promises.forget(item.id) }
                if let split {
                    owned.append(Owned(id: split.id, start: occurrence, recurring: true, seriesMarker: marker))
                    keep(split.id, .holds(marker))
                }
            }
        } catch {
            // Not answered with a 2xx: no promise. A 409 says the server holds something else
            // now (merged with the phone's edit, or this edit and then another): what the item
            // holds is for the caller to read again, so no earlier promise stands either.
            if let target { promises.forget(target) }
        }
    }
}
