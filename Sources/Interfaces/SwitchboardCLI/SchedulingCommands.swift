import Accounts
import ArgumentParser
import Availability
import DAVClient
import HTTPTransport
import Foundation
import ICalendar
import Logging
import Scheduling
import SwitchboardCore
import SyncEngine
import SwitchboardStore
import Webhooks

/// A duration on the command line: `90s`, `10m`, `2h`, `60d`.
struct CommandLineDuration: ExpressibleByArgument {
    let seconds: Int64

    init?(argument: String) {
        guard let unit = argument.last, let value = Int64(argument.dropLast()), value >= 0 else { return nil }
        switch unit {
        case "s": seconds = value
        case "m": seconds = value * 60
        case "h": seconds = value * 3600
        case "d": seconds = value * 86_400
        default: return nil
        }
    }
}

/// A time window from `--from` and `--to`.
struct WindowOptions: ParsableArguments {
    @Option(help: "Start (2026-03-01, 2026-03-01T09:00:00Z or with an offset).")
    var from: CommandLineDate

    @Option(help: "End, exclusive.")
    var to: CommandLineDate

    var interval: Interval { Interval(start: Int64(from.date.timeIntervalSince1970), end: Int64(to.date.timeIntervalSince1970)) }
}

/// Runs `body` with a booking service over the store; booking errors print and exit with 1.
func withBookingService<Result: Sendable>(
    _ store: StoreOptions, caFile: String? = nil, _ body: (BookingService, SQLStore) async throws -> Result
) async throws -> Result {
    let policy = try NetworkOptions.policy(allowing: NetworkOptions.ranges())
    return try await store.withStore { store, secrets in
        try await withBookingService(store: store, secrets: secrets, caFile: caFile, policy: policy) { service in try await body(service, store) }
    }
}

/// Runs `body` with the application's booking service over an open store (clients shut down after).
func withBookingService<Result: Sendable>(
    store: SQLStore, secrets: SecretBox, caFile: String?, policy: NetworkPolicy, _ body: (BookingService) async throws -> Result
) async throws -> Result {
    try await withHub(store: store, secrets: secrets, caFile: caFile, policy: policy, reporting: BookingError.self) { hub in
        try await body(hub.bookings)
    }
}

/// Runs a booking change through the application (the change, then the invitation it calls
/// for); an invitation that could not be sent is said on standard error.
func changeBooking(_ store: StoreOptions, caFile: String?, _ change: (Hub) async throws -> BookingChangeResult) async throws -> BookingRecord {
    let policy = try NetworkOptions.policy(allowing: NetworkOptions.ranges())
    let result = try await store.withStore { store, secrets in
        try await withHub(store: store, secrets: secrets, caFile: caFile, policy: policy, reporting: BookingError.self) { hub in try await change(hub) }
    }
    if let sent = result.invitation { StandardError.write("invited \(sent.accepted.joined(separator: ", "))") }
    if let failure = result.invitationFailure { StandardError.write("warning: the invitation was not sent: \(failure)") }
    return result.booking
}

/// Runs `body` with the accounts' clients (held to `policy`, trusting `caFile` too), shut
/// down after; a `Failure` it throws is printed and exits with 1.
func withAccountClients<Result: Sendable, Failure: Error>(
    secrets: SecretBox, caFile: String?, policy: NetworkPolicy, reporting: Failure.Type, _ body: (AccountClients) async throws -> Result
) async throws -> Result {
    var configuration = ClientConfiguration()
    configuration.additionalTrustRootsFile = caFile
    let clients = AccountClients(secrets: secrets, configuration: configuration, tenantPolicy: policy)
    do {
        let result = try await body(clients)
        await clients.shutdown()
        return result
    } catch let error as Failure {
        await clients.shutdown()
        StandardError.write("error: \(error)")
        throw ExitCode(1)
    } catch {
        await clients.shutdown()
        throw error
    }
}

/// Runs `body` with the application over an open store: the accounts' clients (held to
/// `policy`, trusting `caFile` too) and the webhook sender, shut down after; a `Failure` it
/// throws is printed and exits with 1.
func withHub<Result: Sendable, Failure: Error>(
    store: SQLStore, secrets: SecretBox, caFile: String?, policy: NetworkPolicy, reporting: Failure.Type,
    logger: Logger = Logger(label: "switchboard.webhooks"), _ body: (Hub) async throws -> Result
) async throws -> Result {
    try await withAccountClients(secrets: secrets, caFile: caFile, policy: policy, reporting: reporting) { clients in
        let webhooks = WebhookService(store: store, secrets: secrets, networkPolicy: policy, logger: logger)
        let hub = Hub(store: store, bookings: BookingService(store: store, clients: clients), webhooks: webhooks)
        do {
            let result = try await body(hub)
            await hub.mail.shutdown()
            await webhooks.shutdown()
            return result
        } catch {
            await hub.mail.shutdown()
            await webhooks.shutdown()
            throw error
        }
    }
}

/// `switchboard resources add|list`.
struct ResourcesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resources", abstract: "Bookable resources (a person, a room) and their rules.", subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add (or replace) a resource over synced calendars.")

        @Argument var name: String
        @Option(name: .customLong("calendar"), help: "A calendar (href of a synced collection) whose events make the resource busy; repeat.")
        var calendars: [String]
        @Option(help: "The calendar bookings are written to (default: the first --calendar).")
        var bookingCalendar: String?
        @Option(help: "The resource's IANA time zone.")
        var tz: String
        @Option(help: "Working hours, e.g. 'mon-fri 09:00-12:00,13:00-17:00; sat 10:00-14:00'.")
        var hours: String
        @Option var bufferBefore = CommandLineDuration(argument: "0m")!
        @Option var bufferAfter = CommandLineDuration(argument: "0m")!
        @Option var minNotice = CommandLineDuration(argument: "0m")!
        @Option var horizon = CommandLineDuration(argument: "60d")!
        @Option var slot = CommandLineDuration(argument: "60m")!
        @Option var step = CommandLineDuration(argument: "30m")!
        @Option var maxPerDay: Int?
        @Option var maxPerWeek: Int?
        @Option(help: "How old synced data may be before a live check.") var maxAge = CommandLineDuration(argument: "5m")!
        @Option(name: .customLong("address"), help: "The resource's calendar address (mailto:…), to skip invitations it declined; repeat.")
        var addresses: [String] = []
        @Flag(help: "Tentative events do not block.") var tentativeFree = false
        @Flag(help: "All-day events do not block.") var allDayFree = false
        @Option(name: .customLong("all-day-free-in"), help: "All-day events of this calendar (href) do not block; repeat.")
        var allDayFreeCalendars: [String] = []
        @Option(name: .customLong("override"), help: "A date's own hours, '2026-12-27 10:00-14:00', or a closed day, '2026-12-24'; repeat.")
        var overrides: [String] = []
        @Option(help: ArgumentHelp("An .ics file of VAVAILABILITY components (RFC 7953) that decides the time it covers, over --hours.",
                                   valueName: "file"))
        var availabilityFile: String?
        @Option(help: ArgumentHelp("Follow this calendar's (href) published availability on the server (its calendar-availability "
                                   + "property), read at each refresh.", valueName: "href"))
        var availabilityFrom: String?
        @Option(help: "The tenant (name) whose API keys reach the resource; without one, only the CLI does.")
        var tenant: String?
        @Option(help: "A mail account (name) that invites bookings' attendees by mail (iMIP) and cancels the invitations.")
        var inviteFrom: String?
        @Flag(help: "A pending request already invites (else its confirmation does).") var invitePending = false
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let weekly = try WeeklyHours.parse(hours)
            var rules = ResourceRules(
                timeZone: tz, weeklyHours: weekly, dateOverrides: try overrides.map(DateOverride.parse),
                bufferBefore: bufferBefore.seconds, bufferAfter: bufferAfter.seconds,
                minimumNotice: minNotice.seconds, horizon: horizon.seconds, slotLength: slot.seconds, slotStep: step.seconds,
                maxBookingsPerDay: maxPerDay, maxBookingsPerWeek: maxPerWeek,
                busy: BusyRules(tentativeBlocks: !tentativeFree, allDayBlocks: !allDayFree, addresses: addresses), maxDataAge: maxAge.seconds)
            if let availabilityFile {
                rules.publishedAvailability = try String(contentsOfFile: availabilityFile, encoding: .utf8)
            }
            let definition = ResourceDefinition(name: name, tenantName: tenant, rules: rules, calendars: calendars, bookingCalendar: bookingCalendar,
                                                availabilityFrom: availabilityFrom, allDayFreeCalendars: allDayFreeCalendars,
                                                invitationsFrom: inviteFrom, invitePending: invitePending)
            _ = try await store.withStore { store, secrets in
                try await withHub(store: store, secrets: secrets, caFile: nil, policy: NetworkPolicy(), reporting: ResourceDefinitionError.self) { hub in
                    try await hub.define(definition)
                }
            }
            StandardOutput.write(Array("resource \(definition.storedName): \(WeeklyHours.text(of: weekly)) in \(tz)\n".utf8))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List resources with their rules.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let resources = try await store.withStore { store, _ in try await store.resources() }
            let listed = try resources.map { resource in
                ListedResource(name: resource.name, calendars: resource.calendarIDs, bookingCalendar: resource.bookingCalendarID,
                               rules: try JSONDecoder().decode(ResourceRules.self, from: Data(resource.rules.utf8)))
            }
            try output.print(listed) {
                listed.map { "\($0.name)\t\($0.rules.timeZone)\t\(WeeklyHours.text(of: $0.rules.weeklyHours))\tslot \($0.rules.slotLength / 60) min" }
                    .joined(separator: "\n")
            }
        }

        struct ListedResource: Encodable {
            var name: String
            var calendars: [String]
            var bookingCalendar: String
            var rules: ResourceRules
        }
    }
}

/// `switchboard freebusy RESOURCE --from --to`.
struct FreeBusyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "freebusy", abstract: "Busy and free time of a resource, or a VFREEBUSY with --ics.")
    @Argument var resource: String
    @OptionGroup var window: WindowOptions
    @Flag(help: "Print a VFREEBUSY object.") var ics = false
    @Option(help: "A PEM file of extra trusted certificates.") var caFile: String?
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let answer = try await withBookingService(store, caFile: caFile) { service, _ in
            let answer = try await service.freeBusy(resource: resource, in: window.interval)
            return FreeBusyAnswer(busy: answer.busy.map { TimeSpan($0) }, free: answer.free.map { TimeSpan($0) }, calendar: answer.calendar,
                                  staleSeconds: answer.staleSeconds)
        }
        if let age = answer.staleSeconds {
            StandardError.write("warning: the server could not be reached; this answer is from data \(age) s old")
        }
        if ics {
            StandardOutput.write(Array(answer.calendar.utf8))
            return
        }
        try output.print(answer) {
            (answer.busy.map { "busy\t\($0.start)\t\($0.end)" } + answer.free.map { "free\t\($0.start)\t\($0.end)" }).joined(separator: "\n")
        }
    }

    struct FreeBusyAnswer: Encodable, Sendable {
        var busy: [TimeSpan]
        var free: [TimeSpan]
        var calendar: String
        var staleSeconds: Int64?
    }
}

/// `switchboard slots RESOURCE --from --to [--tz ZONE]`.
struct SlotsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "slots", abstract: "The bookable slots of a resource, shown in the booker's zone.")
    @Argument var resource: String
    @OptionGroup var window: WindowOptions
    @Option(help: "Show times in this IANA zone (the booker's); default UTC.") var tz = "UTC"
    @Option(help: "A PEM file of extra trusted certificates.") var caFile: String?
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        guard let zone = IANAZoneRules(identifier: tz) else { throw ValidationError("unknown time zone \(tz)") }
        let slots = try await withBookingService(store, caFile: caFile) { service, _ in
            try await service.slots(resource: resource, in: window.interval).map { TimeSpan($0, zone: zone) }
        }
        try output.print(slots) { slots.map { "\($0.start)\t\($0.end)" }.joined(separator: "\n") }
    }
}

/// `switchboard book RESOURCE --start --end --summary [--attendee]`.
struct BookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "book", abstract: "Book a resource: a pending request on its calendar. Prints the booking id.")
    @Argument var resource: String
    @Option var start: CommandLineDate
    @Option var end: CommandLineDate
    @Option var summary: String
    @Option(name: .customLong("attendee"), help: "An attendee's e-mail address; repeat.") var attendees: [String] = []
    @Option(help: "A PEM file of extra trusted certificates.") var caFile: String?
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let interval = Interval(start: Int64(start.date.timeIntervalSince1970), end: Int64(end.date.timeIntervalSince1970))
        let booking = try await changeBooking(store, caFile: caFile) { hub in
            try await hub.book(resource: resource, interval, summary: summary, attendees: attendees)
        }
        try output.print(ListedBooking(booking)) { booking.id }
    }
}

/// `switchboard bookings confirm|reschedule|cancel|list`.
struct BookingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bookings", abstract: "Confirm, reschedule, cancel and list bookings.",
        subcommands: [Confirm.self, Reschedule.self, Cancel.self, List.self])

    /// What every step on one booking takes, and how it prints the booking afterwards.
    struct StepOptions: ParsableArguments {
        @Argument var id: String
        @Option(help: "A PEM file of extra trusted certificates.") var caFile: String?
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run(_ step: @Sendable @escaping (Hub, String) async throws -> BookingChangeResult) async throws {
            let booking = try await changeBooking(store, caFile: caFile) { hub in try await step(hub, id) }
            try output.print(ListedBooking(booking)) { ListedBooking(booking).line }
        }
    }

    struct Confirm: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Confirm a pending booking after a live check of the calendars.")
        @OptionGroup var step: StepOptions

        func run() async throws { try await step.run { hub, id in try await hub.confirm(id) } }
    }

    struct Reschedule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move a booking.")
        @OptionGroup var step: StepOptions
        @Option var start: CommandLineDate
        @Option var end: CommandLineDate

        func run() async throws {
            let interval = Interval(start: Int64(start.date.timeIntervalSince1970), end: Int64(end.date.timeIntervalSince1970))
            try await step.run { hub, id in try await hub.reschedule(id, to: interval) }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a booking (its event is deleted).")
        @OptionGroup var step: StepOptions

        func run() async throws { try await step.run { hub, id in try await hub.cancel(id) } }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A resource's bookings in a window.")
        @Argument var resource: String
        @OptionGroup var window: WindowOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let bookings = try await withBookingService(store) { service, _ in
                try await service.bookings(resource: resource, in: window.interval).map(ListedBooking.init)
            }
            try output.print(bookings) { bookings.map(\.line).joined(separator: "\n") }
        }
    }
}

/// A span written as ISO 8601 in a zone.
struct TimeSpan: Encodable, Sendable {
    var start: String
    var end: String

    init(_ interval: Interval, zone: any ZoneRules = IANAZoneRules(identifier: "UTC")!) {
        start = zone.iso8601(interval.start)
        end = zone.iso8601(interval.end)
    }
}

/// A booking as the CLI prints it.
struct ListedBooking: Encodable, Sendable {
    var id: String
    var status: String
    var start: String
    var end: String
    var summary: String
    var attendees: [String]

    init(_ booking: BookingRecord) {
        id = booking.id
        status = booking.status.rawValue
        let span = TimeSpan(Interval(start: booking.start, end: booking.end))
        start = span.start
        end = span.end
        summary = booking.summary
        attendees = booking.attendees
    }

    var line: String { "\(id)\t\(status)\t\(start)\t\(end)\t\(summary)" }
}
