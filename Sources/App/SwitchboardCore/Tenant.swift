public import SwitchboardStore

/// One tenant's view of the application: the accounts, collections, resources, bookings and
/// feeds it may reach. Another tenant's records look exactly like ones that do not exist.
/// Records are looked up here once per request; the services then work on them.
public struct Tenant: Sendable {
    /// The tenant's id.
    public let id: String
    let hub: Hub

    /// The tenant's accounts.
    public func accounts() async throws(LookupError) -> [AccountRecord] {
        try await hub.currentDirectory().accounts.filter { $0.tenantID == id }
    }

    /// One of the tenant's accounts.
    public func account(_ accountID: String) async throws(LookupError) -> AccountRecord {
        guard let account = try await accounts().first(where: { $0.id == accountID }) else { throw .unknownAccount(accountID) }
        return account
    }

    /// The collections of the tenant's accounts.
    public func collections() async throws(LookupError) -> [CollectionRecord] {
        let directory = try await hub.currentDirectory()
        let owned = Set(directory.accounts.filter { $0.tenantID == id }.map(\.id))
        return directory.collections.filter { owned.contains($0.accountID) }
    }

    /// One of the tenant's collections, of `kind` when given.
    public func collection(_ collectionID: String, kind: CollectionKind? = nil) async throws(LookupError) -> CollectionRecord {
        guard let found = try await collections().first(where: { $0.id == collectionID && (kind == nil || $0.kind == kind) }) else {
            switch kind {
            case .calendar?: throw .unknownCalendar(collectionID)
            case .addressBook?: throw .unknownAddressBook(collectionID)
            case nil: throw .unknownCollection(collectionID)
            }
        }
        return found
    }

    /// The tenant's resources.
    public func resources() async throws(LookupError) -> [ResourceRecord] {
        try await hub.currentDirectory().resources.filter { $0.tenantID == id }
    }

    /// The tenant's resource of that name (as the tenant names it, without the tenant prefix).
    public func resource(named name: String) async throws(LookupError) -> ResourceRecord {
        guard let resource = try await resources().first(where: { $0.localName == name }) else { throw .unknownResource(name) }
        return resource
    }

    /// A booking of one of the tenant's resources, with the resource.
    public func booking(_ bookingID: String) async throws(LookupError) -> (BookingRecord, ResourceRecord) {
        let found = try await stored { () throws(StoreError) in try await hub.store.booking(id: bookingID) }
        guard let found, let resource = try await resources().first(where: { $0.id == found.resourceID }) else {
            throw .unknownBooking(bookingID)
        }
        return (found, resource)
    }
}

/// The store's answer, its failure as a ``LookupError``.
func stored<Value>(_ body: () async throws(StoreError) -> Value) async throws(LookupError) -> Value {
    do {
        return try await body()
    } catch {
        throw .store(error)
    }
}
