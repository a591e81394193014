import Availability
import CalendarEditing
import SwitchboardCore
import Foundation
import ICalendar
import SwitchboardAPI
import SyncEngine
import SwitchboardStore

/// Events of the tenant's calendars: listed from the store, written through the sync engine.
extension APIHandler {
    func listEvents(_ input: Operations.ListEvents.Input) async throws -> Operations.ListEvents.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let calendar = try await collection(input.path.calendarId, of: try Principal.requiring(.read), kind: .calendar)
            let window = try window(input.query.from, input.query.to)
            let listed = try await call { () throws(EventError) in
                try await events.events(in: calendar, from: window.start, to: window.end, expand: input.query.expand ?? true)
            }
            return .ok(.init(body: .json(listed.map { Self.event($0.snapshot, id: $0.id, calendarID: $0.calendarID, etag: $0.etag, state: $0.state) })))
        }
    }

    func getEvent(_ input: Operations.GetEvent.Input) async throws -> Operations.GetEvent.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let calendar = try await collection(input.path.calendarId, of: try Principal.requiring(.read), kind: .calendar)
            let stored = try await call { () throws(EventError) in try await events.event(in: calendar, id: input.path.eventId) }
            return .ok(.init(headers: .init(eTag: stored.etag), body: .json(Self.event(stored))))
        }
    }

    func createEvent(_ input: Operations.CreateEvent.Input) async throws -> Operations.CreateEvent.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.book)
            let calendar = try await collection(input.path.calendarId, of: principal, kind: .calendar)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            let draft = try Self.draft(body)
            let account = try await invitingAccount(body.invite == true, body.mailAccountId, for: nil, of: principal)
            let result = try await call { () throws(EventError) in try await hub.createEvent(in: calendar, draft, invitingFrom: account) }
            guard let created = result.event else { throw Problem(EventError.conflict(current: nil)) }
            return .created(.init(headers: .init(eTag: created.etag), body: .json(Self.event(created, invitations: account.map { _ in result }))))
        }
    }

    func updateEvent(_ input: Operations.UpdateEvent.Input) async throws -> Operations.UpdateEvent.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.book)
            let calendar = try await collection(input.path.calendarId, of: principal, kind: .calendar)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            let draft = try Self.draft(body)
            let scope = try Self.scope(input.query.occurrence, input.query.range)
            let account = try await invitingAccount(body.invite == true, body.mailAccountId, event: input.path.eventId, in: calendar, of: principal)
            let result = try await call { () throws(EventError) in
                try await hub.updateEvent(in: calendar, id: input.path.eventId, scope: scope, with: draft, ifMatch: input.headers.ifMatch,
                                          invitingFrom: account)
            }
            guard let answered = result.split ?? result.event else { throw Problem(EventError.conflict(current: nil)) }
            return .ok(.init(headers: .init(eTag: answered.etag), body: .json(Self.event(answered, invitations: account.map { _ in result }))))
        }
    }

    func deleteEvent(_ input: Operations.DeleteEvent.Input) async throws -> Operations.DeleteEvent.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.book)
            let calendar = try await collection(input.path.calendarId, of: principal, kind: .calendar)
            let scope = try Self.scope(input.query.occurrence, input.query.range)
            let account = try await invitingAccount(input.query.invite == true, input.query.mailAccountId, event: input.path.eventId, in: calendar,
                                                    of: principal)
            let result = try await call { () throws(EventError) in
                try await hub.deleteEvent(in: calendar, id: input.path.eventId, scope: scope, ifMatch: input.headers.ifMatch, invitingFrom: account)
            }
            guard let left = result.event else { return .noContent(.init()) }
            return .ok(.init(body: .json(Self.event(left, invitations: account.map { _ in result }))))
        }
    }

    /// The mail account that invites, when the request asks to invite.
    private func invitingAccount(_ invite: Bool, _ reference: String?, event id: String, in calendar: CollectionRecord,
                                 of principal: Principal) async throws(Problem) -> MailAccountRecord? {
        guard invite else { return nil }
        let event = try await call { () throws(EventError) in try await events.event(in: calendar, id: id) }
        return try await invitingAccount(invite, reference, for: event.object, of: principal)
    }

    private func invitingAccount(_ invite: Bool, _ reference: String?, for event: Component?, of principal: Principal) async throws(Problem)
        -> MailAccountRecord?
    {
        guard invite else { return nil }
        do {
            return try await hub.invitingAccount(reference, for: event, tenantID: principal.tenantID)
        } catch {
            throw Problem(error, connecting: false)
        }
    }

    func call<T>(_ body: () async throws(EventError) -> T) async throws(Problem) -> T {
        do { return try await body() } catch { throw Problem(error) }
    }

    // MARK: Reading requests

    /// The request's event as a draft, refused by field when it cannot be one.
    static func draft(_ body: Components.Schemas.EventInput) throws(Problem) -> EventDraft {
        // The spec's limits (the generated layer checks types, not lengths).
        for (field, text, limit) in [("summary", body.summary, 500), ("description", body.description ?? "", 4000),
                                     ("location", body.location ?? "", 500), ("recurrence", body.recurrence ?? "", 500),
                                     ("timeZone", body.timeZone ?? "", 64)] where text.count > limit {
            throw Problem.invalid(field, "at most \(limit) characters")
        }
        let timing: EventDraft.Timing
        switch (body.start, body.end, body.startDate, body.endDate) {
        case (let start?, let end?, nil, nil):
            timing = .timed(start: Int64(start.timeIntervalSince1970.rounded(.down)), end: Int64(end.timeIntervalSince1970.rounded(.up)),
                            timeZone: body.timeZone)
        case (nil, nil, let first?, let end?):
            timing = .allDay(first: try day(first, field: "startDate"), end: try day(end, field: "endDate"))
        case (nil, nil, let first?, nil):
            let day = try day(first, field: "startDate")
            timing = .allDay(first: day, end: day.adding(days: 1))
        default:
            throw Problem.invalid("start", "give start and end (a timed event) or startDate and endDate (an all-day one)")
        }
        var recurrence: RecurrenceRule?
        if let text = body.recurrence {
            do {
                recurrence = try RecurrenceRule(parsing: text.hasPrefix("RRULE:") ? String(text.dropFirst(6)) : text)
            } catch {
                throw Problem.invalid("recurrence", "not an RRULE value: \(error)")
            }
        }
        do throws(EventEditError) {
            let draft = EventDraft(summary: body.summary, timing: timing, description: body.description, location: body.location,
                                   recurrence: recurrence, status: body.status.map { EventStatus(rawValue: $0.rawValue) },
                                   transparent: body.transparent ?? false,
                                   attendees: try body.attendees.map { (addresses) throws(EventEditError) in try EventDraft.validatedAttendees(addresses) })
            try draft.validate()
            return draft
        } catch {
            throw Problem.invalid(error.field ?? "body", error.message)
        }
    }

    static func scope(_ occurrence: Date?, _ range: Components.Parameters.Range?) throws(Problem) -> EditScope {
        guard let occurrence else {
            if range == .thisAndFuture { throw Problem.invalid("occurrence", "thisAndFuture needs the occurrence it starts from") }
            return .series
        }
        let instant = Int64(occurrence.timeIntervalSince1970.rounded(.down))
        return range == .thisAndFuture ? .thisAndFuture(instant) : .occurrence(instant)
    }

    /// A `YYYY-MM-DD` date.
    static func day(_ text: String, field: String) throws(Problem) -> CalendarDate {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            let date = CalendarDate(validatingYear: year, month: month, day: day)
        else { throw Problem.invalid(field, "a date as YYYY-MM-DD") }
        return date
    }

    // MARK: Rendering

    static func event(_ stored: StoredEvent, invitations: EventChangeResult? = nil) -> Components.Schemas.Event {
        var event = event(stored.snapshot, id: stored.id, calendarID: stored.calendarID, etag: stored.etag, state: stored.state)
        event.invitations = invitations.map { .init(sent: $0.invitations.map(Self.sent), failures: $0.invitationFailures) }
        return event
    }

    static func event(_ snapshot: EventSnapshot, id: String, calendarID: String, etag: String, state: ItemSyncState) -> Components.Schemas.Event {
        .init(id: id, calendarId: calendarID, etag: etag, syncState: .init(rawValue: state.rawValue) ?? .pending, uid: snapshot.uid,
              summary: snapshot.summary, description: snapshot.description, location: snapshot.location,
              start: date(snapshot.start), end: date(snapshot.end), allDay: snapshot.allDay != nil,
              startDate: snapshot.allDay.map { dayText($0.first) }, endDate: snapshot.allDay.map { dayText($0.end) },
              timeZone: snapshot.timeZone, floating: snapshot.floating, recurrence: snapshot.recurrence,
              occurrence: snapshot.occurrence.map(date), status: snapshot.status, transparent: snapshot.transparent, sequence: snapshot.sequence,
              organizer: snapshot.organizer,
              attendees: snapshot.attendees.isEmpty ? nil : snapshot.attendees.map { .init(address: $0.address, participation: $0.participation, name: $0.commonName) })
    }

    static func dayText(_ date: CalendarDate) -> String {
        let text = date.icalendarText
        return "\(text.prefix(4))-\(text.dropFirst(4).prefix(2))-\(text.suffix(2))"
    }
}
