import Foundation

extension SQLStore: BookingStore {
    /// Keeps `resource`; a tenant's resource must name calendars of that tenant's accounts
    /// only (else its feeds and bookings would reach another tenant's calendar).
    public func saveResource(_ resource: ResourceRecord) async throws(StoreError) {
        if let tenantID = resource.tenantID {
            let named = Set(resource.calendarIDs + [resource.bookingCalendarID])
            let found = try await collections(ids: Array(named))
            var owners: [String: String?] = [:]
            for accountID in Set(found.map(\.accountID)) { owners[accountID] = try await account(id: accountID)?.tenantID }
            if let foreign = found.first(where: { owners[$0.accountID] != .some(tenantID) }) {
                throw StoreError(.constraint, operation: "saveResource", detail: "calendar \(foreign.href) is not one of the tenant's")
            }
            if found.count < named.count {
                throw StoreError(.constraint, operation: "saveResource", detail: "a calendar of the resource is not in the store")
            }
        }
        _ = try await database.run([upsert("resources", key: ["id"], try resource.row)], operation: "saveResource")
    }

    public func resources() async throws(StoreError) -> [ResourceRecord] {
        try await database.read([SQLStatement("SELECT * FROM resources ORDER BY name")], operation: "resources")[0].map {
            row throws(StoreError) in try ResourceRecord(row: row)
        }
    }

    public func resource(id: String) async throws(StoreError) -> ResourceRecord? {
        try await database.read([SQLStatement("SELECT * FROM resources WHERE id = ?", [.text(id)])], operation: "resource")[0].first
            .map { row throws(StoreError) in try ResourceRecord(row: row) }
    }

    public func resource(named name: String) async throws(StoreError) -> ResourceRecord? {
        try await database.read([SQLStatement("SELECT * FROM resources WHERE name = ?", [.text(name)])], operation: "resourceByName")[0].first
            .map { row throws(StoreError) in try ResourceRecord(row: row) }
    }

    public func deleteResource(id: String) async throws(StoreError) {
        _ = try await database.run([SQLStatement("DELETE FROM resources WHERE id = ?", [.text(id)])], operation: "deleteResource")
    }

    public func insertBooking(_ booking: BookingRecord, calendars: [String], event: DomainEventRecord?) async throws(StoreError) -> Bool {
        let row = try booking.row
        let columns = row.map(\.column)
        let calendars = Self.lockedCalendars(calendars, booking)
        let (free, freeBinds) = Self.free(resourceID: booking.resourceID, calendars: calendars, except: booking.id, start: booking.start, end: booking.end)
        let insert = SQLStatement(
            "INSERT INTO bookings (\(columns.joined(separator: ", "))) SELECT \(Array(repeating: "?", count: columns.count).joined(separator: ", ")) "
                + "WHERE \(free) RETURNING id",
            row.map(\.value) + freeBinds)
        let locks = Self.locks(resourceID: booking.resourceID, calendars: calendars)
        let written = (sql: "EXISTS (SELECT 1 FROM bookings WHERE id = ?)", binds: [SQLValue.text(booking.id)])
        let recorded = event.map { [Self.record($0, if: written)] } ?? []
        return try await !database.run(locks + [insert] + recorded, operation: "insertBooking")[locks.count].isEmpty
    }

    public func moveBooking(_ booking: BookingRecord, calendars: [String], event: DomainEventRecord?) async throws(StoreError) -> Bool {
        let calendars = Self.lockedCalendars(calendars, booking)
        let (free, freeBinds) = Self.free(resourceID: booking.resourceID, calendars: calendars, except: booking.id, start: booking.start, end: booking.end)
        let move = SQLStatement(
            "UPDATE bookings SET start_utc = ?, end_utc = ?, updated_at = ? WHERE id = ? AND \(free) RETURNING id",
            [.integer(booking.start), .integer(booking.end), .integer(booking.updatedAt.storeMilliseconds), .text(booking.id)] + freeBinds)
        let locks = Self.locks(resourceID: booking.resourceID, calendars: calendars)
        let moved = (sql: "EXISTS (SELECT 1 FROM bookings WHERE id = ? AND start_utc = ? AND end_utc = ? AND updated_at = ?)",
                     binds: [SQLValue.text(booking.id), .integer(booking.start), .integer(booking.end), .integer(booking.updatedAt.storeMilliseconds)])
        let recorded = event.map { [Self.record($0, if: moved)] } ?? []
        return try await !database.run(locks + [move] + recorded, operation: "moveBooking")[locks.count].isEmpty
    }

    /// The calendars a booking is checked against: the resource's and its own, once each, in id order.
    private static func lockedCalendars(_ calendars: [String], _ booking: BookingRecord) -> [String] {
        Array(Set(calendars + [booking.collectionID])).sorted()
    }

    /// Locks the resource's row and each calendar's for the rest of the transaction, in id
    /// order (so two bookers never wait on each other crosswise): concurrent bookers wait
    /// here, and each one's next statement sees what the previous committed (PostgreSQL's
    /// READ COMMITTED reads per statement; SQLite serialises writers anyway).
    private static func locks(resourceID: String, calendars: [String]) -> [SQLStatement] {
        calendars.map { SQLStatement("UPDATE collections SET id = id WHERE id = ?", [.text($0)]) }
            + [SQLStatement("UPDATE resources SET lock_version = lock_version + 1 WHERE id = ?", [.text(resourceID)])]
    }

    /// The condition that no other active booking of the resource, or on one of `calendars`,
    /// overlaps `[start, end)`.
    private static func free(resourceID: String, calendars: [String], except id: String, start: Int64, end: Int64) -> (String, [SQLValue]) {
        let placeholders = Array(repeating: "?", count: calendars.count).joined(separator: ", ")
        return ("NOT EXISTS (SELECT 1 FROM bookings WHERE (resource_id = ? OR collection_id IN (\(placeholders))) AND id <> ? "
                    + "AND status <> 'cancelled' AND start_utc < ? AND end_utc > ?)",
                [.text(resourceID)] + calendars.map(SQLValue.text) + [.text(id), .integer(end), .integer(start)])
    }

    public func saveBooking(_ booking: BookingRecord, event: DomainEventRecord?) async throws(StoreError) {
        let update = SQLStatement(
            "UPDATE bookings SET status = ?, summary = ?, attendees = ?, collection_id = ?, local_id = ?, updated_at = ? WHERE id = ?",
            [.text(booking.status.rawValue), .text(booking.summary), .text(try Self.json(booking.attendees)), .text(booking.collectionID),
             .text(booking.localID), .integer(booking.updatedAt.storeMilliseconds), .text(booking.id)])
        _ = try await database.run([update] + (event.map { [Self.record($0)] } ?? []), operation: "saveBooking")
    }

    public func booking(id: String) async throws(StoreError) -> BookingRecord? {
        try await database.read([SQLStatement("SELECT * FROM bookings WHERE id = ?", [.text(id)])], operation: "booking")[0].first
            .map { row throws(StoreError) in try BookingRecord(row: row) }
    }

    public func bookings(resourceID: String, from: Int64, to: Int64) async throws(StoreError) -> [BookingRecord] {
        try await database.read([Self.bookingsStatement(resourceID: resourceID, from: from, to: to)], operation: "bookings")[0].map {
            row throws(StoreError) in try BookingRecord(row: row)
        }
    }

    private static func bookingsStatement(resourceID: String, from: Int64, to: Int64) -> SQLStatement {
        SQLStatement("SELECT * FROM bookings WHERE resource_id = ? AND start_utc < ? AND end_utc > ? ORDER BY start_utc, id",
                     [.text(resourceID), .integer(to), .integer(from)])
    }

    public func snapshot(of resource: ResourceRecord, busy: (start: Int64, end: Int64), bookings: (start: Int64, end: Int64))
        async throws(StoreError) -> ResourceSnapshot
    {
        let calendarIDs = resource.calendarIDs
        var statements = [Self.bookingsStatement(resourceID: resource.id, from: bookings.start, to: bookings.end)]
        if !calendarIDs.isEmpty {
            statements += [Self.collectionsStatement(ids: calendarIDs), Self.itemVersionsStatement(in: calendarIDs, from: busy.start, to: busy.end)]
        }
        let rows = try await database.read(statements, operation: "resourceSnapshot")
        return ResourceSnapshot(
            calendars: try rows.count > 1 ? rows[1].map { row throws(StoreError) in try CollectionRecord(row: row) } : [],
            versions: try rows.count > 2 ? rows[2].map(Self.itemVersion) : [],
            bookings: try rows[0].map { row throws(StoreError) in try BookingRecord(row: row) })
    }

    static func json(_ value: some Encodable) throws(StoreError) -> String {
        do {
            return String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
        } catch {
            throw StoreError(.database, operation: "encode", detail: "\(error)")
        }
    }

    static func strings(_ json: String) throws(StoreError) -> [String] {
        try decodeJSON([String].self, json)
    }

    static func decodeJSON<Value: Decodable>(_ type: Value.Type, _ json: String) throws(StoreError) -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(json.utf8))
        } catch {
            throw StoreError(.corrupt, operation: "read", detail: "JSON of \(type): \(error)")
        }
    }
}

extension ResourceRecord {
    var row: [(column: String, value: SQLValue)] {
        get throws(StoreError) {
            [("id", .text(id)), ("name", .text(name)), ("rules", .text(rules)), ("calendar_ids", .text(try SQLStore.json(calendarIDs))),
             ("booking_calendar_id", .text(bookingCalendarID)), ("tenant_id", tenantID.sql(SQLValue.text)),
             ("created_at", .integer(createdAt.storeMilliseconds)),
             ("invitation_account_id", (invitations?.mailAccountID).sql(SQLValue.text)),
             ("invite_pending", (invitations?.invitePending).sql(SQLValue.bool))]
        }
    }

    init(row: SQLRow) throws(StoreError) {
        self.init(id: try row.text("id"), name: try row.text("name"), rules: try row.text("rules"),
                  calendarIDs: try SQLStore.strings(try row.text("calendar_ids")), bookingCalendarID: try row.text("booking_calendar_id"),
                  tenantID: try row.optionalText("tenant_id"), createdAt: Date(storeMilliseconds: try row.integer("created_at")),
                  invitations: try row.optionalText("invitation_account_id").map { account throws(StoreError) in
                      ResourceInvitations(mailAccountID: account, invitePending: (try row.optionalInteger("invite_pending") ?? 0) != 0)
                  })
    }
}

extension BookingRecord {
    var row: [(column: String, value: SQLValue)] {
        get throws(StoreError) {
            [("id", .text(id)), ("resource_id", .text(resourceID)), ("collection_id", .text(collectionID)), ("local_id", .text(localID)),
             ("status", .text(status.rawValue)), ("start_utc", .integer(start)), ("end_utc", .integer(end)), ("summary", .text(summary)),
             ("attendees", .text(try SQLStore.json(attendees))), ("created_at", .integer(createdAt.storeMilliseconds)),
             ("updated_at", .integer(updatedAt.storeMilliseconds))]
        }
    }

    init(row: SQLRow) throws(StoreError) {
        let statusName = try row.text("status")
        guard let status = BookingStatus(rawValue: statusName) else {
            throw StoreError(.corrupt, operation: "read", detail: "booking status \(statusName) unknown")
        }
        self.init(id: try row.text("id"), resourceID: try row.text("resource_id"), collectionID: try row.text("collection_id"),
                  localID: try row.text("local_id"), status: status, start: try row.integer("start_utc"), end: try row.integer("end_utc"),
                  summary: try row.text("summary"), attendees: try SQLStore.strings(try row.text("attendees")),
                  createdAt: Date(storeMilliseconds: try row.integer("created_at")),
                  updatedAt: Date(storeMilliseconds: try row.integer("updated_at")))
    }
}
