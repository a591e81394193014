import Availability
import CalendarEditing
import Foundation
import SwitchboardCore
import Scheduling
import SwitchboardAPI
import SyncEngine
import SwitchboardStore

/// One failure as the API reports it (RFC 9457): an HTTP status, a stable `code` for
/// programs, a human `detail`, and — for validation — the fields at fault. Everything the
/// server refuses becomes one of these at the edge; nothing below knows about HTTP.
struct Problem: Error, Sendable, Hashable {
    var status: Int
    var code: String
    var title: String
    var detail: String?
    var fields: [(field: String, message: String)] = []
    /// The current version of what a conflicting change was about (409, 412).
    var current: Components.Schemas.Problem.CurrentPayload?
    /// Seconds until the request may be made again (`Retry-After`, for 429).
    var retryAfterSeconds: Double?

    /// The problem with `Retry-After`.
    func retrying(after seconds: Double) -> Problem {
        var problem = self
        problem.retryAfterSeconds = seconds
        return problem
    }

    static func == (lhs: Problem, rhs: Problem) -> Bool {
        lhs.status == rhs.status && lhs.code == rhs.code && lhs.detail == rhs.detail
            && lhs.fields.map(\.field) == rhs.fields.map(\.field) && lhs.fields.map(\.message) == rhs.fields.map(\.message)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(status)
        hasher.combine(code)
        hasher.combine(detail)
    }

    static let unauthorized = Problem(status: 401, code: "unauthorized", title: "Unauthorized",
                                      detail: "send an API key as 'Authorization: Bearer sb_…'")

    static func forbidden(_ detail: String) -> Problem { Problem(status: 403, code: "forbidden", title: "Forbidden", detail: detail) }

    static func invalid(_ field: String, _ message: String) -> Problem {
        Problem(status: 400, code: "invalid_request", title: "Invalid request", detail: "\(field): \(message)", fields: [(field, message)])
    }

    static func notFound(_ what: String) -> Problem { Problem(status: 404, code: "not_found", title: "Not found", detail: what) }

}

extension Problem {
    /// What a booking failure means to a caller.
    init(_ error: BookingError) {
        switch error {
        case .unknownResource(let name):
            self.init(status: 404, code: "resource_not_found", title: "No such resource", detail: "no resource named \(name)")
        case .unknownBooking(let id):
            self.init(status: 404, code: "booking_not_found", title: "No such booking", detail: "no booking \(id)")
        case .invalidInput(let field, let reason):
            self = .invalid(field, reason)
        case .refused(let refusal):
            self.init(status: 409, code: "not_bookable", title: "Not bookable", detail: refusal.description)
        case .conflict:
            self.init(status: 409, code: "conflict", title: "Conflict", detail: error.description)
        case .invalidState(let why):
            self.init(status: 409, code: "invalid_state", title: "Invalid state", detail: why)
        case .staleData:
            self.init(status: 503, code: "stale_data", title: "Calendar data too old", detail: error.description)
        case .sync:
            self.init(status: 502, code: "upstream_failed", title: "The calendar server failed", detail: error.description)
        case .rules:
            self.init(status: 500, code: "resource_misconfigured", title: "Resource misconfigured", detail: error.description)
        case .store(let error):
            self.init(error)
        }
    }

    /// A store failure: details stay in the log, not in the answer.
    /// A record the request names that is not there (or is another tenant's).
    init(_ error: LookupError) {
        switch error {
        case .unknownCalendar(let id): self.init(EventError.unknownCalendar(id))
        case .unknownAddressBook(let id): self.init(ContactError.unknownAddressBook(id))
        case .unknownResource(let name): self.init(BookingError.unknownResource(name))
        case .unknownBooking(let id): self.init(BookingError.unknownBooking(id))
        case .unknownAccount, .unknownCollection, .unknownFeed: self = .notFound(error.description)
        case .store(let error): self.init(error)
        }
    }

    init(_ error: StoreError) {
        self.init(status: 503, code: "store_unavailable", title: "Store unavailable", detail: "the store could not answer (\(error.code))")
    }
}

extension Problem {
    /// What an event failure means to a caller (the current version rides along on 409/412).
    init(_ error: EventError) {
        switch error {
        case .unknownCalendar(let id):
            self.init(status: 404, code: "calendar_not_found", title: "No such calendar", detail: "no calendar \(id)")
        case .unknownEvent(let id):
            self.init(status: 404, code: "event_not_found", title: "No such event", detail: "no event \(id)")
        case .edit(let edit):
            switch edit.code {
            case .notFound:
                self.init(status: 404, code: "occurrence_not_found", title: "No such occurrence", detail: edit.message)
            default:
                self = .invalid(edit.field ?? "body", edit.message)
            }
        case .preconditionFailed(let current):
            self.init(status: 412, code: "precondition_failed", title: "Precondition failed", detail: error.description)
            self.current = .Event(APIHandler.event(current))
        case .conflict(let current):
            self.init(status: 409, code: "conflict", title: "Conflict", detail: error.description)
            self.current = current.map { .Event(APIHandler.event($0)) }
        case .unreadable(let why):
            self.init(status: 422, code: "unreadable_event", title: "The stored event cannot be read", detail: why)
        case .tooMany:
            self.init(status: 422, code: "too_many_events", title: "Too many events", detail: error.description)
        case .store(let error):
            self.init(error)
        }
    }

    /// A sync failure that stopped an operation (a sync run that fails is an answer, not this).
    init(_ error: SyncError) {
        switch error.code {
        case .store: self.init(status: 503, code: "store_unavailable", title: "Store unavailable", detail: "the store could not answer")
        default: self.init(status: 502, code: "upstream_failed", title: "The calendar server failed", detail: error.description)
        }
    }
}
