public import Accounts
public import ContactEditing
import DAVClient
public import Foundation
public import SyncEngine
public import SwitchboardStore
import VCard

/// A contact as the store holds it.
public struct StoredContact: Sendable {
    /// The item's id in the store (the API's contact id).
    public var id: String
    public var addressBookID: String
    /// The entity tag of the current content.
    public var etag: String
    public var state: ItemSyncState
    public var snapshot: ContactSnapshot
}

/// Why a contact operation failed.
public enum ContactError: Error, Sendable, CustomStringConvertible {
    case unknownAddressBook(String)
    case unknownContact(String)
    case edit(ContactEditError)
    /// `If-Match` named another version than the current one.
    case preconditionFailed(current: StoredContact)
    /// The server holds something else after the upload.
    case conflict(current: StoredContact?)
    case unreadable(String)
    case store(StoreError)

    public var description: String {
        switch self {
        case .unknownAddressBook(let id): "no address book \(id)"
        case .unknownContact(let id): "no contact \(id)"
        case .edit(let error): error.description
        case .preconditionFailed: "the contact has changed since the version named in If-Match"
        case .conflict: "the contact changed on the server at the same time; this is what it holds now"
        case .unreadable(let why): why
        case .store(let error): error.description
        }
    }
}

/// Contacts of synced address books, read from the store and written through the sync
/// engine (``ItemWriter``) like events; callers pass the address book they resolved.
public struct ContactService: Sendable {
    public let store: any SyncStore
    let writer: ItemWriter

    public init(store: any SyncStore, clients: AccountClients) {
        self.store = store
        writer = ItemWriter(store: store, clients: clients)
    }

    /// The address book's contacts, by name; only those matching `query` (name,
    /// organization, e-mail, telephone) when given; at most `limit`.
    public func contacts(in book: CollectionRecord, matching query: String?, limit: Int) async throws(ContactError) -> [StoredContact] {
        let items = try await storeCall { store throws(StoreError) in try await store.items(in: book.id) }
        let contacts = items.compactMap(Self.stored).filter { query.map($0.snapshot.matches) ?? true }
        return Array(contacts.sorted { ($0.snapshot.fullName.lowercased(), $0.id) < ($1.snapshot.fullName.lowercased(), $1.id) }.prefix(limit))
    }

    public func contact(in book: CollectionRecord, id: String) async throws(ContactError) -> StoredContact {
        guard let item = try await storeCall({ store throws(StoreError) in try await store.item(in: book.id, localID: id) }),
            let stored = Self.stored(item)
        else { throw .unknownContact(id) }
        return stored
    }

    public func create(in book: CollectionRecord, _ draft: ContactDraft, now: Date = Date()) async throws(ContactError) -> StoredContact {
        let id = UUID().uuidString.lowercased()
        let card = try edit { () throws(ContactEditError) in try ContactEditor.newCard(draft, uid: id, stamp: Self.stamp(now)) }
        return try await commit(id, VCardSerializer().string(card), in: book)
    }

    public func update(in book: CollectionRecord, id: String, with draft: ContactDraft, ifMatch: String?, now: Date = Date())
        async throws(ContactError) -> StoredContact
    {
        let item: ItemRecord
        do {
            item = try await writer.current(id, in: book, ifMatch: ifMatch)
        } catch {
            throw ContactKind.failure(error)
        }
        guard let data = item.currentData, let card = try? VCardParser().parse(data).cards.first else {
            throw .unreadable("the stored contact cannot be read")
        }
        let updated = VCardSerializer().string(try edit { () throws(ContactEditError) in
            try ContactEditor.replace(card, with: draft, stamp: Self.stamp(now))
        })
        return try await commit(id, updated, in: book)
    }

    public func delete(in book: CollectionRecord, id: String, ifMatch: String?) async throws(ContactError) {
        _ = try await writer.current(id, in: book, ifMatch: ifMatch, as: ContactKind.self)
        try await writer.commit(id, nil, in: book, as: ContactKind.self)
    }

    // MARK: Helpers

    /// Writes a card and commits it to the server: the contact as it stands after.
    func commit(_ id: String, _ data: String, in book: CollectionRecord) async throws(ContactError) -> StoredContact {
        guard let stored = try await writer.commit(id, data, in: book, as: ContactKind.self) else { throw .conflict(current: nil) }
        return stored
    }

    static func stored(_ item: ItemRecord) -> StoredContact? {
        guard let data = item.currentData, let card = try? VCardParser().parse(data).cards.first else { return nil }
        return StoredContact(id: item.localID, addressBookID: item.collectionID, etag: ItemWriter.etag(data), state: ItemWriter.state(of: item),
                             snapshot: ContactSnapshot(card: card))
    }

    /// `REV` as a UTC date-time (`20261122T101500Z`).
    static func stamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { String(100 + (value ?? 0)).dropFirst().description }
        return "\(parts.year ?? 1970)\(two(parts.month))\(two(parts.day))T\(two(parts.hour))\(two(parts.minute))\(two(parts.second))Z"
    }

    func edit<T>(_ body: () throws(ContactEditError) -> T) throws(ContactError) -> T {
        do { return try body() } catch { throw .edit(error) }
    }

    func storeCall<T>(_ body: (any SyncStore) async throws(StoreError) -> T) async throws(ContactError) -> T {
        do { return try await body(store) } catch { throw .store(error) }
    }
}

/// Contacts as ``ItemWriter`` writes them.
enum ContactKind: ItemKind {
    static var flavor: ObjectFlavor { .addressBook }
    static func stored(_ item: ItemRecord) -> StoredContact? { ContactService.stored(item) }
    static func unknown(_ id: String) -> ContactError { .unknownContact(id) }
    static func preconditionFailed(current: StoredContact) -> ContactError { .preconditionFailed(current: current) }
    static func conflict(current: StoredContact?) -> ContactError { .conflict(current: current) }
    static func unreadable(_ why: String) -> ContactError { .unreadable(why) }
    static func store(_ error: StoreError) -> ContactError { .store(error) }
}
