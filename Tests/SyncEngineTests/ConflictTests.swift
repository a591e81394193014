import DAVClient
import Foundation
import SwitchboardTestSupport
import SyncEngine
import SyncPlanning
import SwitchboardStore
import Synchronization
import Testing

/// Both sides changed one event between two syncs.
@Suite struct ConflictTests {
    static let combinations: [(String, StoreDriver)] = Peer.all.map { ($0, .sqlite) } + [("radicale", .postgres)]

    /// Syncs one event, then edits it in the folder with `local` and on the server with
    /// `remote`, and syncs again.
    private func conflict(
        _ harness: inout SyncHarness, local: String, remote: String
    ) async throws -> SyncRunRecord {
        _ = try await harness.client.createObject(.calendar, in: harness.collection.href, data: Fixtures.event(uid: "shared"), uid: "shared")
        try await harness.sync()
        let file = try #require(try harness.files().keys.first)
        try harness.writeFile(file, local)
        let current = try #require(try await harness.object(uid: "shared"))
        _ = try await harness.client.updateObject(.calendar, at: current.href, data: remote, etag: current.etag)
        return try await harness.sync()
    }

    private static func event(summary: String = "Consultation", location: String? = nil, sequence: Int = 0) -> String {
        var text = Fixtures.event(uid: "shared", summary: summary)
        var extra = "SEQUENCE:\(sequence)\r\n"
        if let location { extra += "LOCATION:\(location)\r\n" }
        text = text.replacingOccurrences(of: "END:VEVENT", with: extra + "END:VEVENT")
        return text
    }

    @Test(arguments: combinations)
    func editsOfDifferentPropertiesAreMerged(peer: String, driver: StoreDriver) async throws {
        try await SyncHarness.with(peer, driver) { harness in
            let run = try await conflict(&harness, local: Self.event(summary: "Renamed here"), remote: Self.event(location: "Room 4"))
            #expect(run.counts.merged == 1)
            #expect(run.counts.conflicts == 0)
            let server = try #require(try await harness.object(uid: "shared")?.data)
            #expect(server.contains("SUMMARY:Renamed here") && server.contains("LOCATION:Room 4"))
            let local = try #require(try harness.files().values.first)
            #expect(local.contains("SUMMARY:Renamed here") && local.contains("LOCATION:Room 4"))
            let quiet = try await harness.sync()
            #expect(quiet.counts.requests == 1)
        }
    }

    @Test(arguments: combinations)
    func remoteWinsByDefaultWhenOnePropertyCollides(peer: String, driver: StoreDriver) async throws {
        try await SyncHarness.with(peer, driver) { harness in
            let run = try await conflict(&harness, local: Self.event(summary: "Ours"), remote: Self.event(summary: "Theirs"))
            let files = try harness.files()
            let all = try FileManager.default.contentsOfDirectory(atPath: harness.directory.path)
            #expect(run.counts.downloaded == 1, "\(run)")
            #expect(files.count == 1 && files.values.first?.contains("SUMMARY:Theirs") == true, "\(run) \(files) \(all)")
            #expect(try await harness.object(uid: "shared")?.data?.contains("SUMMARY:Theirs") == true)
        }
    }

    @Test(arguments: combinations)
    func localWinsUploadsOverTheServersEdit(peer: String, driver: StoreDriver) async throws {
        try await SyncHarness.with(peer, driver, policy: .localWins) { harness in
            let run = try await conflict(&harness, local: Self.event(summary: "Ours"), remote: Self.event(summary: "Theirs"))
            #expect(run.counts.uploaded == 1)
            #expect(try await harness.object(uid: "shared")?.data?.contains("SUMMARY:Ours") == true)
        }
    }

    @Test(arguments: combinations)
    func newestWinsComparesSequence(peer: String, driver: StoreDriver) async throws {
        try await SyncHarness.with(peer, driver, policy: .newestWins) { harness in
            let run = try await conflict(&harness, local: Self.event(summary: "Ours", sequence: 3),
                                         remote: Self.event(summary: "Theirs", sequence: 1))
            #expect(run.counts.uploaded == 1)
            #expect(try await harness.object(uid: "shared")?.data?.contains("SUMMARY:Ours") == true)
        }
    }

    @Test(arguments: combinations)
    func manualKeepsBothVersionsAndListsTheConflict(peer: String, driver: StoreDriver) async throws {
        try await SyncHarness.with(peer, driver, policy: .manual) { harness in
            let run = try await conflict(&harness, local: Self.event(summary: "Ours"), remote: Self.event(summary: "Theirs"))
            #expect(run.counts.conflicts == 1)
            #expect(run.itemErrors.contains { $0.message.hasPrefix("conflict") })
            #expect(try harness.files().values.first?.contains("SUMMARY:Ours") == true)
            #expect(try await harness.object(uid: "shared")?.data?.contains("SUMMARY:Theirs") == true)
            let item = try #require(try await harness.store.items(in: harness.collection.id).first)
            #expect(item.conflictData?.contains("SUMMARY:Theirs") == true)
        }
    }

    @Test(arguments: [ConflictPolicy.localWins, .remoteWins])
    func aStaleWriteIsAConflictNotASilentDropOrOverwrite(policy: ConflictPolicy) async throws {
        // The server changes the event after the run has listed it: the upload's If-Match
        // fails (412), the engine fetches the server's version and applies the policy.
        try await SyncHarness.with("radicale", .sqlite, policy: policy) { harness in
            _ = try await harness.client.createObject(.calendar, in: harness.collection.href, data: Fixtures.event(uid: "shared"), uid: "shared")
            try await harness.sync()
            let file = try #require(try harness.files().keys.first)
            try harness.writeFile(file, Self.event(summary: "Ours"))
            let server = harness
            let racer = RacingReplica(inner: try harness.folder) {
                let current = try await server.object(uid: "shared")!
                _ = try await server.client.updateObject(.calendar, at: current.href, data: Self.event(summary: "Phone"), etag: current.etag)
            }
            let run = try await harness.sync(replica: racer)
            #expect(run.failure == nil)
            let winner = policy == .localWins ? "SUMMARY:Ours" : "SUMMARY:Phone"
            #expect(try await harness.object(uid: "shared")?.data?.contains(winner) == true)
            #expect(try harness.files().values.first?.contains(winner) == true)
            #expect(run.counts.uploaded + run.counts.downloaded == 1)
        }
    }
}

/// A folder replica that runs `race` once, just after the run has read the local side: a
/// server-side edit that lands between the listing and the upload.
struct RacingReplica: LocalReplica {
    let inner: DirectoryReplica
    let race: @Sendable () async throws -> Void
    private let raced = RaceFlag()

    init(inner: DirectoryReplica, race: @escaping @Sendable () async throws -> Void) {
        self.inner = inner
        self.race = race
    }

    var identity: String { inner.identity }
    var statesDeletions: Bool { inner.statesDeletions }
    func versions() async throws(SyncError) -> [String: String] { try await inner.versions() }

    func read(_ localID: String) async throws(SyncError) -> (data: String, version: String) {
        let result = try await inner.read(localID)
        if raced.take() { try? await race() }
        return result
    }

    func write(_ localID: String, data: String) async throws(SyncError) -> String { try await inner.write(localID, data: data) }
    func remove(_ localID: String) async throws(SyncError) { try await inner.remove(localID) }
    func uploaded(_ localID: String, version: String) -> String { inner.uploaded(localID, version: version) }
}

/// True the first time only.
final class RaceFlag: Sendable {
    private let flag = Mutex(true)
    func take() -> Bool { flag.withLock { value in defer { value = false }; return value } }
}
