/// A value bound to or read from an SQL statement.
public enum SQLValue: Sendable, Hashable {
    case null
    case text(String)
    case integer(Int64)
    case real(Double)
    case bool(Bool)
    case bytes([UInt8])
}

/// One statement with `?` placeholders and their values, in order.
public struct SQLStatement: Sendable {
    public var sql: String
    public var binds: [SQLValue]

    public init(_ sql: String, _ binds: [SQLValue] = []) {
        self.sql = sql
        self.binds = binds
    }
}

/// A result row: column name → value.
public struct SQLRow: Sendable {
    public var values: [String: SQLValue]

    public init(values: [String: SQLValue]) { self.values = values }
}

/// What a database driver gives ``SQLStore``: statements run in one transaction.
///
/// The store's statements are written once in the SQL that SQLite 3.35+ and PostgreSQL 15
/// share (`ON CONFLICT … DO UPDATE … WHERE`, `RETURNING`); a driver binds the values and
/// maps its errors. Drivers own their schema migrations.
public protocol SQLDatabase: Sendable {
    /// The dialect its statements are in: the store writes the few statements the two do not
    /// share (full-text search) for it.
    var dialect: StoreSchema.Dialect { get }

    /// Runs `statements` in order in one transaction and returns each one's rows; any
    /// failure rolls all of them back.
    func run(_ statements: [SQLStatement], operation: String) async throws(StoreError) -> [[SQLRow]]

    /// Runs read-only `statements` against one consistent state of the data. A driver may
    /// run reads side by side, and beside a write; by default they run as ``run(_:operation:)``.
    func read(_ statements: [SQLStatement], operation: String) async throws(StoreError) -> [[SQLRow]]
}

extension SQLDatabase {
    public func read(_ statements: [SQLStatement], operation: String) async throws(StoreError) -> [[SQLRow]] {
        try await run(statements, operation: operation)
    }
}

extension SQLRow {
    func text(_ column: String) throws(StoreError) -> String {
        guard let value = try optionalText(column) else { throw missing(column) }
        return value
    }

    func optionalText(_ column: String) throws(StoreError) -> String? {
        switch values[column] {
        case .text(let value)?: value
        case .null?, nil: nil
        case .bytes(let bytes)?: String(decoding: bytes, as: UTF8.self)
        default: throw mistyped(column)
        }
    }

    func integer(_ column: String) throws(StoreError) -> Int64 {
        guard let value = try optionalInteger(column) else { throw missing(column) }
        return value
    }

    func optionalInteger(_ column: String) throws(StoreError) -> Int64? {
        switch values[column] {
        case .integer(let value)?: value
        case .real(let value)?: Int64(exactly: value.rounded())
        case .bool(let value)?: value ? 1 : 0
        case .null?, nil: nil
        default: throw mistyped(column)
        }
    }

    func real(_ column: String) throws(StoreError) -> Double {
        switch values[column] {
        case .real(let value)?: value
        case .integer(let value)?: Double(value)
        default: throw mistyped(column)
        }
    }

    func bool(_ column: String) throws(StoreError) -> Bool {
        switch values[column] {
        case .bool(let value)?: value
        case .integer(let value)?: value != 0
        default: throw mistyped(column)
        }
    }

    func optionalBytes(_ column: String) throws(StoreError) -> [UInt8]? {
        switch values[column] {
        case .bytes(let value)?: value
        case .null?, nil: nil
        default: throw mistyped(column)
        }
    }

    private func missing(_ column: String) -> StoreError {
        StoreError(.corrupt, operation: "read", detail: "column \(column) is null or missing")
    }

    private func mistyped(_ column: String) -> StoreError {
        StoreError(.corrupt, operation: "read", detail: "column \(column) holds \(String(describing: values[column]))")
    }
}
