import Accounts
import Crypto
import DAVClient
import Foundation
import Synchronization
import SwitchboardCore
import SwitchboardStore
import SwitchboardTestSupport
import Testing

/// An account's files through the application layer, on the plain WebDAV peers: the account
/// is kept for its files alone, and every operation stays below its files root.
@Suite struct FileServiceTests {
    private func withFiles(_ peerName: String, _ body: (FileService, AccountRecord, any AppStore) async throws -> Void) async throws {
        let peer = try await Peer.named(peerName)
        try await StoreDriver.sqlite.withStore(isolated: true) { store in
            let clients = AccountClients(secrets: try SecretBox(key: SymmetricKey(size: .bits256)))
            do {
                let (account, collections) = try await clients.connect(
                    AccountConnection(name: "files", serverURL: peer.baseURL, username: "anna", password: "secret"), in: store)
                #expect(collections.isEmpty && account.filesURL == peer.baseURL.absoluteString)
                try await body(FileService(clients: clients), account, store)
            } catch {
                await clients.shutdown()
                throw error
            }
            await clients.shutdown()
        }
    }

    @Test(arguments: Peer.files)
    func aPlainWebDAVAccountIsKeptForItsFilesAndTheyRoundTrip(peer: String) async throws {
        try await withFiles(peer) { files, account, _ in
            let folder = Fixtures.unique("Praxis")
            _ = try await files.makeFolder(account, path: folder)
            _ = try await files.makeFolder(account, path: "\(folder)/Leitlinien 2026")
            let local = FileManager.default.temporaryDirectory.appendingPathComponent("up-\(UUID().uuidString).md")
            let back = FileManager.default.temporaryDirectory.appendingPathComponent("down-\(UUID().uuidString).md")
            defer {
                try? FileManager.default.removeItem(at: local)
                try? FileManager.default.removeItem(at: back)
            }
            try Data("# Hypertonie\nÜbersicht\n".utf8).write(to: local)
            let uploaded = try await files.upload(account, path: "\(folder)/Leitlinien 2026/Hypertonie.md", from: local.path, createOnly: true)
            #expect(uploaded.path == "\(folder)/Leitlinien 2026/Hypertonie.md" && uploaded.size == 24 && !uploaded.isFolder)
            await #expect(throws: FileServiceError.self) {
                _ = try await files.upload(account, path: "\(folder)/Leitlinien 2026/Hypertonie.md", from: local.path, createOnly: true)
            }

            let listed = try await files.list(account, path: folder)
            #expect(listed.map(\.name) == ["Leitlinien 2026"] && listed.first?.isFolder == true)
            let downloaded = Progress()
            _ = try await files.download(account, path: "\(folder)/Leitlinien 2026/Hypertonie.md", to: back.path, progress: downloaded.report)
            #expect(try Data(contentsOf: back) == Data(contentsOf: local))
            #expect(downloaded.last == 24)
            let sent = Progress()
            _ = try await files.upload(account, path: "\(folder)/Zweite.md", from: local.path, progress: sent.report)
            #expect(sent.last == 24)
            try await files.delete(account, path: "\(folder)/Zweite.md")

            _ = try await files.transfer(.copy, account, path: "\(folder)/Leitlinien 2026/Hypertonie.md", to: "\(folder)/Kopie.md", overwrite: false)
            let moved = try await files.transfer(.move, account, path: "\(folder)/Kopie.md", to: "\(folder)/Archiv.md", overwrite: false)
            #expect(moved.path == "\(folder)/Archiv.md")
            #expect(try await files.list(account, path: folder).map(\.name) == ["Leitlinien 2026", "Archiv.md"])

            let lock = try await files.lock(account, path: "\(folder)/Archiv.md", owner: "anna", seconds: 60)
            let locked = await #expect(throws: FileServiceError.self) { try await files.delete(account, path: "\(folder)/Archiv.md") }
            #expect(locked?.description.contains("locked") == true)
            try await files.delete(account, path: "\(folder)/Archiv.md", lock: lock.token)
            let gone = await #expect(throws: FileServiceError.self) { _ = try await files.item(account, path: "\(folder)/Archiv.md") }
            #expect(gone?.description.hasPrefix("no file or folder") == true)
            try await files.delete(account, path: folder)
        }
    }

    @Test func pathsCannotLeaveTheAccountsFiles() async throws {
        try await withFiles("wsgidav") { files, account, _ in
            for path in ["../etc/passwd", "a/../../b", "a\u{0}b", "a\\..\\b", String(repeating: "x", count: 300)] {
                let refused = await #expect(throws: FileServiceError.self) { _ = try await files.list(account, path: path) }
                #expect(refused?.description.hasPrefix("invalid path") == true, "\(path)")
            }
            await #expect(throws: FileServiceError.self) { try await files.delete(account, path: "/") }
            // A lock token that would end the If header's list or add a condition is refused.
            let forged = await #expect(throws: FileServiceError.self) {
                try await files.delete(account, path: "x.txt", lock: "opaquelocktoken:a>) (Not <urn:b")
            }
            #expect(forged?.description.hasPrefix("invalid lock token") == true)
            // A name with URL syntax in it is a name, not a query or another folder.
            let odd = Fixtures.unique("a?b=c#d %2F e")
            _ = try await files.makeFolder(account, path: odd)
            #expect(try await files.list(account, path: "").contains { $0.name == odd && $0.isFolder })
            try await files.delete(account, path: odd)
        }
    }

    @Test func aCalendarAccountHasNoFiles() async throws {
        let peer = try await Peer.named("radicale")
        try await StoreDriver.sqlite.withStore(isolated: true) { store in
            let clients = AccountClients(secrets: try SecretBox(key: SymmetricKey(size: .bits256)))
            let (account, collections) = try await clients.connect(
                AccountConnection(name: "calendars", serverURL: peer.baseURL, username: "anna", password: "secret"), in: store)
            #expect(!collections.isEmpty && account.filesURL == nil)
            let refused = await #expect(throws: FileServiceError.self) { _ = try await FileService(clients: clients).list(account, path: "") }
            #expect(refused?.description.contains("has no files") == true)
            await clients.shutdown()
        }
    }
}

/// The last byte count a transfer reported.
final class Progress: Sendable {
    private let value = Mutex<Int64?>(nil)
    var last: Int64? { value.withLock { $0 } }
    @Sendable func report(_ bytes: Int64) { value.withLock { $0 = bytes } }
}
