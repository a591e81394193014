public import Accounts
public import CalendarEditing
import ContentLines
import DAVClient
public import Foundation
public import ICalendar
public import SyncEngine
public import SwitchboardStore

/// Which part of a series an edit applies to.
public enum EditScope: Sendable, Hashable {
    /// The whole event (every occurrence).
    case series
    /// One occurrence, by its reference instant.
    case occurrence(Int64)
    /// That occurrence and the ones after it.
    case thisAndFuture(Int64)
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

/// Events of synced calendars, read from the store and written through the sync engine
/// (``ItemWriter``: the item refreshed first so `If-Match` meets the server's version, then
/// committed with a conditional request). Callers pass the calendar they resolved under their own
/// access rules (the API: the tenant's), so it is read once per request.
public struct EventService: Sendable {
    public let store: any SyncStore
    let writer: ItemWriter
    /// The most events or occurrences one listing returns.
    public var maxListed = 5_000

    public init(store: any SyncStore, clients: AccountClients) {
        self.store = store
        writer = ItemWriter(store: store, clients: clients)
    }

    // MARK: Reading

    /// The events overlapping `[from, to)`: each occurrence when `expand`, else each event
    /// (a series once), by start.
    public func events(in calendar: CollectionRecord, from: Int64, to: Int64, expand: Bool) async throws(EventError) -> [ListedEvent] {
        let calendarID = calendar.id
        // The index spans every instant an item may take (all-day and floating times widened to every zone).
        let versions = try await storeCall { store throws(StoreError) in
            try await store.itemVersions(in: [calendarID], overlappingFrom: from, to: to)
        }
        let items = try await storeCall { store throws(StoreError) in try await store.items(in: calendarID, localIDs: versions.map(\.localID)) }
        var listed: [ListedEvent] = []
        for item in items {
            guard let data = item.currentData, let object = try? ICalendarParser().parse(data).components.first else { continue }
            let expansion = CalendarExpansion(calendar: object, from: .instant(from), to: .instant(to), limit: nil)
            let occurrences = expansion.occurrences.filter { $0.component.name == ComponentName.event }
            guard !occurrences.isEmpty else { continue }
            let state = ItemWriter.state(of: item)
            let etag = ItemWriter.etag(data)
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
    public func event(in calendar: CollectionRecord, id: String) async throws(EventError) -> StoredEvent {
        guard let item = try await storeCall({ store throws(StoreError) in try await store.item(in: calendar.id, localID: id) }),
            let stored = Self.stored(item)
        else { throw .unknownEvent(id) }
        return stored
    }

    // MARK: Writing

    /// Creates an event and uploads it.
    public func create(in collection: CollectionRecord, _ draft: EventDraft, now: Date = Date()) async throws(EventError) -> StoredEvent {
        let id = UUID().uuidString.lowercased()
        let object = try edit { () throws(EventEditError) in try EventEditor.newObject(draft, uid: id, stamp: Self.seconds(now)) }
        return try await commit(id, ICalendarSerializer().string(object), in: collection)
    }

    /// Changes an event — the series, one occurrence, or this and the following ones (then
    /// the later part becomes a new event, returned second). `ifMatch`, when given, must
    /// name the current version.
    public func update(in collection: CollectionRecord, id: String, scope: EditScope = .series, with draft: EventDraft, ifMatch: String?,
                       now: Date = Date()) async throws(EventError) -> (event: StoredEvent, split: StoredEvent?)
    {
        let current = try await current(in: collection, id: id, ifMatch: ifMatch)
        let stamp = Self.seconds(now)
        switch scope {
        case .series:
            let updated = try serialize { () throws(EventEditError) in try EventEditor.replaceSeries(in: current.object, with: draft, stamp: stamp) }
            return (try await commit(id, updated, in: collection), nil)
        case .occurrence(let instant):
            let updated = try serialize { () throws(EventEditError) in
                try EventEditor.replaceOccurrence(in: current.object, at: instant, with: draft, stamp: stamp)
            }
            return (try await commit(id, updated, in: collection), nil)
        case .thisAndFuture(let instant):
            let newID = UUID().uuidString.lowercased()
            let (kept, future) = try edit { () throws(EventEditError) in
                try EventEditor.split(current.object, at: instant, with: draft, newUID: newID, stamp: stamp)
            }
            // The later part is created only once the earlier one is cut short on the server.
            let event = try await commit(id, ICalendarSerializer().string(kept), in: collection)
            guard let future else { return (event, nil) }
            return (event, try await commit(newID, ICalendarSerializer().string(future), in: collection))
        }
    }

    /// Deletes an event, one occurrence of it, or that occurrence and the later ones; returns
    /// what is left of the event, or `nil` when it is gone.
    public func delete(in collection: CollectionRecord, id: String, scope: EditScope = .series, ifMatch: String?, now: Date = Date())
        async throws(EventError) -> StoredEvent?
    {
        let current = try await current(in: collection, id: id, ifMatch: ifMatch)
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
        guard let remaining else {
            try await writer.commit(id, nil, in: collection, as: EventKind.self)
            return nil
        }
        return try await commit(id, ICalendarSerializer().string(remaining), in: collection)
    }

    /// Records an attendee's answer (an iTIP REPLY) on the event, refreshed from the server
    /// first and committed like any edit; `false` when the event is not organized by
    /// `organizer`, does not invite that attendee, or already shows the answer (or a later
    /// invitation than the one answered).
    public func recordReply(_ reply: AttendeeReply, organizer: String, in calendar: CollectionRecord, id: String) async throws(EventError) -> Bool {
        let current = try await current(in: calendar, id: id, ifMatch: nil)
        guard SchedulingMessage.organizer(of: current.object) == organizer.lowercased(),
            let updated = reply.applied(to: ICalendarSerializer().string(current.object))
        else { return false }
        _ = try await commit(id, updated, in: calendar)
        return true
    }

    // MARK: Helpers

    /// The event as the server holds it now, checked against `If-Match`.
    func current(in collection: CollectionRecord, id: String, ifMatch: String?) async throws(EventError) -> StoredEvent {
        try await writer.current(id, in: collection, ifMatch: ifMatch, as: EventKind.self)
    }

    /// Writes an event object and commits it to the server: the event as it stands after.
    func commit(_ id: String, _ data: String, in collection: CollectionRecord) async throws(EventError) -> StoredEvent {
        guard let stored = try await writer.commit(id, data, in: collection, as: EventKind.self) else { throw .conflict(current: nil) }
        return stored
    }

    static func stored(_ item: ItemRecord) -> StoredEvent? {
        guard let data = item.currentData, let object = try? ICalendarParser().parse(data).components.first else { return nil }
        let events = object.components.filter { $0.name == ComponentName.event }
        guard let master = events.first(where: { $0.property(PropertyName.recurrenceID) == nil }) ?? events.first,
            let snapshot = EventSnapshot(master: master, in: object)
        else { return nil }
        return StoredEvent(id: item.localID, calendarID: item.collectionID, etag: ItemWriter.etag(data), state: ItemWriter.state(of: item),
                           object: object, snapshot: snapshot)
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

/// Events as ``ItemWriter`` writes them.
enum EventKind: ItemKind {
    static var flavor: ObjectFlavor { .calendar }
    static func stored(_ item: ItemRecord) -> StoredEvent? { EventService.stored(item) }
    static func unknown(_ id: String) -> EventError { .unknownEvent(id) }
    static func preconditionFailed(current: StoredEvent) -> EventError { .preconditionFailed(current: current) }
    static func conflict(current: StoredEvent?) -> EventError { .conflict(current: current) }
    static func unreadable(_ why: String) -> EventError { .unreadable(why) }
    static func store(_ error: StoreError) -> EventError { .store(error) }
}
