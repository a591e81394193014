import Foundation
import Logging
import PostgresNIO
import PostgresStore
import SQLiteStore
import SwitchboardTestSupport
import SwitchboardStore
import Testing

/// Security of the stores themselves (docs/security.md): files only the owner reads, and
/// PostgreSQL over TLS in the modes libpq knows.
@Suite struct StoreSecurityTests {
    @Test func theSQLiteStoresFilesAreTheOwnersOnly() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("store-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("switchboard.sqlite").path
        let store = try SQLiteDatabase.store(path: path)
        try await store.saveTenant(TenantRecord(name: "clinic"))
        _ = try await store.tenants()
        for file in [path, path + "-wal", path + "-shm"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
            #expect(mode & 0o077 == 0, "\(file) is \(String(mode, radix: 8))")
        }
    }

    /// The test server offers TLS with a certificate for 127.0.0.1 from a CA of its own.
    @Test func postgresConnectsInEveryTLSMode() async throws {
        let peer = try await Peer.named("postgres")
        let ca = try #require(peer.certificateFile)
        let base = peer.baseURL.absoluteString
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let quiet = logger
        let tenants: @Sendable (String) async throws -> Int = { url in
            try await PostgresSQLDatabase.withStore(configuration: try PostgresSQLDatabase.configuration(url: url), logger: quiet) { store in
                try await store.tenants().count
            }
        }
        for mode in ["sslmode=disable", "sslmode=prefer", "sslmode=require", "sslmode=verify-ca&sslrootcert=\(ca)",
                     "sslmode=verify-full&sslrootcert=\(ca)"] {
            #expect(try await tenants(base + "?" + mode) >= 0, "\(mode)")
        }
        // Verification against roots that did not sign the server's certificate fails (the
        // pool keeps trying to connect; ten seconds without a connection is the failure too).
        let verified = await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await tenants(base + "?sslmode=verify-full")) != nil }
            group.addTask {
                try? await Task.sleep(for: .seconds(10))
                return false
            }
            let first = await group.next() ?? true
            group.cancelAll()
            return first
        }
        #expect(!verified)
        let unknown = await thrownError(StoreError.self) { _ = try PostgresSQLDatabase.configuration(url: base + "?sslmode=sometimes") }
        #expect(unknown?.detail.contains("sslmode") == true)
    }

    @Test func theDatabaseURLIsRead() throws {
        let plain = try PostgresSQLDatabase.configuration(url: "postgres://u:secret@db.example.org:6543/switch%20board?sslmode=disable")
        #expect(plain.host == "db.example.org" && plain.port == 6543 && plain.username == "u" && plain.password == "secret")
        #expect(plain.database == "switch board")
        #expect(throws: StoreError.self) { _ = try PostgresSQLDatabase.configuration(url: "mysql://db.example.org/x") }
    }
}
