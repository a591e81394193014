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
            let calendar = try await collection(input.path.calendarId, of: try Principal.requiring(.book), kind: .calendar)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            let draft = try Self.draft(body)
            let created = try await call { () throws(EventError) in try await events.create(in: calendar, draft) }
            return .created(.init(headers: .init(eTag: created.etag), body: .json(Self.event(created))))
        }
    }

    func updateEvent(_ input: Operations.UpdateEvent.Input) async throws -> Operations.UpdateEvent.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let calendar = try await collection(input.path.calendarId, of: try Principal.requiring(.book), kind: .calendar)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            let draft = try Self.draft(body)
            let scope = try Self.scope(input.query.occurrence, input.query.range)
            let (event, split) = try await call { () throws(EventError) in
                try await events.update(in: calendar, id: input.path.eventId, scope: scope, with: draft, ifMatch: input.headers.ifMatch)
            }
            let answered = split ?? event
            return .ok(.init(headers: .init(eTag: answered.etag), body: .json(Self.event(answered))))
        }
    }

    func deleteEvent(_ input: Operations.DeleteEvent.Input) async throws -> Operations.DeleteEvent.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let calendar = try await collection(input.path.calendarId, of: try Principal.requiring(.book), kind: .calendar)
            let scope = try Self.scope(input.query.occurrence, input.query.range)
            let left = try await call { () throws(EventError) in
                try await events.delete(in: calendar, id: input.path.eventId, scope: scope, ifMatch: input.headers.ifMatch)
            }
            guard let left else { return .noContent(.init()) }
            return .ok(.init(body: .json(Self.event(left))))
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
        let draft = EventDraft(summary: body.summary, timing: timing, description: body.description, location: body.location,
                               recurrence: recurrence, status: body.status.map { EventStatus(rawValue: $0.rawValue) },
                               transparent: body.transparent ?? false)
        do {
            try draft.validate()
        } catch {
            throw Problem.invalid(error.field ?? "body", error.message)
        }
        return draft
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

    static func event(_ stored: StoredEvent) -> Components.Schemas.Event {
        event(stored.snapshot, id: stored.id, calendarID: stored.calendarID, etag: stored.etag, state: stored.state)
    }

    static func event(_ snapshot: EventSnapshot, id: String, calendarID: String, etag: String, state: ItemSyncState) -> Components.Schemas.Event {
        .init(id: id, calendarId: calendarID, etag: etag, syncState: .init(rawValue: state.rawValue) ?? .pending, uid: snapshot.uid,
              summary: snapshot.summary, description: snapshot.description, location: snapshot.location,
              start: date(snapshot.start), end: date(snapshot.end), allDay: snapshot.allDay != nil,
              startDate: snapshot.allDay.map { dayText($0.first) }, endDate: snapshot.allDay.map { dayText($0.end) },
              timeZone: snapshot.timeZone, floating: snapshot.floating, recurrence: snapshot.recurrence,
              occurrence: snapshot.occurrence.map(date), status: snapshot.status, transparent: snapshot.transparent, sequence: snapshot.sequence)
    }

    static func dayText(_ date: CalendarDate) -> String {
        let text = date.icalendarText
        return "\(text.prefix(4))-\(text.dropFirst(4).prefix(2))-\(text.suffix(2))"
    }
}
