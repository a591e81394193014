import Accounts
import Crypto
import DAVClient
import HTTPTransport
import Foundation
import SwitchboardTestSupport
import SyncEngine
import SyncPlanning
import SwitchboardStore
import Testing

/// Data safety: a manual conflict can be seen and resolved by a person, on each server.
@Suite struct ManualConflictTests {
    enum Keep: String, CaseIterable, Sendable { case local, remote, merged }

    static let cases: [(String, Keep)] = Peer.all.flatMap { peer in Keep.allCases.map { (peer, $0) } }

    static func event(_ summary: String) -> String { Fixtures.event(uid: "shared", summary: summary) }

    /// Clients for the harness's account, its password sealed in the store as the server keeps it.
    static func clients(for harness: SyncHarness) async throws -> AccountClients {
        let secrets = try SecretBox(key: SymmetricKey(size: .bits256))
        var account = try #require(try await harness.store.accounts().first { $0.id == harness.collection.accountID })
        account.sealedPassword = try secrets.seal("secret")
        try await harness.store.saveAccount(account)
        var configuration = ClientConfiguration()
        configuration.additionalTrustRootsFile = harness.peer.certificateFile
        return AccountClients(secrets: secrets, configuration: configuration)
    }

    /// Both sides edit the summary; the conflict is listed with both versions; each of the
    /// three resolutions reaches the server.
    @Test(arguments: cases)
    func bothEditsAreListedAndTheChosenOneReachesTheServer(peer: String, keep: Keep) async throws {
        try await SyncHarness.with(peer, .sqlite, policy: .manual) { harness in
            let store = harness.store
            let collection = harness.collection
            let replica = StoreReplica(store: store, collectionID: collection.id)
            _ = try await harness.client.createObject(.calendar, in: collection.href, data: Self.event("Original"), uid: "shared")
            try await harness.sync(replica: replica)
            let localID = try #require(try await store.items(in: collection.id).first?.localID)
            try await store.updateItems(in: collection.id, localIDs: [localID]) { $0.pendingData = Self.event("Ours") }
            let current = try #require(try await harness.object(uid: "shared"))
            _ = try await harness.client.updateObject(.calendar, at: current.href, data: Self.event("Theirs"), etag: current.etag)
            let run = try await harness.sync(replica: replica)
            #expect(run.counts.conflicts == 1 && run.counts.errors == 0)
            // Kept, not noted again on the next run.
            let again = try await harness.sync(replica: replica)
            #expect(again.counts.conflicts == 0 && again.counts.errors == 0)

            let clients = try await Self.clients(for: harness)
            defer { Task { await clients.shutdown() } }
            let resolver = ConflictResolver(store: store, clients: clients)
            let listed = try await resolver.conflicts(in: [harness.collection])
            let conflict = try #require(listed.first)
            #expect(listed.count == 1)
            #expect(conflict.local?.contains("SUMMARY:Ours") == true && conflict.remote?.contains("SUMMARY:Theirs") == true)
            #expect(ConflictResolver.item(named: conflict.id)?.localID == localID)

            let choice: ConflictChoice = switch keep {
            case .local: .local
            case .remote: .remote
            case .merged: .merged(Self.event("Ours and theirs"))
            }
            let resolved = try #require(try await resolver.resolve(localID, in: harness.collection, keep: choice))
            #expect(ItemWriter.state(of: resolved) == .synced, "\(resolved)")
            let expected = switch keep {
            case .local: "SUMMARY:Ours"
            case .remote: "SUMMARY:Theirs"
            case .merged: "SUMMARY:Ours and theirs"
            }
            #expect(try await harness.object(uid: "shared")?.data?.contains(expected) == true)
            #expect(try await resolver.conflicts(in: [harness.collection]).isEmpty)
            let quiet = try await harness.sync(replica: replica)
            #expect(quiet.counts.conflicts == 0 && quiet.counts.uploaded == 0 && quiet.counts.downloaded == 0)
        }
    }

    /// The server deletes an item edited here: a conflict of the same kind, not an error
    /// repeated on every run. Keeping mine puts it back; accepting the deletion removes it.
    @Test(arguments: [true, false])
    func aServerDeletionOfAnEditedItemIsAConflict(keepMine: Bool) async throws {
        try await SyncHarness.with("radicale", .sqlite, policy: .manual) { harness in
            let store = harness.store
            let collection = harness.collection
            let replica = StoreReplica(store: store, collectionID: collection.id)
            _ = try await harness.client.createObject(.calendar, in: collection.href, data: Self.event("Original"), uid: "shared")
            try await harness.sync(replica: replica)
            let localID = try #require(try await store.items(in: collection.id).first?.localID)
            try await store.updateItems(in: collection.id, localIDs: [localID]) { $0.pendingData = Self.event("Edited here") }
            let current = try #require(try await harness.object(uid: "shared"))
            try await harness.client.delete(current.href, etag: current.etag)
            let run = try await harness.sync(replica: replica)
            #expect(run.counts.conflicts == 1 && run.counts.errors == 0, "\(run)")
            let again = try await harness.sync(replica: replica)
            #expect(again.counts.errors == 0 && again.counts.conflicts == 0)

            let clients = try await Self.clients(for: harness)
            defer { Task { await clients.shutdown() } }
            let resolver = ConflictResolver(store: store, clients: clients)
            let conflict = try #require(try await resolver.conflicts(in: [harness.collection]).first)
            #expect(conflict.remote == nil && conflict.local?.contains("Edited here") == true)
            let resolved = try await resolver.resolve(localID, in: harness.collection, keep: keepMine ? .local : .remote)
            if keepMine {
                #expect(resolved.map(ItemWriter.state(of:)) == .synced)
                #expect(try await harness.object(uid: "shared")?.data?.contains("Edited here") == true)
            } else {
                #expect(resolved == nil)
                #expect(try await store.items(in: collection.id).isEmpty)
                #expect(try await harness.object(uid: "shared") == nil)
            }
        }
    }
}
