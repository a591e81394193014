import Caching
public import SwitchboardStore

/// What tenancy checks read on every request — the store's accounts, collections and
/// resources — read together and kept while the store is unchanged: under its write
/// generation (any write through this process reads them again) and for a second at most
/// (another process's writes).
public struct Directory: Sendable {
    public var accounts: [AccountRecord]
    public var collections: [CollectionRecord]
    public var resources: [ResourceRecord]

    /// The directory as last read, or read now.
    final class Cache: Sendable {
        private let kept = Memo<Int, Directory>(capacity: 1, lifetime: .seconds(1))

        func current(_ store: any BookingStore) async throws(StoreError) -> Directory {
            try await kept.value(for: 0, version: Int64(truncatingIfNeeded: store.writeGeneration)) { () async throws(StoreError) in
                Directory(accounts: try await store.accounts(), collections: try await store.collections(accountID: nil),
                          resources: try await store.resources())
            }
        }
    }
}
