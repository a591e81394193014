import Synchronization

/// Counts committed writes (see ``SyncStore/writeGeneration``).
final class WriteCounter: Sendable {
    private let count = Atomic<UInt64>(0)

    var value: UInt64 { count.load(ordering: .acquiring) }

    func bump() { count.add(1, ordering: .releasing) }
}

/// A database that counts the writes made through it, after they commit: an answer
/// computed from data read before a write is then never kept under the new count.
struct CountingDatabase: SQLDatabase {
    let base: any SQLDatabase
    let writes: WriteCounter

    var dialect: StoreSchema.Dialect { base.dialect }

    func run(_ statements: [SQLStatement], operation: String) async throws(StoreError) -> [[SQLRow]] {
        let rows = try await base.run(statements, operation: operation)
        writes.bump()
        return rows
    }

    func read(_ statements: [SQLStatement], operation: String) async throws(StoreError) -> [[SQLRow]] {
        try await base.read(statements, operation: operation)
    }
}
