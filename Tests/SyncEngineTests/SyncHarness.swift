import DAVClient
import HTTPTransport
import Foundation
import SwitchboardTestSupport
import SyncEngine
import SyncPlanning
import SwitchboardStore

/// One collection on a real peer, synced to a folder (or to the store itself) with a real
/// store: what each engine test drives.
struct SyncHarness {
    let peer: Peer
    let client: DAVClient
    let store: SQLStore
    var collection: CollectionRecord
    let directory: URL
    let flavor: ObjectFlavor

    /// Runs `body` with a fresh collection of `kind` on `peer`, tracked in a store of `driver`.
    static func with(
        _ peerName: String, _ driver: StoreDriver, kind: CollectionKind = .calendar, policy: ConflictPolicy = .remoteWins,
        _ body: (inout SyncHarness) async throws -> Void
    ) async throws {
        let peer = try await Peer.named(peerName)
        try await with(peer, driver, kind: kind, policy: policy, body)
    }

    static func with(
        _ peer: Peer, _ driver: StoreDriver, kind: CollectionKind = .calendar, policy: ConflictPolicy = .remoteWins,
        configure: (inout ClientConfiguration) -> Void = { _ in }, _ body: (inout SyncHarness) async throws -> Void
    ) async throws {
        try await peer.withClient(configure: configure) { client in
            try await driver.withStore { store in
                let home = kind == .calendar || peer.name != "xandikos" ? peer.annaCalendarHome : "/anna/contacts/"
                let collectionHref = home + Fixtures.unique(kind == .calendar ? "sync" : "book") + "/"
                if kind == .calendar {
                    try await client.makeCalendar(collectionHref, displayName: "Sync test")
                } else {
                    try await client.makeAddressBook(collectionHref, displayName: "Sync test")
                }
                let account = AccountRecord(name: Fixtures.unique("anna"), serverURL: peer.baseURL.absoluteString, username: "anna",
                                            sealedPassword: nil)
                try await store.saveAccount(account)
                let collection = CollectionRecord(accountID: account.id, href: collectionHref, kind: kind, conflictPolicy: policy)
                try await store.saveCollection(collection)
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-vdir-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: directory) }
                var harness = SyncHarness(peer: peer, client: client, store: store, collection: collection, directory: directory,
                                          flavor: kind == .calendar ? .calendar : .addressBook)
                try await body(&harness)
                try? await client.delete(collectionHref)
            }
        }
    }

    /// The folder replica.
    var folder: DirectoryReplica {
        get throws { try DirectoryReplica(directory: directory, fileExtension: flavor.fileExtension) }
    }

    /// One run to the folder (or `replica`), with the collection reloaded afterwards.
    @discardableResult
    mutating func sync(force: Bool = false, replica: (any LocalReplica)? = nil) async throws -> SyncRunRecord {
        let synchronizer = CollectionSynchronizer(client: client, store: store, replica: try replica ?? folder,
                                                  options: SyncOptions(force: force))
        let run = await synchronizer.sync(collection)
        if run.failure != nil || !run.itemErrors.isEmpty {
            print("sync of \(collection.href) on \(peer.name): \(run.failure ?? "ok"); \(run.itemErrors.count) item errors, first: \(run.itemErrors.first?.message ?? "-")")
        }
        let id = collection.id
        guard let reloaded = try await store.collections(accountID: collection.accountID).first(where: { $0.id == id }) else {
            throw PeerError(message: "collection \(id) vanished")
        }
        collection = reloaded
        return run
    }

    // MARK: The folder side

    func files() throws -> [String: String] {
        var files: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path)
        where !name.hasPrefix(".") && (name.hasSuffix(".ics") || name.hasSuffix(".vcf")) {
            files[name] = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        }
        return files
    }

    func writeFile(_ name: String, _ text: String) throws {
        try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func removeFile(_ name: String) throws {
        try FileManager.default.removeItem(at: directory.appendingPathComponent(name))
    }

    // MARK: The server side

    /// href → data of everything on the server now.
    func serverObjects() async throws -> [String: String] {
        let etags = try await client.etags(in: collection.href)
        let fetched = try await client.multiget(flavor, in: collection.href, hrefs: Array(etags.keys))
        return Dictionary(uniqueKeysWithValues: fetched.objects.map { ($0.href, $0.data ?? "") })
    }

    /// The UIDs on the server, sorted.
    func serverUIDs() async throws -> [String] {
        try await serverObjects().values.compactMap(Self.uid).sorted()
    }

    /// The UIDs in the folder, sorted.
    func folderUIDs() throws -> [String] {
        try files().values.compactMap(Self.uid).sorted()
    }

    static func uid(_ text: String) -> String? {
        text.split(whereSeparator: \.isNewline).first { $0.hasPrefix("UID:") }.map { String($0.dropFirst(4)) }
    }

    func object(uid: String) async throws -> DAVObject? {
        let objects = try await serverObjects()
        guard let (href, data) = objects.first(where: { Self.uid($0.value) == uid }) else { return nil }
        return DAVObject(href: href, etag: try await client.currentETag(href), data: data)
    }
}

