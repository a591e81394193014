import ContentLines
public import ICalendar

/// What a client says an event is: the fields the API reads and writes. Everything else a
/// calendar object holds (alarms, categories, other programs' `X-` properties, and the
/// attendees when the draft does not name them) is kept as it is when a draft is applied to
/// an existing event.
public struct EventDraft: Sendable, Hashable {
    /// When the event happens.
    public enum Timing: Sendable, Hashable {
        /// From `start` to `end` (seconds since 1970 UTC), written as wall-clock time in the
        /// IANA zone `timeZone` (so a weekly 09:00 stays at 09:00 across DST), or in UTC.
        case timed(start: Int64, end: Int64, timeZone: String?)
        /// Whole days from `first` to `end` (exclusive).
        case allDay(first: CalendarDate, end: CalendarDate)
    }

    public var summary: String
    public var timing: Timing
    public var description: String?
    public var location: String?
    /// The recurrence rule, for a series.
    public var recurrence: RecurrenceRule?
    public var status: EventStatus?
    /// Whether the event leaves the time free (`TRANSP:TRANSPARENT`).
    public var transparent: Bool
    /// The attendees as `mailto:` URIs (see ``validatedAttendees(_:)``): `nil` keeps the
    /// event's as they are, an empty list removes them. One already on the event keeps its
    /// answer unless the event moves; a new one, or everyone after a move, is asked
    /// (`PARTSTAT=NEEDS-ACTION;RSVP=TRUE`, RFC 5546 §2.1.4).
    public var attendees: [String]?
    /// The organizer as a `mailto:` URI, written with the attendees; `nil` keeps the event's.
    public var organizer: String?

    public init(summary: String, timing: Timing, description: String? = nil, location: String? = nil,
                recurrence: RecurrenceRule? = nil, status: EventStatus? = nil, transparent: Bool = false,
                attendees: [String]? = nil, organizer: String? = nil) {
        self.summary = summary
        self.timing = timing
        self.description = description
        self.location = location
        self.recurrence = recurrence
        self.status = status
        self.transparent = transparent
        self.attendees = attendees
        self.organizer = organizer
    }

    /// The most attendees an event or a booking takes.
    public static let maxAttendees = 50

    /// Mail addresses from outside (`anna@example.org` or `mailto:…`) as the `mailto:` URIs
    /// an event keeps, each once, or the entry at fault: at most ``maxAttendees``, each held
    /// to `CalendarUserAddress(mailAddress:)`, so none can carry a parameter or a line break.
    public static func validatedAttendees(_ addresses: [String], field: String = "attendees") throws(EventEditError) -> [String] {
        guard addresses.count <= maxAttendees else { throw .invalid(field, "at most \(maxAttendees)") }
        var seen: Set<String> = []
        var uris: [String] = []
        for (index, text) in addresses.enumerated() {
            guard let address = CalendarUserAddress(mailAddress: text) else { throw .invalid("\(field)[\(index)]", "not a mail address") }
            if seen.insert(address.uri.lowercased()).inserted { uris.append(address.uri) }
        }
        return uris
    }

    /// The largest summary, description or location accepted, in bytes.
    public static let maxTextBytes = 16 * 1024

    /// Refuses a draft no calendar should hold, naming the field.
    public func validate() throws(EventEditError) {
        switch timing {
        case .timed(let start, let end, let timeZone):
            guard start < end else { throw .invalid("end", "must be after the start") }
            if let timeZone, IANAZoneRules(identifier: timeZone) == nil { throw .invalid("timeZone", "unknown time zone \(timeZone)") }
        case .allDay(let first, let end):
            guard first < end else { throw .invalid("endDate", "must be after the start date") }
        }
        for (field, text) in [("summary", summary), ("description", description ?? ""), ("location", location ?? "")] {
            if text.utf8.count > Self.maxTextBytes { throw .invalid(field, "longer than \(Self.maxTextBytes) bytes") }
            try Self.checkControlCharacters(text, field: field)
        }
        // A calendar event repeats hourly at most: a rule by the second or minute makes
        // millions of instances for every reader to expand.
        if let recurrence, [.secondly, .minutely].contains(recurrence.frequency) {
            throw .invalid("recurrence", "an event repeats at most hourly")
        }
        if let status, ![EventStatus.tentative, .confirmed, .cancelled].contains(status) {
            throw .invalid("status", "an event's status is TENTATIVE, CONFIRMED or CANCELLED")
        }
        if let attendees, try Self.validatedAttendees(attendees) != attendees {
            throw .invalid("attendees", "each once, as mailto: URIs (validatedAttendees)")
        }
        if let organizer, CalendarUserAddress(mailAddress: organizer)?.uri != organizer {
            throw .invalid("organizer", "a mailto: URI of a mail address")
        }
    }

    /// Refuses text with control characters other than tab and line breaks: iCalendar's
    /// TEXT cannot carry them (RFC 5545 §3.3.11), and servers refuse or mangle them.
    static func checkControlCharacters(_ text: String, field: String) throws(EventEditError) {
        if text.unicodeScalars.contains(where: { ($0.value < 0x20 && !["\t", "\n", "\r"].contains($0)) || (0x7F...0x9F).contains($0.value) }) {
            throw .invalid(field, "control characters other than tab and line breaks are refused")
        }
    }

    /// The start and end as iCalendar values.
    var startAndEnd: (start: DateOrDateTime, end: DateOrDateTime) {
        switch timing {
        case .allDay(let first, let end):
            return (.date(first), .date(end))
        case .timed(let start, let end, let timeZone):
            guard let timeZone, let zone = IANAZoneRules(identifier: timeZone) else {
                return (.dateTime(DateTime(LocalDateTime(secondsSinceEpoch: start), form: .utc)),
                        .dateTime(DateTime(LocalDateTime(secondsSinceEpoch: end), form: .utc)))
            }
            return (.dateTime(DateTime(zone.localTime(at: start), form: .zoned(tzid: timeZone))),
                    .dateTime(DateTime(zone.localTime(at: end), form: .zoned(tzid: timeZone))))
        }
    }

    /// Writes the draft's fields onto `event`, leaving its other properties as they are.
    /// The rule is written only when `withRecurrence` (an occurrence has none of its own).
    func apply(to event: inout Component, withRecurrence: Bool) {
        let (start, end) = startAndEnd
        let moved = (try? event.start) != start || (try? event.effectiveEnd()).flatMap({ $0 }) != end
        if let attendees { Self.setAttendees(attendees, on: &event, askingAgain: moved) }
        if let organizer { event.setProperty(Property(name: PropertyName.organizer, value: organizer)) }
        event.setStart(start)
        event.setEnd(end)
        event.setProperty(Property(name: PropertyName.summary, text: summary))
        for (name, value) in [(PropertyName.description, description), (PropertyName.location, location)] {
            if let value { event.setProperty(Property(name: name, text: value)) } else { event.removeProperties(name) }
        }
        event.status = status
        event.transparency = transparent ? .transparent : .opaque
        if withRecurrence { event.setRecurrenceRules(recurrence.map { [$0] } ?? []) }
    }

    /// Replaces the event's attendees by `uris`: one already there keeps its line (its
    /// name, role and answer) unless `askingAgain`, when its answer is reset.
    static func setAttendees(_ uris: [String], on event: inout Component, askingAgain: Bool) {
        let existing = Dictionary(event.properties(PropertyName.attendee).map { ($0.value.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        event.removeProperties(PropertyName.attendee)
        for uri in uris {
            var line = existing[uri.lowercased()]
                ?? Property(name: PropertyName.attendee, parameters: [Parameter(name: "ROLE", value: "REQ-PARTICIPANT")], value: uri)
            if existing[uri.lowercased()] == nil || askingAgain {
                line.setParameter("PARTSTAT", values: ["NEEDS-ACTION"])
                line.setParameter("RSVP", values: ["TRUE"])
            }
            event.appendProperty(line)
        }
    }
}

/// Why an edit cannot be made.
public struct EventEditError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// A field of the request is wrong (``field`` names it).
        case invalid
        /// The calendar object holds no such event or occurrence.
        case notFound
        /// The stored object cannot be read or edited as asked.
        case unreadable
    }

    public var code: Code
    /// The request field at fault, for ``Code/invalid``.
    public var field: String?
    public var message: String

    public static func invalid(_ field: String, _ message: String) -> EventEditError {
        EventEditError(code: .invalid, field: field, message: message)
    }

    public var description: String { field.map { "\($0): \(message)" } ?? message }
}
