public import ContentLines

/// `STATUS` (RFC 5545 §3.8.1.11): an open set, since servers add their own.
public struct EventStatus: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue.uppercased() }

    public static let tentative = EventStatus(rawValue: "TENTATIVE")
    public static let confirmed = EventStatus(rawValue: "CONFIRMED")
    public static let cancelled = EventStatus(rawValue: "CANCELLED")
    public static let needsAction = EventStatus(rawValue: "NEEDS-ACTION")
    public static let completed = EventStatus(rawValue: "COMPLETED")
    public static let inProcess = EventStatus(rawValue: "IN-PROCESS")
    public static let draft = EventStatus(rawValue: "DRAFT")
    public static let final = EventStatus(rawValue: "FINAL")

    public var description: String { rawValue }
}

/// `TRANSP` (RFC 5545 §3.8.2.7).
public enum Transparency: String, Sendable, Hashable, Codable {
    /// Blocks time (the default).
    case opaque = "OPAQUE"
    /// Does not block time.
    case transparent = "TRANSPARENT"
}

/// An `ATTENDEE` (or `ORGANIZER`) with the parameters scheduling reads.
public struct Attendee: Sendable, Hashable {
    /// The property as read; edits go through it so unknown parameters survive.
    public var property: Property

    /// Wraps a property.
    public init(property: Property) { self.property = property }

    /// Creates an attendee property.
    public init(address: CalendarUserAddress, commonName: String? = nil, participation: String? = nil) {
        var property = Property(name: PropertyName.attendee, value: address.uri)
        if let commonName { property.setParameter("CN", values: [commonName]) }
        if let participation { property.setParameter("PARTSTAT", values: [participation]) }
        self.property = property
    }

    /// The address.
    public var address: CalendarUserAddress { property.calendarUserAddress }
    /// `CN`.
    public var commonName: String? { property.parameter("CN")?.value }
    /// `PARTSTAT`, upper case; `NEEDS-ACTION` when absent (RFC 5545 §3.2.12).
    public var participationStatus: String { property.parameter("PARTSTAT")?.value?.uppercased() ?? "NEEDS-ACTION" }
    /// `ROLE`, upper case; `REQ-PARTICIPANT` when absent.
    public var role: String { property.parameter("ROLE")?.value?.uppercased() ?? "REQ-PARTICIPANT" }
    /// `RSVP`.
    public var rsvp: Bool { property.parameter("RSVP")?.value?.uppercased() == "TRUE" }
}

/// Convenience accessors for the properties apps need on events, to-dos and journals.
/// Getters decode the text as read; setters replace one property in place and leave
/// every other line untouched.
extension Component {
    /// `UID`.
    public var uid: String? {
        get { property(PropertyName.uid)?.value }
        set { setOrRemove(PropertyName.uid, newValue.map { Property(name: PropertyName.uid, value: $0) }) }
    }

    /// `SUMMARY`, unescaped.
    public var summary: String? {
        get { property(PropertyName.summary)?.text }
        set { setOrRemove(PropertyName.summary, newValue.map { Property(name: PropertyName.summary, text: $0) }) }
    }

    /// `DESCRIPTION`, unescaped.
    public var descriptionText: String? {
        get { property(PropertyName.description)?.text }
        set {
            setOrRemove(PropertyName.description, newValue.map { Property(name: PropertyName.description, text: $0) })
        }
    }

    /// `LOCATION`, unescaped.
    public var location: String? {
        get { property(PropertyName.location)?.text }
        set { setOrRemove(PropertyName.location, newValue.map { Property(name: PropertyName.location, text: $0) }) }
    }

    /// `DTSTART`.
    public var start: DateOrDateTime? {
        get throws(ValueError) { try property(PropertyName.start)?.dateOrDateTime() }
    }

    /// `DTEND` as written (see ``effectiveEnd()`` for the end implied by `DURATION`).
    public var end: DateOrDateTime? {
        get throws(ValueError) { try property(PropertyName.end)?.dateOrDateTime() }
    }

    /// `DUE` of a to-do.
    public var due: DateOrDateTime? {
        get throws(ValueError) { try property(PropertyName.due)?.dateOrDateTime() }
    }

    /// `DURATION`.
    public var duration: CalendarDuration? {
        get throws(ValueError) { try property(PropertyName.duration)?.duration() }
    }

    /// `RECURRENCE-ID`.
    public var recurrenceID: DateOrDateTime? {
        get throws(ValueError) { try property(PropertyName.recurrenceID)?.dateOrDateTime() }
    }

    /// `LAST-MODIFIED`.
    public var lastModified: DateTime? {
        get throws(ValueError) {
            try property(PropertyName.lastModified).map { (property) throws(ValueError) in
                try DateTime(parsing: property.value)
            }
        }
    }

    /// `SEQUENCE`; 0 when absent.
    public var sequence: Int {
        get throws(ValueError) { try property(PropertyName.sequence)?.integer() ?? 0 }
    }

    /// `STATUS`.
    public var status: EventStatus? {
        get { property(PropertyName.status).map { EventStatus(rawValue: $0.value) } }
        set { setOrRemove(PropertyName.status, newValue.map { Property(name: PropertyName.status, value: $0.rawValue) }) }
    }

    /// `TRANSP`; `.opaque` when absent or unknown.
    public var transparency: Transparency {
        get { property(PropertyName.transparency).flatMap { Transparency(rawValue: $0.value.uppercased()) } ?? .opaque }
        set { setProperty(Property(name: PropertyName.transparency, value: newValue.rawValue)) }
    }

    /// `ORGANIZER`.
    public var organizer: Attendee? { property(PropertyName.organizer).map(Attendee.init(property:)) }

    /// Every `ATTENDEE`.
    public var attendees: [Attendee] { properties(PropertyName.attendee).map(Attendee.init(property:)) }

    /// Every `CATEGORIES` value, across all `CATEGORIES` properties.
    public var categories: [String] { properties(PropertyName.categories).flatMap(\.textList) }

    /// Every `RRULE`.
    public var recurrenceRules: [RecurrenceRule] {
        get throws(ValueError) {
            try properties(PropertyName.recurrenceRule).map { (property) throws(ValueError) in
                try property.recurrenceRule()
            }
        }
    }

    /// Every `EXDATE` value.
    public var exceptionDates: [DateOrDateTime] {
        get throws(ValueError) {
            var dates: [DateOrDateTime] = []
            for property in properties(PropertyName.exceptionDate) { dates += try property.dateOrDateTimeList() }
            return dates
        }
    }

    /// Every `RDATE` value.
    public var recurrenceDates: [RecurrenceDate] {
        get throws(ValueError) {
            var dates: [RecurrenceDate] = []
            for property in properties(PropertyName.recurrenceDate) { dates += try property.recurrenceDates() }
            return dates
        }
    }

    /// Whether the component recurs (`RRULE` or `RDATE`).
    public var isRecurring: Bool {
        property(PropertyName.recurrenceRule) != nil || property(PropertyName.recurrenceDate) != nil
    }

    /// The end as RFC 5545 §3.6.1 defines it: `DTEND`, else `DTSTART` + `DURATION`, else
    /// the day after a DATE start, else the start itself. `nil` without `DTSTART`.
    public func effectiveEnd() throws(ValueError) -> DateOrDateTime? {
        if let end = try end { return end }
        guard let start = try start else { return nil }
        let duration = try self.duration
        switch start {
        case .date(let date):
            let days = duration.map { $0.nominalDays } ?? 1
            return .date(date.adding(days: days))
        case .dateTime(let dateTime):
            guard let duration else { return start }
            return .dateTime(DateTime(dateTime.local.adding(duration), form: dateTime.form))
        }
    }

    // MARK: Setting dates

    /// Sets `DTSTART`.
    public mutating func setStart(_ value: DateOrDateTime) {
        setProperty(Property(name: PropertyName.start, dateOrDateTime: value))
    }

    /// Sets `DTEND` and removes `DURATION` (they must not both appear).
    public mutating func setEnd(_ value: DateOrDateTime) {
        removeProperties(PropertyName.duration)
        setProperty(Property(name: PropertyName.end, dateOrDateTime: value))
    }

    /// Sets `DURATION` and removes `DTEND`.
    public mutating func setDuration(_ value: CalendarDuration) {
        removeProperties(PropertyName.end)
        setProperty(Property(name: PropertyName.duration, value: value.icalendarText))
    }

    /// Sets `SEQUENCE`.
    public mutating func setSequence(_ value: Int) {
        setProperty(Property(name: PropertyName.sequence, value: String(value)))
    }

    /// Adds an `ATTENDEE`.
    public mutating func addAttendee(_ attendee: Attendee) {
        appendProperty(attendee.property)
    }

    /// Replaces every `RRULE` with `rules`.
    public mutating func setRecurrenceRules(_ rules: [RecurrenceRule]) {
        removeProperties(PropertyName.recurrenceRule)
        for rule in rules { appendProperty(Property(name: PropertyName.recurrenceRule, value: rule.icalendarText)) }
    }

    private mutating func setOrRemove(_ name: String, _ property: Property?) {
        if let property { setProperty(property) } else { removeProperties(name) }
    }

    // MARK: Builders

    /// A new `VCALENDAR` with `VERSION:2.0` and a `PRODID`.
    public static func calendar(productID: String = "-//Switchboard//Switchboard//EN", components: [Component] = [])
        -> Component
    {
        Component(
            ComponentName.calendar,
            properties: [
                Property(name: PropertyName.version, value: "2.0"),
                Property(name: PropertyName.productID, value: productID),
            ],
            components: components)
    }

    /// A new `VEVENT`. `timestamp` is `DTSTAMP` (time is injected, never read here).
    public static func event(
        uid: String, timestamp: LocalDateTime, start: DateOrDateTime, end: DateOrDateTime? = nil,
        summary: String? = nil
    ) -> Component {
        var event = Component(
            ComponentName.event,
            properties: [
                Property(name: PropertyName.uid, value: uid),
                Property(name: PropertyName.timestamp, value: DateTime(timestamp, form: .utc).icalendarText),
            ])
        event.setStart(start)
        if let end { event.setEnd(end) }
        if let summary { event.summary = summary }
        return event
    }
}
