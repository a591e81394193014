public import Foundation

/// A bookable resource (a person, a room): its rules (JSON of the availability engine's
/// `ResourceRules`), the calendars whose events make it busy, and the calendar bookings go to.
public struct ResourceRecord: Sendable, Hashable, Codable {
    public var id: String
    /// Unique in a store.
    public var name: String
    /// The rules as JSON.
    public var rules: String
    /// The collection ids of the calendars that make the resource busy.
    public var calendarIDs: [String]
    /// The collection id bookings are written to (one of `calendarIDs`).
    public var bookingCalendarID: String
    /// The tenant whose API keys reach it; `nil`: the operator's, through the CLI only.
    public var tenantID: String?
    public var createdAt: Date
    /// Whether and how bookings' attendees are invited by mail (iMIP); `nil`: they are not.
    public var invitations: ResourceInvitations?

    public init(id: String = UUID().uuidString, name: String, rules: String, calendarIDs: [String], bookingCalendarID: String,
                tenantID: String? = nil, createdAt: Date = Date(), invitations: ResourceInvitations? = nil) {
        self.id = id
        self.name = name
        self.rules = rules
        self.calendarIDs = calendarIDs
        self.bookingCalendarID = bookingCalendarID
        self.tenantID = tenantID
        self.createdAt = createdAt
        self.invitations = invitations
    }
}

/// How a resource's bookings invite their attendees (iMIP, RFC 6047): from which mail
/// account, and whether a pending request already invites or only its confirmation does.
public struct ResourceInvitations: Sendable, Hashable, Codable {
    /// The mail account that sends the invitations (and whose inbox gets the replies).
    public var mailAccountID: String
    /// `true`: a pending request invites at once; `false`: the confirmation does.
    public var invitePending: Bool

    public init(mailAccountID: String, invitePending: Bool = false) {
        self.mailAccountID = mailAccountID
        self.invitePending = invitePending
    }
}

/// Where a booking is in its life.
public enum BookingStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pending, confirmed, cancelled
}

/// A booking of a resource and the calendar item that carries it.
public struct BookingRecord: Sendable, Hashable, Codable {
    public var id: String
    public var resourceID: String
    /// The collection and local id of the event written for the booking.
    public var collectionID: String
    public var localID: String
    public var status: BookingStatus
    /// Seconds since 1970 UTC, `[start, end)`.
    public var start: Int64
    public var end: Int64
    public var summary: String
    /// Attendees' addresses (`mailto:…`).
    public var attendees: [String]
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String = UUID().uuidString, resourceID: String, collectionID: String, localID: String, status: BookingStatus = .pending,
                start: Int64, end: Int64, summary: String, attendees: [String] = [], createdAt: Date = Date(), updatedAt: Date = Date()) {
        self.id = id
        self.resourceID = resourceID
        self.collectionID = collectionID
        self.localID = localID
        self.status = status
        self.start = start
        self.end = end
        self.summary = summary
        self.attendees = attendees
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// What an availability question reads about one resource, from one consistent state of the
/// store, in one round trip to the database.
public struct ResourceSnapshot: Sendable {
    /// The resource's calendars as synced (their sync state tells how old their data is).
    public var calendars: [CollectionRecord]
    /// The items of those calendars that may be busy in the window asked (see
    /// ``SyncStore/itemVersions(in:overlappingFrom:to:)``).
    public var versions: [ItemVersion]
    /// The resource's bookings overlapping the bookings' window asked.
    public var bookings: [BookingRecord]

    public init(calendars: [CollectionRecord], versions: [ItemVersion], bookings: [BookingRecord]) {
        self.calendars = calendars
        self.versions = versions
        self.bookings = bookings
    }
}

/// What the booking engine keeps besides the sync state: resources and bookings, with the
/// one atomic step that makes double booking impossible.
public protocol BookingStore: SyncStore, OutboxStore {
    /// Adds or replaces a resource (names are unique).
    func saveResource(_ resource: ResourceRecord) async throws(StoreError)
    func resources() async throws(StoreError) -> [ResourceRecord]
    /// The resource with this id, if there is one.
    func resource(id: String) async throws(StoreError) -> ResourceRecord?
    /// The resource with this (stored, tenant-scoped) name, if there is one.
    func resource(named name: String) async throws(StoreError) -> ResourceRecord?
    func deleteResource(id: String) async throws(StoreError)

    /// Writes a new booking unless another active booking overlaps it on any of
    /// `calendars` (the resource's: a booking on a calendar the resource reads is busy time
    /// for it, whichever resource made it) or of its own resource: one transaction that
    /// first locks those calendars' rows (in id order), so concurrent callers — of one
    /// resource or of resources sharing a calendar, in this process or another sharing the
    /// database — are serialised and exactly one of two overlapping bookings wins. Returns
    /// whether it was written. `event`, when given, goes into the outbox in the same
    /// transaction, if the booking was written.
    func insertBooking(_ booking: BookingRecord, calendars: [String], event: DomainEventRecord?) async throws(StoreError) -> Bool
    /// Moves a booking to `booking`'s times under the same rule (itself excepted), with
    /// `event` into the outbox if it moved.
    func moveBooking(_ booking: BookingRecord, calendars: [String], event: DomainEventRecord?) async throws(StoreError) -> Bool
    /// Updates a booking's status and details (not its times: see
    /// ``moveBooking(_:calendars:event:)``), with `event` into the outbox.
    func saveBooking(_ booking: BookingRecord, event: DomainEventRecord?) async throws(StoreError)
    func booking(id: String) async throws(StoreError) -> BookingRecord?
    /// A resource's bookings overlapping `[from, to)`, by start.
    func bookings(resourceID: String, from: Int64, to: Int64) async throws(StoreError) -> [BookingRecord]
    /// The resource's calendars, their items that may be busy in `busy`, and its bookings
    /// overlapping `bookings` (half-open `[start, end)` each), read together.
    func snapshot(of resource: ResourceRecord, busy: (start: Int64, end: Int64), bookings: (start: Int64, end: Int64)) async throws(StoreError)
        -> ResourceSnapshot
}
