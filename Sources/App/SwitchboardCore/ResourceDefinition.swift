public import Availability
import Foundation
public import SwitchboardStore

/// A bookable resource as its operator defines it: its rules, and its calendars named by
/// href (the calendars must be synced already, of the tenant's accounts when it has a tenant).
public struct ResourceDefinition: Sendable {
    /// The name, without a slash (a tenant's resource is kept as `tenant/name`).
    public var name: String
    /// The tenant whose keys reach it (by name), or `nil` for the operator's own.
    public var tenantName: String?
    public var rules: ResourceRules
    /// The calendars whose events make it busy.
    public var calendars: [String]
    /// The calendar bookings are written to; the first of ``calendars`` when not given.
    public var bookingCalendar: String?
    /// The calendar whose published availability (RFC 7953) is followed, if any.
    public var availabilityFrom: String?
    /// Calendars whose all-day events do not block.
    public var allDayFreeCalendars: [String]
    /// The mail account (by name, the tenant's own for a tenant's resource) that invites the
    /// bookings' attendees (iMIP); `nil`: no invitations.
    public var invitationsFrom: String?
    /// Whether a pending request already invites (else its confirmation does).
    public var invitePending: Bool

    public init(name: String, tenantName: String? = nil, rules: ResourceRules, calendars: [String], bookingCalendar: String? = nil,
                availabilityFrom: String? = nil, allDayFreeCalendars: [String] = [], invitationsFrom: String? = nil, invitePending: Bool = false) {
        self.name = name
        self.tenantName = tenantName
        self.rules = rules
        self.calendars = calendars
        self.bookingCalendar = bookingCalendar
        self.availabilityFrom = availabilityFrom
        self.allDayFreeCalendars = allDayFreeCalendars
        self.invitationsFrom = invitationsFrom
        self.invitePending = invitePending
    }

    /// The name the store keeps.
    public var storedName: String { tenantName.map { TenantScopedName.stored(name, tenantName: $0) } ?? name }
}

/// Why a resource could not be defined.
public enum ResourceDefinitionError: Error, Sendable, CustomStringConvertible {
    case invalidName
    case unknownTenant(String)
    /// No synced calendar has the href (among the tenant's, for a tenant's resource).
    case unknownCalendar(String, tenant: String?)
    /// Several accounts have a calendar at the href.
    case ambiguousCalendar(String)
    case noCalendar
    /// No mail account has the name (among the tenant's, for a tenant's resource).
    case unknownMailAccount(String)
    case rules(AvailabilityError)
    case store(StoreError)

    public var description: String {
        switch self {
        case .invalidName: "a resource's name is not empty and has no slash"
        case .unknownTenant(let name): "no tenant named \(name) (add it with `switchboard tenants create`)"
        case .unknownCalendar(let href, let tenant): "no synced calendar \(href)\(tenant.map { " of tenant \($0)" } ?? "") (add its account first)"
        case .ambiguousCalendar(let href): "\(href) is in several accounts"
        case .noCalendar: "give at least one calendar"
        case .unknownMailAccount(let name): "no mail account \(name) (add it with `switchboard mail account add`)"
        case .rules(let error): error.description
        case .store(let error): error.description
        }
    }
}

extension Hub {
    /// Adds the resource, or replaces the one of the same name: its calendars resolved from
    /// hrefs (a tenant's resource takes the tenant's calendars only), its rules checked.
    @discardableResult
    public func define(_ definition: ResourceDefinition) async throws(ResourceDefinitionError) -> ResourceRecord {
        guard !definition.name.isEmpty, !definition.name.contains("/") else { throw .invalidName }
        func read<Value>(_ body: () async throws(StoreError) -> Value) async throws(ResourceDefinitionError) -> Value {
            do { return try await body() } catch { throw .store(error) }
        }
        var tenantID: String?
        if let tenantName = definition.tenantName {
            guard let tenant = try await read({ () throws(StoreError) in try await store.tenants() }).first(where: { $0.name == tenantName })
            else { throw .unknownTenant(tenantName) }
            tenantID = tenant.id
        }
        let accounts = Set(try await read { () throws(StoreError) in try await store.accounts() }.filter { tenantID == nil || $0.tenantID == tenantID }.map(\.id))
        let calendars = try await read { () throws(StoreError) in try await store.collections(accountID: nil) }
            .filter { accounts.contains($0.accountID) && $0.kind == .calendar }
        func id(of href: String) throws(ResourceDefinitionError) -> String {
            let matches = calendars.filter { $0.href == href }
            guard matches.count == 1 else {
                throw matches.isEmpty ? .unknownCalendar(href, tenant: definition.tenantName) : .ambiguousCalendar(href)
            }
            return matches[0].id
        }
        var ids: [String] = []
        for href in definition.calendars { ids.append(try id(of: href)) }
        guard let bookingID = try definition.bookingCalendar.map(id(of:)) ?? ids.first else { throw .noCalendar }
        var rules = definition.rules
        rules.availabilityCalendar = try definition.availabilityFrom.map(id(of:))
        for href in definition.allDayFreeCalendars {
            var relaxed = rules.busy
            relaxed.allDayBlocks = false
            rules.calendarBusy[try id(of: href)] = relaxed
        }
        let encoded: Data
        do {
            _ = try Availability(rules: rules)
            encoded = try JSONEncoder().encode(rules)
        } catch let error as AvailabilityError {
            throw .rules(error)
        } catch {
            throw .rules(AvailabilityError("the rules do not encode: \(error)"))
        }
        var invitations: ResourceInvitations?
        if let sender = definition.invitationsFrom {
            let mailAccounts = try await read { () throws(StoreError) in try await store.mailAccounts() }
            guard let account = mailAccounts.first(where: { $0.tenantID == tenantID && $0.localName == sender }) else { throw .unknownMailAccount(sender) }
            invitations = ResourceInvitations(mailAccountID: account.id, invitePending: definition.invitePending)
        }
        let storedName = definition.storedName
        let existing = try await read { () throws(StoreError) in try await store.resource(named: storedName) }
        let resource = ResourceRecord(id: existing?.id ?? UUID().uuidString, name: storedName, rules: String(decoding: encoded, as: UTF8.self),
                                      calendarIDs: ids.contains(bookingID) ? ids : ids + [bookingID], bookingCalendarID: bookingID,
                                      tenantID: tenantID, invitations: invitations)
        try await read { () throws(StoreError) in try await store.saveResource(resource) }
        return resource
    }
}
