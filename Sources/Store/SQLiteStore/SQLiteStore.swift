import Foundation
import GRDB
public import SwitchboardStore

/// The embedded store: one SQLite file in WAL mode, through GRDB.
public struct SQLiteDatabase: SQLDatabase {
    private let pool: DatabasePool

    public var dialect: StoreSchema.Dialect { .sqlite }

    /// Opens (creating if needed) the database at `path` and migrates it to the current schema.
    /// The store holds personal data and sealed secrets: its files are the owner's only
    /// (mode 0600, the WAL and shared-memory files too).
    public init(path: String) throws(StoreError) {
        Self.restrictFiles(at: path)
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            // WAL with synchronous NORMAL: a commit survives the process being killed (the
            // sync engine commits per item); only a power cut may undo the last few, which
            // the next run then redoes. FULL would fsync every item.
            // Reads through a memory map (up to 1 GiB of the file; address space, not memory):
            // a full-text search walks thousands of index pages, which pread would copy one
            // system call at a time (15 % of a search's time at 100,000 passages).
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                try db.execute(sql: "PRAGMA mmap_size = 1073741824")
            }
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw StoreError(.unavailable, operation: "open", detail: "\(path): \(error)")
        }
        var migrator = DatabaseMigrator()
        for migration in StoreSchema.migrations(for: .sqlite) {
            migrator.registerMigration(migration.identifier) { db in
                for statement in migration.statements { try db.execute(sql: statement) }
            }
        }
        do {
            if try pool.read(migrator.hasBeenSuperseded) {
                throw StoreError(.migration, operation: "open", detail: "\(path) has a schema newer than this program")
            }
            try migrator.migrate(pool)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.migration, operation: "migrate", detail: "\(error)")
        }
    }

    /// Creates the database file with mode 0600 before SQLite opens it (SQLite gives its
    /// `-wal` and `-shm` files the database file's mode), and takes read and write from
    /// others on files an earlier version made.
    private static func restrictFiles(at path: String) {
        guard path != ":memory:", !path.isEmpty else { return }
        let files = FileManager.default
        if !files.fileExists(atPath: path) {
            _ = files.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        for file in [path, path + "-wal", path + "-shm"] where files.fileExists(atPath: file) {
            try? files.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        }
    }

    /// A ``SyncStore`` over the file at `path`.
    public static func store(path: String) throws(StoreError) -> SQLStore {
        SQLStore(database: try SQLiteDatabase(path: path))
    }

    public func run(_ statements: [SQLStatement], operation: String) async throws(StoreError) -> [[SQLRow]] {
        try await mappingErrors(operation) { try await pool.write { db in try Self.execute(statements, in: db) } }
    }

    /// Reads run on the pool's readers, side by side and beside the one writer (WAL).
    public func read(_ statements: [SQLStatement], operation: String) async throws(StoreError) -> [[SQLRow]] {
        try await mappingErrors(operation) { try await pool.read { db in try Self.execute(statements, in: db) } }
    }

    private static func execute(_ statements: [SQLStatement], in db: Database) throws -> [[SQLRow]] {
        try statements.map { statement in
            let arguments = StatementArguments(statement.binds.map(Self.databaseValue))
            return try Row.fetchAll(try db.cachedStatement(sql: statement.sql), arguments: arguments).map(Self.sqlRow)
        }
    }

    private func mappingErrors(_ operation: String, _ body: () async throws -> [[SQLRow]]) async throws(StoreError) -> [[SQLRow]] {
        do {
            return try await body()
        } catch let error as DatabaseError {
            let code: StoreError.Code = error.resultCode == .SQLITE_CONSTRAINT ? .constraint : .database
            throw StoreError(code, operation: operation, detail: error.message ?? "\(error)")
        } catch {
            throw StoreError(.database, operation: operation, detail: "\(error)")
        }
    }

    private static func databaseValue(_ value: SQLValue) -> DatabaseValue {
        switch value {
        case .null: .null
        case .text(let text): text.databaseValue
        case .integer(let integer): integer.databaseValue
        case .real(let real): real.databaseValue
        case .bool(let bool): (bool ? 1 : 0 as Int64).databaseValue
        case .bytes(let bytes): Data(bytes).databaseValue
        }
    }

    private static func sqlRow(_ row: Row) -> SQLRow {
        var values: [String: SQLValue] = [:]
        for (column, value) in row {
            values[column] = switch value.storage {
            case .null: .null
            case .int64(let integer): .integer(integer)
            case .double(let real): .real(real)
            case .string(let text): .text(text)
            case .blob(let data): .bytes(Array(data))
            }
        }
        return SQLRow(values: values)
    }
}
