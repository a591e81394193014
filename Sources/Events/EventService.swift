public import CalendarEditing
import ContentLines
import DAVClient
public import Foundation
public import ICalendar
public import SyncEngine
public import SyncStore

/// Which part of a series an edit applies to.
public enum EditScope: Sendable, Hashable {
    /// The whole event (every occurrence).
    case series
    /// One occurrence, by its reference instant.
    case occurrence(Int64)
    /// That occurrence and the ones after it.
    case thisAndFuture(Int64)
}

/// Whether the server holds what the store holds for an item.
public enum ItemSyncState: String, Sendable, Hashable {
    /// Uploaded: the server has this version.
    case synced
    /// Written to the store and waiting for the next sync to upload it (the server could
    /// not be reached, or another run held the calendar).
    case pending
    /// The server holds a version of its own beside this one (manual conflict policy).
    case conflict
}

/// A calendar object as the store holds it.
public struct StoredEvent: Sendable {
    /// The item's id in the store (the API's event id).
    public var id: String
    public var calendarID: String
    /// The entity tag of the current content (changes whenever the content does).
    public var etag: String
    public var state: ItemSyncState
    /// The calendar object.
    public var object: Component
    /// The event: the series' master (or, for an object holding only overrides, the first).
    public var snapshot: EventSnapshot
}

/// An event or an occurrence in a listing.
public struct ListedEvent: Sendable {
    public var id: String
    public var calendarID: String
    public var etag: String
    public var state: ItemSyncState
    public var snapshot: EventSnapshot
}

/// Why an event operation failed.
public enum EventError: Error, Sendable, CustomStringConvertible {
    case unknownCalendar(String)
    case unknownEvent(String)
    /// The request cannot be applied (a field is wrong, no such occurrence…).
    case edit(EventEditError)
    /// `If-Match` named another version than the current one.
    case preconditionFailed(current: StoredEvent)
    /// The edit was written but the server now holds something else (changed there at the
    /// same moment, merged or replaced by the calendar's conflict policy).
    case conflict(current: StoredEvent?)
    /// The stored object cannot be read as an event.
    case unreadable(String)
    /// The window holds more events than one answer may list.
    case tooMany(Int)
    case store(StoreError)

    public var description: String {
        switch self {
        case .unknownCalendar(let id): "no calendar \(id)"
        case .unknownEvent(let id): "no event \(id)"
        case .edit(let error): error.description
        case .preconditionFailed: "the event has changed since the version named in If-Match"
        case .conflict: "the event changed on the server at the same time; this is what it holds now"
        case .unreadable(let why): why
        case .tooMany(let limit): "more than \(limit) events in the window; ask for a shorter one"
        case .store(let error): error.description
        }
    }
}

/// Events of synced calendars, read from the store and written through the sync engine:
/// an edit is written into the store as a pending local change and the calendar is synced,
/// which uploads it with `If-Match` (or `If-None-Match: *` for a new one). The calendar is
/// synced first too, so that `If-Match` is compared with what the server holds now.
public struct EventService: Sendable {
    public let store: any SyncStore
    let syncer: StoreSyncer
    /// The most events or occurrences one listing returns.
    public var maxListed = 5_000

    public init(store: any SyncStore, clients: AccountClients) {
        self.store = store
        syncer = StoreSyncer(store: store, clients: clients)
    }

    // MARK: Reading

    /// The events overlapping `[from, to)`: each occurrence when `expand`, else each event
    /// (a series once), by start.
    public func events(in calendarID: String, from: Int64, to: Int64, expand: Bool) async throws(EventError) -> [ListedEvent] {
        _ = try await calendar(calendarID)
        // The index reads all-day and floating times as UTC: a day more either side finds them in any zone.
        let margin: Int64 = 86_400
        let versions = try await storeCall { store throws(StoreError) in
            try await store.itemVersions(in: [calendarID], overlappingFrom: from - margin, to: to + margin)
        }
        let items = try await storeCall { store throws(StoreError) in try await store.items(in: calendarID, localIDs: versions.map(\.localID)) }
        var listed: [ListedEvent] = []
        for item in items {
            guard let data = item.currentData, let object = try? ICalendarParser().parse(data).components.first else { continue }
            let expansion = CalendarExpansion(calendar: object, from: .instant(from), to: .instant(to), limit: nil)
            let occurrences = expansion.occurrences.filter { $0.component.name == ComponentName.event }
            guard !occurrences.isEmpty else { continue }
            let state = Self.state(of: item)
            let etag = Self.etag(data)
            if expand {
                listed += occurrences.map {
                    ListedEvent(id: item.localID, calendarID: calendarID, etag: etag, state: state, snapshot: EventSnapshot(occurrence: $0, in: object))
                }
            } else if let master = object.components.first(where: { $0.name == ComponentName.event && $0.property(PropertyName.recurrenceID) == nil }),
                let snapshot = EventSnapshot(master: master, in: object)
            {
                listed.append(ListedEvent(id: item.localID, calendarID: calendarID, etag: etag, state: state, snapshot: snapshot))
            }
            if listed.count > maxListed { throw .tooMany(maxListed) }
        }
        return listed.sorted { ($0.snapshot.start, $0.id) < ($1.snapshot.start, $1.id) }
    }

    /// One event.
    public func event(in calendarID: String, id: String) async throws(EventError) -> StoredEvent {
        _ = try await calendar(calendarID)
        guard let item = try await storeCall({ store throws(StoreError) in try await store.item(in: calendarID, localID: id) }),
            let stored = Self.stored(item)
        else { throw .unknownEvent(id) }
        return stored
    }

    // MARK: Writing

    /// Creates an event and uploads it.
    public func create(in calendarID: String, _ draft: EventDraft, now: Date = Date()) async throws(EventError) -> StoredEvent {
        let collection = try await calendar(calendarID)
        let id = UUID().uuidString.lowercased()
        let object = try edit { () throws(EventEditError) in try EventEditor.newObject(draft, uid: id, stamp: Self.seconds(now)) }
        let data = ICalendarSerializer().string(object)
        try await commit([(id, data)], in: collection)
        return try await written(id, data, in: calendarID)
    }

    /// Changes an event — the series, one occurrence, or this and the following ones (then
    /// the later part becomes a new event, returned second). `ifMatch`, when given, must
    /// name the current version.
    public func update(in calendarID: String, id: String, scope: EditScope = .series, with draft: EventDraft, ifMatch: String?,
                       now: Date = Date()) async throws(EventError) -> (event: StoredEvent, split: StoredEvent?)
    {
        let (collection, current) = try await current(in: calendarID, id: id, ifMatch: ifMatch)
        let stamp = Self.seconds(now)
        var writes: [(String, String?)] = []
        switch scope {
        case .series:
            writes.append((id, try serialize { () throws(EventEditError) in try EventEditor.replaceSeries(in: current.object, with: draft, stamp: stamp) }))
        case .occurrence(let instant):
            writes.append((id, try serialize { () throws(EventEditError) in
                try EventEditor.replaceOccurrence(in: current.object, at: instant, with: draft, stamp: stamp)
            }))
        case .thisAndFuture(let instant):
            let newID = UUID().uuidString.lowercased()
            let (kept, future) = try edit { () throws(EventEditError) in
                try EventEditor.split(current.object, at: instant, with: draft, newUID: newID, stamp: stamp)
            }
            writes.append((id, ICalendarSerializer().string(kept)))
            if let future { writes.append((newID, ICalendarSerializer().string(future))) }
        }
        try await commit(writes, in: collection)
        let event = try await written(id, writes[0].1 ?? "", in: calendarID)
        guard writes.count > 1, let data = writes[1].1 else { return (event, nil) }
        return (event, try await written(writes[1].0, data, in: calendarID))
    }

    /// Deletes an event, one occurrence of it, or that occurrence and the later ones; returns
    /// what is left of the event, or `nil` when it is gone.
    public func delete(in calendarID: String, id: String, scope: EditScope = .series, ifMatch: String?, now: Date = Date())
        async throws(EventError) -> StoredEvent?
    {
        let (collection, current) = try await current(in: calendarID, id: id, ifMatch: ifMatch)
        let stamp = Self.seconds(now)
        let remaining: Component?
        switch scope {
        case .series:
            remaining = nil
        case .occurrence(let instant):
            remaining = try edit { () throws(EventEditError) in try EventEditor.removeOccurrence(in: current.object, at: instant, stamp: stamp) }
        case .thisAndFuture(let instant):
            remaining = try edit { () throws(EventEditError) in try EventEditor.truncate(current.object, before: instant, stamp: stamp) }
        }
        let data = remaining.map { ICalendarSerializer().string($0) }
        try await commit([(id, data)], in: collection)
        guard let data else {
            let item = try await storeCall { store throws(StoreError) in try await store.item(in: calendarID, localID: id) }
            guard let item else { return nil }
            // Still there: not deleted on the server yet (pending), or changed there meanwhile.
            if item.pendingDeletion { return nil }
            throw .conflict(current: Self.stored(item))
        }
        return try await written(id, data, in: calendarID)
    }

    // MARK: Helpers

    /// The calendar, after a sync (so the current version is the server's), and the event,
    /// checked against `If-Match`.
    func current(in calendarID: String, id: String, ifMatch: String?) async throws(EventError) -> (CollectionRecord, StoredEvent) {
        let collection = try await calendar(calendarID)
        // When the server cannot be reached, the store's version is the one compared; the
        // edit waits for the next sync, whose upload is conditional too.
        await syncer.sync(collection)
        let current = try await event(in: calendarID, id: id)
        if let ifMatch, !Self.matches(ifMatch, current.etag) { throw .preconditionFailed(current: current) }
        return (collection, current)
    }

    /// Writes new content (or a deletion, `nil`) for items as pending local edits, then
    /// syncs the calendar to upload them.
    func commit(_ writes: [(localID: String, data: String?)], in collection: CollectionRecord) async throws(EventError) {
        var items: [ItemRecord] = []
        for (localID, data) in writes {
            var item = try await storeCall { store throws(StoreError) in try await store.item(in: collection.id, localID: localID) }
                ?? ItemRecord(collectionID: collection.id, localID: localID)
            if let data {
                let content: ItemContent
                do {
                    content = try ItemContent(data, flavor: .calendar)
                } catch {
                    throw .unreadable("the edited object does not parse: \(error)")
                }
                item.pendingData = data
                item.pendingDeletion = false
                item.uid = content.uid
                item.fields = content.fields
            } else {
                item.pendingDeletion = true
            }
            items.append(item)
        }
        try await storeCall { [items] store throws(StoreError) in _ = try await store.saveItems(items) }
        await syncer.sync(collection)
    }

    /// The item as written: `data` uploaded or pending; anything else is a conflict.
    func written(_ id: String, _ data: String, in calendarID: String) async throws(EventError) -> StoredEvent {
        let item = try await storeCall { store throws(StoreError) in try await store.item(in: calendarID, localID: id) }
        guard let item, let stored = Self.stored(item) else { throw .conflict(current: nil) }
        guard item.pendingData == data || (item.pendingData == nil && item.syncedData == data && item.conflictData == nil) else {
            throw .conflict(current: stored)
        }
        return stored
    }

    func calendar(_ id: String) async throws(EventError) -> CollectionRecord {
        let collections = try await storeCall { store throws(StoreError) in try await store.collections(accountID: nil) }
        guard let collection = collections.first(where: { $0.id == id && $0.kind == .calendar }) else { throw .unknownCalendar(id) }
        return collection
    }

    static func stored(_ item: ItemRecord) -> StoredEvent? {
        guard let data = item.currentData, let object = try? ICalendarParser().parse(data).components.first else { return nil }
        let events = object.components.filter { $0.name == ComponentName.event }
        guard let master = events.first(where: { $0.property(PropertyName.recurrenceID) == nil }) ?? events.first,
            let snapshot = EventSnapshot(master: master, in: object)
        else { return nil }
        return StoredEvent(id: item.localID, calendarID: item.collectionID, etag: etag(data), state: state(of: item), object: object,
                           snapshot: snapshot)
    }

    static func state(of item: ItemRecord) -> ItemSyncState {
        if item.conflictData != nil { return .conflict }
        return item.pendingData != nil || item.pendingDeletion ? .pending : .synced
    }

    /// A strong entity tag of the content.
    static func etag(_ data: String) -> String { "\"" + ContentHash.hex(of: data) + "\"" }

    /// Whether an `If-Match` value names `etag` (a list, `*`, or weak forms compared weakly).
    static func matches(_ ifMatch: String, _ etag: String) -> Bool {
        ifMatch.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || tag == etag || tag == "W/" + etag
        }
    }

    static func seconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }

    func edit<T>(_ body: () throws(EventEditError) -> T) throws(EventError) -> T {
        do { return try body() } catch { throw error.code == .unreadable ? .unreadable(error.message) : .edit(error) }
    }

    func serialize(_ body: () throws(EventEditError) -> Component) throws(EventError) -> String {
        ICalendarSerializer().string(try edit(body))
    }

    func storeCall<T>(_ body: (any SyncStore) async throws(StoreError) -> T) async throws(EventError) -> T {
        do { return try await body(store) } catch { throw .store(error) }
    }
}
