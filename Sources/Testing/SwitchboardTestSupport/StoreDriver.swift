import Foundation
import Logging
public import PostgresNIO
import PostgresStore
import SQLiteStore
public import SwitchboardStore

/// The two drivers every store test runs against: SQLite in a temporary file and
/// PostgreSQL started by `scripts/peers/postgres`.
public enum StoreDriver: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite
    case postgres

    public var description: String { rawValue }

    /// Runs `body` with a migrated store of this driver. Tests share one PostgreSQL
    /// database (each keeps to its own accounts) unless `isolated`, for a test that works on
    /// every collection of its store (the scheduler): then it gets a database of its own.
    public func withStore<Result: Sendable>(isolated: Bool = false, _ body: (SQLStore) async throws -> Result) async throws -> Result {
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
            var configuration = try await Self.postgresConfiguration()
            guard isolated else { return try await PostgresSQLDatabase.withStore(configuration: configuration, logger: logger, body) }
            let database = "isolated_" + UUID().uuidString.prefix(8).lowercased()
            try await Self.administer("CREATE DATABASE \(database)", logger: logger)
            configuration.database = database
            // The client's pooled connections may still be closing: drop with FORCE, and
            // let a failed drop be (the cluster is thrown away after the run).
            do {
                let result = try await PostgresSQLDatabase.withStore(configuration: configuration, logger: logger, body)
                try? await Self.administer("DROP DATABASE IF EXISTS \(database) WITH (FORCE)", logger: logger)
                return result
            } catch {
                try? await Self.administer("DROP DATABASE IF EXISTS \(database) WITH (FORCE)", logger: logger)
                throw error
            }
        }
    }

    /// Runs one statement outside a transaction on the shared test database.
    private static func administer(_ statement: String, logger: Logger) async throws {
        let shared = try await postgresConfiguration()
        let connection = try await PostgresConnection.connect(
            configuration: PostgresConnection.Configuration(
                host: shared.host ?? "127.0.0.1", port: shared.port ?? 5432, username: shared.username,
                password: shared.password, database: shared.database, tls: .disable),
            id: 1, logger: logger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw PeerError(message: "\(statement): \(String(reflecting: error))")
        }
    }

    /// The configuration of the test PostgreSQL server, read from its URL like any store's
    /// (the default `sslmode=prefer`: TLS, since the test server offers it).
    public static func postgresConfiguration() async throws -> PostgresClient.Configuration {
        try PostgresSQLDatabase.configuration(url: try await Peer.named("postgres").baseURL.absoluteString)
    }
}
