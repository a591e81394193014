import Foundation
public import Logging
import NIOCore
import NIOSSL
public import PostgresNIO
public import SwitchboardStore

/// The shared store: PostgreSQL through postgres-nio, for several Switchboard processes on
/// one database. Run the client (``PostgresSQLDatabase/withStore(configuration:logger:_:)``
/// does) and migrate before use.
public struct PostgresSQLDatabase: SQLDatabase {
    private let client: PostgresClient
    private let logger: Logger

    public var dialect: StoreSchema.Dialect { .postgres }

    /// A driver over a running client.
    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Runs a client for `configuration`, migrates the schema and hands `body` the store;
    /// the client stops when `body` returns.
    public static func withStore<Result: Sendable>(
        configuration: PostgresClient.Configuration, logger: Logger = Logger(label: "switchboard.store"),
        _ body: (SQLStore) async throws -> Result
    ) async throws -> Result {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let database = PostgresSQLDatabase(client: client, logger: logger)
            try await database.migrate()
            return try await body(SQLStore(database: database))
        }
    }

    /// The client configuration a database URL names:
    /// `postgres://user:password@host:port/database?sslmode=MODE&sslrootcert=FILE`, with
    /// libpq's TLS modes: `disable` (plain), `prefer` (the default: TLS when the server
    /// offers it, unverified), `require` (TLS or nothing, unverified), `verify-ca` (TLS with
    /// a certificate chaining to `sslrootcert`, or the system's roots) and `verify-full`
    /// (that, and the certificate names the host).
    public static func configuration(url text: String) throws(StoreError) -> PostgresClient.Configuration {
        guard let components = URLComponents(string: text), ["postgres", "postgresql"].contains(components.scheme),
              let host = components.host, !host.isEmpty
        else {
            throw StoreError(.unavailable, operation: "open", detail: "the database URL must look like postgres://user:password@host:port/database")
        }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        var tls = TLSConfiguration.makeClientConfiguration()
        if let file = query["sslrootcert"] { tls.trustRoots = .file(file) }
        let mode: PostgresClient.Configuration.TLS
        switch query["sslmode"] ?? "prefer" {
        case "disable":
            mode = .disable
        case "allow", "prefer":
            tls.certificateVerification = .none
            mode = .prefer(tls)
        case "require":
            tls.certificateVerification = .none
            mode = .require(tls)
        case "verify-ca":
            tls.certificateVerification = .noHostnameVerification
            mode = .require(tls)
        case "verify-full":
            tls.certificateVerification = .fullVerification
            mode = .require(tls)
        case let other:
            throw StoreError(.unavailable, operation: "open",
                             detail: "sslmode \(other) is not one of disable, prefer, require, verify-ca, verify-full")
        }
        let path = components.percentEncodedPath
        return PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: components.user ?? "switchboard", password: components.password,
            database: path.count > 1 ? String(path.dropFirst()).removingPercentEncoding : nil, tls: mode)
    }

    /// Applies the migrations this database lacks, one process at a time (an advisory lock);
    /// refuses a schema newer than this program.
    public func migrate() async throws(StoreError) {
        let migrations = StoreSchema.migrations(for: .postgres)
        do {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(7061626)", logger: logger)
                try await connection.query(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (identifier TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                    logger: logger)
                var applied: Set<String> = []
                for try await identifier in try await connection.query("SELECT identifier FROM schema_migrations", logger: logger)
                    .decode(String.self)
                {
                    applied.insert(identifier)
                }
                let known = Set(migrations.map(\.identifier))
                if let unknown = applied.subtracting(known).first {
                    throw StoreError(.migration, operation: "migrate", detail: "the database has migration \(unknown), newer than this program")
                }
                for migration in migrations where !applied.contains(migration.identifier) {
                    for statement in migration.statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    var binds = PostgresBindings()
                    binds.append(migration.identifier)
                    try await connection.query(
                        PostgresQuery(unsafeSQL: "INSERT INTO schema_migrations (identifier) VALUES ($1)", binds: binds), logger: logger)
                }
            }
        } catch {
            throw Self.storeError(error, operation: "migrate")
        }
    }

    public func run(_ statements: [SQLStatement], operation: String) async throws(StoreError) -> [[SQLRow]] {
        let queries = statements.map(Self.query)
        do {
            return try await client.withTransaction(logger: logger) { connection in
                var results: [[SQLRow]] = []
                for query in queries {
                    var rows: [SQLRow] = []
                    for try await row in try await connection.query(query, logger: logger) {
                        rows.append(try Self.sqlRow(row))
                    }
                    results.append(rows)
                }
                return results
            }
        } catch {
            throw Self.storeError(error, operation: operation)
        }
    }

    /// `?` placeholders become `$1…$n` (the store's SQL has no `?` in literals).
    private static func query(_ statement: SQLStatement) -> PostgresQuery {
        var sql = ""
        var index = 0
        for character in statement.sql {
            if character == "?" {
                index += 1
                sql += "$\(index)"
            } else {
                sql.append(character)
            }
        }
        var binds = PostgresBindings()
        for value in statement.binds {
            switch value {
            case .null: binds.appendNull()
            case .text(let text): binds.append(text)
            case .integer(let integer): binds.append(integer)
            case .real(let real): binds.append(real)
            case .bool(let bool): binds.append(bool)
            case .bytes(let bytes): binds.append(ByteBuffer(bytes: bytes))
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    private static func sqlRow(_ row: PostgresRow) throws -> SQLRow {
        var values: [String: SQLValue] = [:]
        for cell in row {
            guard cell.bytes != nil else {
                values[cell.columnName] = .null
                continue
            }
            values[cell.columnName] = switch cell.dataType {
            case .int8, .int4, .int2: .integer(try cell.decode(Int64.self))
            case .float8, .float4, .numeric: .real(try cell.decode(Double.self))
            case .bool: .bool(try cell.decode(Bool.self))
            case .bytea: .bytes(Array(buffer: try cell.decode(ByteBuffer.self)))
            default: .text(try cell.decode(String.self))
            }
        }
        return SQLRow(values: values)
    }

    private static func storeError(_ error: any Error, operation: String) -> StoreError {
        if let error = error as? StoreError { return error }
        let underlying = (error as? PostgresTransactionError).flatMap { $0.closureError ?? $0.beginError ?? $0.commitError } ?? error
        if let error = underlying as? StoreError { return error }
        if let error = underlying as? PSQLError {
            if let state = error.serverInfo?[.sqlState] {
                let message = error.serverInfo?[.message] ?? ""
                return StoreError(state.hasPrefix("23") ? .constraint : .database, operation: operation, detail: "\(state): \(message)")
            }
            return StoreError(.unavailable, operation: operation, detail: "\(error.code)")
        }
        return StoreError(.database, operation: operation, detail: "\(underlying)")
    }
}
