import Availability
import Caching
import Foundation
import ICalendar
import Logging
import SwitchboardCore
import Scheduling
import SyncEngine
import SwitchboardAPI
import SwitchboardStore
import Webhooks

/// The API's operations (generated from `openapi.yaml`), translated to and from the
/// application (``Hub``). Every operation runs as the request's ``Principal``: it needs a
/// scope, and sees only its tenant (``Tenant``) — another tenant's records look exactly
/// like ones that do not exist.
struct APIHandler: APIProtocol {
    let hub: Hub
    /// The sync service running beside the server, if any: pushed changes are synced through it.
    let sync: SyncService?
    /// Where the server is reached from outside (calendar servers' webhooks call back there).
    let publicURL: URL?
    /// The OIDC providers (tenants register their own).
    let identities: IdentityProviders
    /// The server's log, where the audit lines of administrative actions go too.
    let logger: Logger
    /// The largest file an upload may bring.
    var maxFileBytes = 4 << 30
    /// The longest window one question may span.
    let maxWindow: Int64 = 400 * 86_400

    var store: any AppStore { hub.store }
    var service: BookingService { hub.bookings }
    var events: EventService { hub.events }
    var contacts: ContactService { hub.contacts }
    var syncer: StoreSyncer { hub.syncer }
    var resolver: ConflictResolver { hub.resolver }
    var webhooks: WebhookService { hub.webhooks }
    var push: PushSubscriptions { hub.push }

    /// Writes an audit line for an administrative action (at notice, beside the request
    /// lines): who (key or token subject, tenant, client address), what, and on which record.
    func audit(_ action: String, _ principal: Principal, target: String) {
        logger.notice("audit", metadata: [
            "action": .string(action), "target": .string(target), "key_id": .string(principal.keyID),
            "tenant": .string(principal.tenantID), "client": .string(RequestCaller.current?.address ?? "-"),
            "request_id": .string(Principal.requestID),
        ])
    }

    // MARK: Health

    func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output {
        .ok(.init(body: .json(.init(status: .ok))))
    }

    func getReadiness(_ input: Operations.GetReadiness.Input) async throws -> Operations.GetReadiness.Output {
        do {
            _ = try await store.tenants()
            return .ok(.init(body: .json(.init(status: .ok))))
        } catch {
            return .serviceUnavailable(Problem(error).document)
        }
    }

    // MARK: Availability

    func listResources(_ input: Operations.ListResources.Input) async throws -> Operations.ListResources.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.read)
            let resources = try await lookup { () throws(LookupError) in try await hub.tenant(principal.tenantID).resources() }
            return .ok(.init(body: .json(try resources.map { resource throws(Problem) in
                let rules = try Self.rules(of: resource)
                return .init(name: resource.localName, timeZone: rules.timeZone,
                             weeklyHours: WeeklyHours.text(of: rules.weeklyHours),
                             slotMinutes: Int(rules.slotLength / 60), stepMinutes: Int(rules.slotStep / 60))
            })))
        }
    }

    func getAvailability(_ input: Operations.GetAvailability.Input) async throws -> Operations.GetAvailability.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.read)
            let query = input.query
            let resource = try await resource(named: query.resource, of: principal)
            let window = try window(query.from, query.to)
            let zoneName: String
            if let tz = query.tz { zoneName = tz } else { zoneName = try Self.rules(of: resource).timeZone }
            guard let zone = IANAZoneRules(identifier: zoneName) else { throw Problem.invalid("tz", "unknown time zone \(zoneName)") }
            let now = Date()
            let answer = try await call { () throws(BookingError) in try await service.availability(of: resource, in: window, now: now) }
            return .ok(.init(body: .json(.init(
                resource: query.resource, from: query.from, to: query.to, timeZone: zoneName,
                slots: answer.slots.map { .init(start: Self.date($0.start), end: Self.date($0.end), localStart: zone.iso8601($0.start),
                                         localEnd: zone.iso8601($0.end)) },
                busy: answer.busy.map(Self.span), free: answer.free.map(Self.span)))))
        }
    }

    // MARK: Bookings

    func listBookings(_ input: Operations.ListBookings.Input) async throws -> Operations.ListBookings.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.read)
            let resource = try await resource(named: input.query.resource, of: principal)
            let window = try window(input.query.from, input.query.to)
            let bookings = try await call { () throws(BookingError) in try await service.bookings(resource: resource.name, in: window) }
            return .ok(.init(body: .json(bookings.map { Self.booking($0, resource: resource.localName) })))
        }
    }

    func createBooking(_ input: Operations.CreateBooking.Input) async throws -> Operations.CreateBooking.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.book)
            guard case .json(let request) = input.body else { throw Problem.invalid("body", "send application/json") }
            let resource = try await resource(named: request.resource, of: principal)
            let interval = try interval(request.start, request.end, field: "end")
            let made = try await call { () throws(BookingError) in
                try await hub.book(resource: resource.name, interval, summary: request.summary, attendees: request.attendees ?? [])
            }
            return .created(.init(body: .json(Self.booking(made, resource: resource.localName))))
        }
    }

    func getBooking(_ input: Operations.GetBooking.Input) async throws -> Operations.GetBooking.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let (booking, resource) = try await booking(input.path.id, of: try Principal.requiring(.read))
            return .ok(.init(body: .json(Self.booking(booking, resource: resource.localName))))
        }
    }

    func confirmBooking(_ input: Operations.ConfirmBooking.Input) async throws -> Operations.ConfirmBooking.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.book)
            let (booking, resource) = try await booking(input.path.id, of: principal)
            let confirmed = Self.booking(try await call { () throws(BookingError) in try await hub.confirm(booking.id) }, resource: resource.localName)
            return .ok(.init(body: .json(confirmed)))
        }
    }

    func rescheduleBooking(_ input: Operations.RescheduleBooking.Input) async throws -> Operations.RescheduleBooking.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.book)
            let (booking, resource) = try await booking(input.path.id, of: principal)
            guard case .json(let span) = input.body else { throw Problem.invalid("body", "send application/json") }
            let interval = try interval(span.start, span.end, field: "end")
            let moved = Self.booking(try await call { () throws(BookingError) in try await hub.reschedule(booking.id, to: interval) },
                                     resource: resource.localName)
            return .ok(.init(body: .json(moved)))
        }
    }

    func cancelBooking(_ input: Operations.CancelBooking.Input) async throws -> Operations.CancelBooking.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.book)
            let (booking, resource) = try await booking(input.path.id, of: principal)
            let cancelled = Self.booking(try await call { () throws(BookingError) in try await hub.cancel(booking.id) }, resource: resource.localName)
            return .ok(.init(body: .json(cancelled)))
        }
    }

    // MARK: Helpers

    /// The operation's answer, or its problem as the operation's problem response.
    func answer<Output>(problem: (Problem) -> Output, _ body: () async throws(Problem) -> Output) async -> Output {
        do {
            return try await body()
        } catch {
            return problem(error)
        }
    }

    func call<T>(_ body: () async throws(BookingError) -> T) async throws(Problem) -> T {
        do { return try await body() } catch { throw Problem(error) }
    }

    func call<T>(_ body: () async throws(StoreError) -> T) async throws(Problem) -> T {
        do { return try await body() } catch { throw Problem(error) }
    }

    func call<T>(_ body: () async throws(ConflictError) -> T) async throws(Problem) -> T {
        do { return try await body() } catch { throw Problem(error) }
    }

    /// A lookup in the principal's tenant; a record it may not reach is the problem of one that is not there.
    func lookup<T>(_ body: () async throws(LookupError) -> T) async throws(Problem) -> T {
        do { return try await body() } catch { throw Problem(error) }
    }

    /// The principal's tenant's resource of that name.
    func resource(named name: String, of principal: Principal) async throws(Problem) -> ResourceRecord {
        try await lookup { () throws(LookupError) in try await hub.tenant(principal.tenantID).resource(named: name) }
    }

    /// A booking of one of the principal's tenant's resources.
    private func booking(_ id: String, of principal: Principal) async throws(Problem) -> (BookingRecord, ResourceRecord) {
        try await lookup { () throws(LookupError) in try await hub.tenant(principal.tenantID).booking(id) }
    }

    func window(_ from: Date, _ to: Date) throws(Problem) -> Interval {
        let window = try interval(from, to, field: "to")
        guard window.end - window.start <= maxWindow else { throw Problem.invalid("to", "a window spans at most \(maxWindow / 86_400) days") }
        return window
    }

    func interval(_ start: Date, _ end: Date, field: String) throws(Problem) -> Interval {
        let interval = Interval(start: Int64(start.timeIntervalSince1970.rounded(.down)), end: Int64(end.timeIntervalSince1970.rounded(.up)))
        guard interval.start < interval.end else { throw Problem.invalid(field, "must be after the start") }
        return interval
    }

    private static func rules(of resource: ResourceRecord) throws(Problem) -> ResourceRules {
        do {
            return try JSONDecoder().decode(ResourceRules.self, from: Data(resource.rules.utf8))
        } catch {
            throw Problem(.rules(AvailabilityError("stored rules of \(resource.name) do not decode")))
        }
    }

    static func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }

    private static func span(_ interval: Interval) -> Components.Schemas.TimeSpan {
        .init(start: date(interval.start), end: date(interval.end))
    }

    private static func booking(_ booking: BookingRecord, resource: String) -> Components.Schemas.Booking {
        .init(id: booking.id, resource: resource, status: .init(rawValue: booking.status.rawValue) ?? .pending,
              start: date(booking.start), end: date(booking.end), summary: booking.summary, attendees: booking.attendees)
    }

    /// A changed booking, with the invitation the change sent (or why it could not).
    private static func booking(_ change: BookingChangeResult, resource: String) -> Components.Schemas.Booking {
        var answer = booking(change.booking, resource: resource)
        if change.invitation != nil || change.invitationFailure != nil {
            answer.invitations = .init(sent: change.invitation.map { [sent($0)] } ?? [], failures: change.invitationFailure.map { [$0] } ?? [])
        }
        return answer
    }
}

extension Problem {
    /// The problem as the spec's problem response, for the current request.
    var document: Components.Responses.Problem {
        .init(body: .applicationProblemJson(payload(requestID: Principal.requestID)))
    }

    /// The RFC 9457 document's content, in the spec's own type (one shape for every problem).
    func payload(requestID: String) -> Components.Schemas.Problem {
        .init(_type: "urn:switchboard:problem:\(code)", title: title, status: status, detail: detail, code: code,
              requestId: requestID, errors: fields.isEmpty ? nil : fields.map { .init(field: $0.field, message: $0.message) },
              current: current)
    }
}
