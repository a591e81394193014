import Foundation
import Logging
public import PostgresNIO
import PostgresStore
import SQLiteStore
public import SyncStore

/// The two drivers every store test runs against: SQLite in a temporary file and
/// PostgreSQL started by `scripts/peers/postgres`.
public enum StoreDriver: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite
    case postgres

    public var description: String { rawValue }

    /// Runs `body` with a migrated store of this driver.
    public func withStore<Result: Sendable>(_ body: (SQLSyncStore) async throws -> Result) async throws -> Result {
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-store-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            return try await body(try SQLiteDatabase.store(path: directory.appendingPathComponent("store.sqlite").path))
        case .postgres:
            // postgres-nio warns when a query waits for `run()` to begin, as the first may.
            var logger = Logger(label: "switchboard.store.tests")
            logger.logLevel = .error
            return try await PostgresSQLDatabase.withStore(configuration: try await Self.postgresConfiguration(), logger: logger, body)
        }
    }

    /// The configuration of the test PostgreSQL server.
    public static func postgresConfiguration() async throws -> PostgresClient.Configuration {
        let url = try await Peer.named("postgres").baseURL
        guard let host = url.host, let port = url.port else { throw PeerError(message: "bad PostgreSQL URL \(url)") }
        return PostgresClient.Configuration(
            host: host, port: port, username: url.user ?? "switchboard", password: url.password,
            database: String(url.path.dropFirst()), tls: .disable)
    }
}
