public import Accounts
public import Availability
import Caching
import ContentLines
public import CalendarEditing
import DAVClient
public import Foundation
import ICalendar
public import Logging
import Synchronization
public import SyncEngine
public import SwitchboardStore

/// Why a booking operation failed.
public enum BookingError: Error, Sendable, CustomStringConvertible {
    case unknownResource(String)
    case unknownBooking(String)
    /// A field of the request breaks its limits (`BookingEvent.validated(summary:attendees:)`):
    /// the field and why.
    case invalidInput(field: String, reason: String)
    /// The interval cannot be booked, with the rule or the event that prevents it.
    case refused(Refusal)
    /// An event created elsewhere now overlaps a pending booking (found at confirmation).
    case conflict(EventReference)
    /// The calendars are older than the resource allows and the server cannot be reached.
    case staleData(ageSeconds: Int64, detail: String)
    /// The booking is cancelled (or otherwise in the wrong state for this step).
    case invalidState(String)
    case rules(AvailabilityError)
    case store(StoreError)
    case sync(String)

    public var description: String {
        switch self {
        case .unknownResource(let name): "no resource named \(name)"
        case .unknownBooking(let id): "no booking \(id)"
        case .invalidInput(let field, let reason): "\(field): \(reason)"
        case .refused(let refusal): "not bookable: \(refusal)"
        case .conflict(let event): "conflict: event \(event.uid ?? "?") in calendar \(event.calendar) overlaps the booking"
        case .staleData(let age, let detail): "calendar data is \(age) s old and could not be refreshed: \(detail)"
        case .invalidState(let why): why
        case .rules(let error): "resource rules: \(error)"
        case .store(let error): "\(error)"
        case .sync(let why): "sync: \(why)"
        }
    }
}

/// What to do with a cancelled booking's event.
public enum CancellationPolicy: String, Sendable, Hashable, Codable {
    /// Delete it from the calendar.
    case delete
    /// Keep it with `STATUS:CANCELLED`.
    case markCancelled = "mark-cancelled"
}

/// Availability and bookings for resources, over the synced store: answers from the
/// store (refreshed by a sync first when older than the resource allows), bookings placed
/// with one atomic check-and-write per resource, and each step written to the calendar
/// through the sync engine with conditional requests.
public struct BookingService: Sendable {
    public let store: any BookingStore
    public let clients: AccountClients
    /// Put before a pending booking's summary.
    public var pendingPrefix = "REQUEST: "
    public var cancellation = CancellationPolicy.delete
    /// The organizer written on booking events (`mailto:…`), if any.
    public var organizer: String?
    /// Calendar objects read into series, by item and revision (shared by copies).
    private let series = Memo<String, CalendarSeries?>(capacity: 100_000)
    /// Resources' rules, decoded, by their stored text.
    private let availabilities = Memo<String, Availability>(capacity: 1_000)
    /// Events read conservatively (an unknown zone, no expansion), by calendar and UID.
    private let conservative = ConservativeReadings()
    /// Where events read conservatively are reported, once each.
    public var logger = Logger(label: "switchboard.scheduling")

    /// How many events busy time has read conservatively so far (counted in `/metrics`).
    public var conservativelyReadEvents: Int { conservative.count }

    /// Syncs the calendars bookings are written to and read from.
    let syncer: StoreSyncer
    /// Commits the bookings' events.
    let writer: ItemWriter

    public init(store: any BookingStore, clients: AccountClients) {
        self.store = store
        self.clients = clients
        syncer = StoreSyncer(store: store, clients: clients)
        writer = ItemWriter(store: store, clients: clients)
    }

    // MARK: Questions

    /// The bookable slots of a resource starting in `window`.
    public func slots(resource name: String, in window: Interval, now: Date = Date()) async throws(BookingError) -> [Interval] {
        let context = try await context(for: name, window: window, now: now)
        return context.availability.slots(busy: context.busy, bookings: context.bookings, in: window, now: Int64(now.timeIntervalSince1970))
    }

    /// Slots, busy and free time of `resource` (as its caller looked it up) in `window`, from
    /// one look at the store (what the API answers). Like ``slots(resource:in:now:)``, it
    /// refuses data too old.
    public func availability(of resource: ResourceRecord, in window: Interval, now: Date = Date()) async throws(BookingError)
        -> (slots: [Interval], busy: [Interval], free: [Interval])
    {
        let context = try await context(for: resource, window: window, now: now)
        let slots = context.availability.slots(busy: context.busy, bookings: context.bookings, in: window, now: Int64(now.timeIntervalSince1970))
        let answer = context.availability.freeBusy(context.busyWithBookings, in: window)
        return (slots, answer.busy, answer.free)
    }

    /// Busy and free time of a resource in `window`, the same as a VFREEBUSY object, and —
    /// when the server could not be reached to refresh data older than the resource allows —
    /// how old the answer's data is (busy time is still worth knowing; slots and bookings
    /// are refused instead).
    public func freeBusy(resource name: String, in window: Interval, now: Date = Date()) async throws(BookingError)
        -> (busy: [Interval], free: [Interval], calendar: String, staleSeconds: Int64?)
    {
        let context = try await context(for: name, window: window, now: now, acceptingStale: true)
        let answer = context.availability.freeBusy(context.busyWithBookings, in: window)
        let calendar = context.availability.freeBusyCalendar(context.busyWithBookings, in: window, stamp: Int64(now.timeIntervalSince1970))
        return (answer.busy, answer.free, ICalendarSerializer().string(calendar), context.staleSeconds)
    }

    /// Why `interval` cannot be booked now, or `nil` when it can.
    public func check(resource name: String, _ interval: Interval, now: Date = Date()) async throws(BookingError) -> Refusal? {
        let context = try await context(for: name, window: interval, now: now)
        return context.availability.check(interval, busy: context.busy, bookings: context.bookings, now: Int64(now.timeIntervalSince1970))
    }

    // MARK: Bookings

    /// `BookingEvent.validated(summary:attendees:)`, its refusal as a booking error.
    private static func validated(summary: String, attendees: [String]) throws(BookingError) -> (String, [String]) {
        do throws(EventEditError) {
            return try BookingEvent.validated(summary: summary, attendees: attendees)
        } catch {
            throw .invalidInput(field: error.field ?? "body", reason: error.message)
        }
    }

    /// Books `interval` as a pending request: checked against the rules and the calendars,
    /// placed atomically (no other booking of the resource may overlap), and written to the
    /// booking calendar as a `STATUS:TENTATIVE` event whose summary carries the prefix.
    /// The summary and attendees are held to `BookingEvent.validated(summary:attendees:)` first.
    public func book(resource name: String, _ interval: Interval, summary: String, attendees: [String] = [], now: Date = Date())
        async throws(BookingError) -> BookingRecord
    {
        let (summary, attendees) = try Self.validated(summary: summary, attendees: attendees)
        let context = try await context(for: name, window: interval, now: now)
        if let refusal = context.availability.check(interval, busy: context.busy, bookings: context.bookings, now: Int64(now.timeIntervalSince1970)) {
            throw .refused(refusal)
        }
        if let event = await serverBusy(context, interval) { throw .refused(.busy(event)) }
        let id = UUID().uuidString.lowercased()
        let booking = BookingRecord(id: id, resourceID: context.resource.id, collectionID: context.resource.bookingCalendarID, localID: id,
                                    start: interval.start, end: interval.end, summary: summary, attendees: attendees, createdAt: now, updatedAt: now)
        let calendars = context.resource.calendarIDs
        let created = try Self.event("booking.created", booking, of: context.resource, at: now)
        guard try await storeCall({ store throws(StoreError) in try await store.insertBooking(booking, calendars: calendars, event: created) }) else {
            throw .refused(.alreadyBooked)
        }
        try await write(event(for: booking, status: .tentative, sequence: 0), of: booking, now: now)
        return booking
    }

    /// Confirms a pending booking after checking the calendars live (an event added on a
    /// phone since the booking is a conflict): the prefix goes, `STATUS:CONFIRMED`, SEQUENCE+1.
    public func confirm(_ id: String, now: Date = Date()) async throws(BookingError) -> BookingRecord {
        var booking = try await existing(id)
        guard booking.status == .pending else { throw .invalidState("booking \(id) is \(booking.status.rawValue), not pending") }
        _ = try await refresh(try await resource(id: booking.resourceID))
        let resource = try await resource(id: booking.resourceID)
        let context = try await context(for: resource.name, window: Interval(start: booking.start, end: booking.end), now: now)
        if let other = context.busy.first(where: { $0.event.uid != booking.localID + "@switchboard" && $0.interval.overlaps(Interval(start: booking.start, end: booking.end)) }) {
            throw .conflict(other.event)
        }
        booking.status = .confirmed
        booking.updatedAt = now
        let confirmed = try Self.event("booking.confirmed", booking, of: resource, at: now)
        try await storeCall { [booking] store throws(StoreError) in try await store.saveBooking(booking, event: confirmed) }
        // A change of status only: the attendees' answers stand (RFC 5546 §2.1.4).
        var confirmedEvent = event(for: booking, status: .confirmed, sequence: try await sequence(of: booking) + 1)
        confirmedEvent.participation = try await participation(in: booking)
        try await write(confirmedEvent, of: booking, now: now)
        return booking
    }

    /// Moves a booking (pending or confirmed) to `interval`, under the same rules and the
    /// same atomic check; the event keeps its UID and its SEQUENCE goes up.
    public func reschedule(_ id: String, to interval: Interval, now: Date = Date()) async throws(BookingError) -> BookingRecord {
        var booking = try await existing(id)
        guard booking.status != .cancelled else { throw .invalidState("booking \(id) is cancelled") }
        let resource = try await resource(id: booking.resourceID)
        let context = try await context(for: resource.name, window: interval, now: now)
        let ownUID = booking.localID + "@switchboard"
        let others = context.bookings.filter { $0 != Interval(start: booking.start, end: booking.end) }
        if let refusal = context.availability.check(interval, busy: context.busy.filter { $0.event.uid != ownUID }, bookings: others,
                                                    now: Int64(now.timeIntervalSince1970)) {
            throw .refused(refusal)
        }
        booking.start = interval.start
        booking.end = interval.end
        booking.updatedAt = now
        let moved = try Self.event("booking.rescheduled", booking, of: resource, at: now)
        guard try await storeCall({ [booking] store throws(StoreError) in
            try await store.moveBooking(booking, calendars: resource.calendarIDs, event: moved)
        }) else {
            throw .refused(.alreadyBooked)
        }
        let status: ICalendar.EventStatus = booking.status == .confirmed ? .confirmed : .tentative
        try await write(event(for: booking, status: status, sequence: try await sequence(of: booking) + 1), of: booking, now: now)
        return booking
    }

    /// Cancels a booking: its event is deleted or marked cancelled, by policy.
    public func cancel(_ id: String, now: Date = Date()) async throws(BookingError) -> BookingRecord {
        var booking = try await existing(id)
        guard booking.status != .cancelled else { return booking }
        booking.status = .cancelled
        booking.updatedAt = now
        let cancelled = try Self.event("booking.cancelled", booking, of: try await resource(id: booking.resourceID), at: now)
        try await storeCall { [booking] store throws(StoreError) in try await store.saveBooking(booking, event: cancelled) }
        guard try await storeCall({ [booking] store throws(StoreError) in
            try await store.item(in: booking.collectionID, localID: booking.localID)
        }) != nil else { return booking }
        switch cancellation {
        case .delete:
            try await commit(booking, nil)
        case .markCancelled:
            try await write(event(for: booking, status: .cancelled, sequence: try await sequence(of: booking) + 1), of: booking, now: now)
        }
        return booking
    }

    /// A resource's bookings overlapping `window`.
    public func bookings(resource name: String, in window: Interval) async throws(BookingError) -> [BookingRecord] {
        let resource = try await resource(named: name)
        return try await storeCall { store throws(StoreError) in try await store.bookings(resourceID: resource.id, from: window.start, to: window.end) }
    }

    // MARK: Helpers

    struct Context {
        var resource: ResourceRecord
        var availability: Availability
        var busy: [BusyPeriod]
        /// Active bookings (not cancelled) around the window.
        var activeBookings: [BookingRecord]
        var bookings: [Interval] { activeBookings.map { Interval(start: $0.start, end: $0.end) } }
        /// The calendars' busy periods and the resource's own bookings (pending ones tentative).
        var busyWithBookings: [BusyPeriod] {
            busy + activeBookings.map {
                BusyPeriod(interval: Interval(start: $0.start, end: $0.end),
                           event: EventReference(calendar: resource.bookingCalendarID, uid: $0.localID + "@switchboard"),
                           tentative: $0.status == .pending)
            }
        }
        /// How old the data is, when it is older than the rules allow and could not be refreshed.
        var staleSeconds: Int64?
    }

    /// The context of the resource with this (stored) name: see ``context(for:window:now:acceptingStale:)``.
    func context(for name: String, window: Interval, now: Date, acceptingStale: Bool = false) async throws(BookingError) -> Context {
        try await context(for: try await resource(named: name), window: window, now: now, acceptingStale: acceptingStale)
    }

    /// The resource's rules, the busy periods of its calendars and its bookings around
    /// `window`, read from the store in one round trip; calendars older than the rules allow
    /// are synced first (and read again), and an answer from data too old is refused.
    func context(for resource: ResourceRecord, window: Interval, now: Date, acceptingStale: Bool = false) async throws(BookingError) -> Context {
        var resource = resource
        var availability = try self.availability(of: resource)
        var snapshot = try await snapshot(of: resource, around: window, rules: availability.rules)
        let oldest = snapshot.calendars.map { $0.lastSyncedAt ?? .distantPast }.min() ?? .distantPast
        var staleSeconds: Int64?
        if now.timeIntervalSince(oldest) > Double(availability.rules.maxDataAge) {
            do {
                resource = try await refresh(resource)
                availability = try self.availability(of: resource)
                snapshot = try await self.snapshot(of: resource, around: window, rules: availability.rules)
            } catch {
                let age = Int64(min(now.timeIntervalSince(oldest), Double(Int64.max / 2)).rounded())
                guard acceptingStale else { throw .staleData(ageSeconds: age, detail: error.description) }
                staleSeconds = age
            }
        }
        let rules = availability.rules
        let relevant = Self.relevant(window, rules)
        let readers = Dictionary(uniqueKeysWithValues: Set(resource.calendarIDs).map {
            ($0, BusyTimeReader(rules: rules.busyRules(forCalendar: $0), zone: availability.zone, zoneName: rules.timeZone))
        })
        var busy: [BusyPeriod] = []
        for (calendarID, series) in try await series(of: snapshot.versions) {
            guard let reader = readers[calendarID] else { continue }
            busy += reader.busyPeriods(of: series, in: relevant, calendarID: calendarID)
        }
        for period in busy where period.note != nil && conservative.first(period.event) {
            logger.warning("busy time read conservatively", metadata: [
                "collection_id": .string(period.event.calendar), "uid": .string(period.event.uid ?? "-"), "why": .string(period.note ?? ""),
            ])
        }
        let bookings = snapshot.bookings.filter { $0.status != .cancelled }
        // A booking's own event is busy time already counted as a booking.
        let bookingUIDs = Set(bookings.map { $0.localID + "@switchboard" })
        return Context(resource: resource, availability: availability, busy: busy.filter { !bookingUIDs.contains($0.event.uid ?? "") },
                       activeBookings: bookings, staleSeconds: staleSeconds)
    }

    /// Only busy time within a buffer of the window matters. The store's time index spans
    /// every instant an item may take (all-day, floating and unknown zones widened), so the
    /// window is asked as it is.
    private static func relevant(_ window: Interval, _ rules: ResourceRules) -> Interval {
        Interval(start: window.start - rules.bufferAfter, end: window.end + rules.bufferBefore)
    }

    /// What the store holds about the resource around `window`: its calendars, their items
    /// that may be busy there, and its bookings (a week beyond each side, for day and week limits).
    private func snapshot(of resource: ResourceRecord, around window: Interval, rules: ResourceRules) async throws(BookingError) -> ResourceSnapshot {
        let relevant = Self.relevant(window, rules)
        return try await storeCall { store throws(StoreError) in
            try await store.snapshot(of: resource, busy: (relevant.start, relevant.end), bookings: (window.start - 8 * 86_400, window.end + 8 * 86_400))
        }
    }

    /// The series of the calendar objects named by `versions`, with their calendar: only
    /// objects not read before at that revision are read and parsed now.
    func series(of versions: [ItemVersion]) async throws(BookingError) -> [(calendarID: String, series: CalendarSeries)] {
        var found: [(calendarID: String, series: CalendarSeries)] = []
        var unread: [String: [String]] = [:]
        for version in versions {
            if let kept = series.cached(for: version.collectionID + "/" + version.localID, version: version.revision) {
                if let kept { found.append((version.collectionID, kept)) }
            } else {
                unread[version.collectionID, default: []].append(version.localID)
            }
        }
        for (calendarID, localIDs) in unread {
            for item in try await storeCall({ store throws(StoreError) in try await store.items(in: calendarID, localIDs: localIDs) }) {
                // An object that does not parse blocks nothing (the sync log reports it); it is
                // kept as such until it changes.
                let read = item.currentData.flatMap { try? ICalendarParser().parse($0).components.first }.map { CalendarSeries(calendar: $0) }
                series.keep(read, for: item.collectionID + "/" + item.localID, version: item.revision)
                if let read { found.append((calendarID, read)) }
            }
        }
        return found
    }

    /// A resource's rules, decoded (once per stored text).
    func availability(of resource: ResourceRecord) throws(BookingError) -> Availability {
        try availabilities.value(for: resource.rules) { () throws(BookingError) in
            let rules: ResourceRules
            do {
                rules = try JSONDecoder().decode(ResourceRules.self, from: Data(resource.rules.utf8))
            } catch {
                throw .rules(AvailabilityError("stored rules of \(resource.name) do not decode: \(error)"))
            }
            do throws(AvailabilityError) {
                return try Availability(rules: rules)
            } catch {
                throw .rules(error)
            }
        }
    }

    /// Syncs the resource's calendars now (the store is their local side) and, when its
    /// rules follow a calendar's server-side availability, reads that too; returns the
    /// resource as stored after.
    func refresh(_ resource: ResourceRecord) async throws(BookingError) -> ResourceRecord {
        for calendarID in resource.calendarIDs { try await sync(collectionID: calendarID) }
        var rules = try availability(of: resource).rules
        guard let calendarID = rules.availabilityCalendar else { return resource }
        let client: DAVClient, collection: CollectionRecord
        do {
            (client, collection) = try await syncer.client(forCollection: calendarID)
        } catch {
            throw .sync(error.description)
        }
        let published: String?
        do {
            published = try await client.calendarAvailability(of: collection.href)
        } catch {
            throw .sync("calendar-availability of \(collection.href): \(error)")
        }
        guard published != rules.publishedAvailability else { return resource }
        // What the server publishes must be understood before it replaces what was known.
        if let published {
            do throws(AvailabilityError) {
                _ = try PublishedAvailability(parsing: published)
            } catch {
                throw .sync("calendar-availability of \(collection.href): \(error)")
            }
        }
        rules.publishedAvailability = published
        var updated = resource
        do {
            updated.rules = String(decoding: try JSONEncoder().encode(rules), as: UTF8.self)
        } catch {
            throw .rules(AvailabilityError("rules of \(resource.name) do not encode: \(error)"))
        }
        try await storeCall { [updated] store throws(StoreError) in try await store.saveResource(updated) }
        return updated
    }

    /// An event the calendar server holds in `interval` (with the resource's buffers) that
    /// the store has not seen yet — added on a phone since the last sync: one time-range
    /// query per calendar (RFC 4791 §7.8), read as busy time like the store's copy. A server
    /// that cannot be asked leaves the store's answer, fresh within the resource's limit,
    /// standing.
    func serverBusy(_ context: Context, _ interval: Interval) async -> EventReference? {
        let rules = context.availability.rules
        let relevant = Interval(start: interval.start - rules.bufferBefore, end: interval.end + rules.bufferAfter)
        let from = Date(timeIntervalSince1970: TimeInterval(relevant.start)), to = Date(timeIntervalSince1970: TimeInterval(relevant.end))
        for calendarID in context.resource.calendarIDs {
            guard let (client, collection) = try? await syncer.client(forCollection: calendarID),
                  let objects = try? await client.calendarObjects(in: collection.href, from: from, to: to)
            else { continue }
            let reader = BusyTimeReader(rules: rules.busyRules(forCalendar: calendarID), zone: context.availability.zone, zoneName: rules.timeZone)
            for object in objects {
                guard let data = object.data, let calendar = try? ICalendarParser().parse(data).components.first else { continue }
                let busy = reader.busyPeriods(of: calendar, in: relevant, calendarID: calendarID)
                if let blocking = busy.first(where: { context.availability.blocks($0, interval) }) { return blocking.event }
            }
        }
        return nil
    }

    func sync(collectionID: String) async throws(BookingError) {
        let run: SyncRunRecord
        do {
            run = try await syncer.sync(collectionID: collectionID)
        } catch {
            throw .sync(error.description)
        }
        if let failure = run.failure { throw .sync(failure) }
    }

    func event(for booking: BookingRecord, status: ICalendar.EventStatus, sequence: Int) -> BookingEvent {
        BookingEvent(bookingID: booking.localID, start: booking.start, end: booking.end,
                     summary: status == .tentative ? pendingPrefix + booking.summary : booking.summary,
                     status: status, sequence: sequence, organizer: organizer, attendees: booking.attendees)
    }

    /// Writes the booking's event and commits it to the booking calendar's server
    /// (`If-None-Match: *` or `If-Match`), the way every edit is sent. The booking stands
    /// once placed: an upload that cannot happen now (the calendar is leased by another run,
    /// the server is down) leaves the edit pending for the next sync, and the log says so.
    func write(_ event: BookingEvent, of booking: BookingRecord, now: Date) async throws(BookingError) {
        try await commit(booking, event.calendarObject(stamp: Int64(now.timeIntervalSince1970)))
    }

    /// Commits the booking's event object (`nil`: its deletion).
    func commit(_ booking: BookingRecord, _ data: String?) async throws(BookingError) {
        // The calendar only: a server (or account) that cannot be reached now leaves the
        // event pending, it does not fail the booking.
        guard let collection = try await storeCall({ store throws(StoreError) in try await store.collection(id: booking.collectionID) }) else {
            throw .sync("the booking calendar \(booking.collectionID) is gone")
        }
        do {
            _ = try await writer.write(booking.localID, data, in: collection, flavor: .calendar)
        } catch {
            switch error {
            case .store(let error): throw .store(error)
            default: throw .sync("the booking's event: \(error)")
            }
        }
    }

    /// A domain event about `booking`, for the outbox: its `data` is the booking as the API
    /// shows it, so webhooks hear the same whether the API, the CLI or anything else made it.
    static func event(_ type: String, _ booking: BookingRecord, of resource: ResourceRecord, at date: Date) throws(BookingError) -> DomainEventRecord {
        do {
            return try DomainEventRecord(tenantID: resource.tenantID, type: type, data: BookingEventData(booking, resource: resource), occurredAt: date)
        } catch {
            throw .store(error)
        }
    }

    /// Records an attendee's answer (iTIP REPLY) on the booking's event — that attendee's
    /// PARTSTAT — committed like every edit. `false` when the booking has no such attendee,
    /// its event is gone, or the reply answers an older invitation or changes nothing.
    public func recordReply(_ reply: AttendeeReply, to booking: BookingRecord) async throws(BookingError) -> Bool {
        guard booking.attendees.contains(where: { $0.lowercased() == reply.attendee }) else { return false }
        let item = try await storeCall { store throws(StoreError) in try await store.item(in: booking.collectionID, localID: booking.localID) }
        guard let data = item?.currentData, let updated = reply.applied(to: data) else { return false }
        try await commit(booking, updated)
        return true
    }

    /// The attendees' answers on the booking's event as last written (lower-cased address →
    /// PARTSTAT), those who answered only.
    public func participation(in booking: BookingRecord) async throws(BookingError) -> [String: String] {
        guard let event = try await storedEvent(of: booking) else { return [:] }
        var answers: [String: String] = [:]
        for attendee in event.properties("ATTENDEE") {
            if let answer = attendee.parameter("PARTSTAT")?.value?.uppercased(), AttendeeReply.participations.contains(answer) {
                answers[attendee.value.lowercased()] = answer
            }
        }
        return answers
    }

    /// The SEQUENCE of the booking's event as last written (0 when it has none, or is gone).
    public func sequence(of booking: BookingRecord) async throws(BookingError) -> Int {
        guard let event = try await storedEvent(of: booking) else { return 0 }
        return (try? event.sequence) ?? 0
    }

    /// The booking's VEVENT as last written, if it is there and reads.
    private func storedEvent(of booking: BookingRecord) async throws(BookingError) -> Component? {
        let item = try await storeCall { store throws(StoreError) in try await store.item(in: booking.collectionID, localID: booking.localID) }
        guard let data = item?.currentData, let calendar = try? ICalendarParser().parse(data).components.first else { return nil }
        return calendar.components.first { $0.name == ComponentName.event }
    }

    func resource(named name: String) async throws(BookingError) -> ResourceRecord {
        guard let resource = try await storeCall({ store throws(StoreError) in try await store.resource(named: name) })
        else { throw .unknownResource(name) }
        return resource
    }

    func resource(id: String) async throws(BookingError) -> ResourceRecord {
        guard let resource = try await storeCall({ store throws(StoreError) in try await store.resource(id: id) })
        else { throw .unknownResource(id) }
        return resource
    }

    /// The booking with this id.
    public func existing(_ id: String) async throws(BookingError) -> BookingRecord {
        guard let booking = try await storeCall({ store throws(StoreError) in try await store.booking(id: id) }) else { throw .unknownBooking(id) }
        return booking
    }

    func storeCall<T>(_ body: (any BookingStore) async throws(StoreError) -> T) async throws(BookingError) -> T {
        do { return try await body(store) } catch { throw .store(error) }
    }
}

/// The events busy time read conservatively, each reported once (at most 100,000 kept).
private final class ConservativeReadings: Sendable {
    private let seen = Mutex<Set<EventReference>>([])

    /// Whether `event` is seen for the first time.
    func first(_ event: EventReference) -> Bool {
        seen.withLock { seen in seen.count < 100_000 && seen.insert(event).inserted }
    }

    var count: Int { seen.withLock { $0.count } }
}

/// A booking as its events carry it: the API's `Booking` (`id`, `resource` as the tenant
/// names it, `status`, `start`, `end`, `summary`, `attendees`).
struct BookingEventData: Encodable, Sendable {
    var id: String
    var resource: String
    var status: String
    var start: Date
    var end: Date
    var summary: String
    var attendees: [String]

    init(_ booking: BookingRecord, resource: ResourceRecord) {
        id = booking.id
        self.resource = resource.localName
        status = booking.status.rawValue
        start = Date(timeIntervalSince1970: TimeInterval(booking.start))
        end = Date(timeIntervalSince1970: TimeInterval(booking.end))
        summary = booking.summary
        attendees = booking.attendees
    }
}
