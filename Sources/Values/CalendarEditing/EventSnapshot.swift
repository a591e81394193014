import ContentLines
public import ICalendar

/// An event (a master, or one occurrence of a series) read for showing: the fields an
/// ``EventDraft`` writes, with absolute times.
public struct EventSnapshot: Sendable, Hashable {
    public var uid: String?
    public var summary: String?
    public var description: String?
    public var location: String?
    /// The start and end as seconds since 1970 UTC (floating and all-day read as UTC).
    public var start: Int64
    public var end: Int64
    /// The first day and the day after the last, for an all-day event.
    public var allDay: Days?
    /// The zone the event is written in, if any (a TZID; usually an IANA name).
    public var timeZone: String?
    /// Whether the times are floating (the same wall-clock time in every zone).
    public var floating: Bool
    /// The recurrence rule, for a series.
    public var recurrence: String?
    /// The occurrence's reference instant (see ``EventEditor``), for one occurrence.
    public var occurrence: Int64?
    public var status: String?
    public var transparent: Bool
    public var sequence: Int
    /// The organizer's address (a URI, usually `mailto:`), for an event with attendees.
    public var organizer: String?
    /// Who is invited, and their answers so far.
    public var attendees: [Participant]

    /// An attendee and its answer.
    public struct Participant: Sendable, Hashable {
        /// The address as written (a URI, usually `mailto:`).
        public var address: String
        /// `PARTSTAT`, upper case (`NEEDS-ACTION` when not written).
        public var participation: String
        public var commonName: String?
    }

    /// Whole days: the first, and the day after the last.
    public struct Days: Sendable, Hashable {
        public var first: CalendarDate
        public var end: CalendarDate
    }

    /// A series' master, or a single event, of `calendar`; `nil` without a readable start.
    public init?(master component: Component, in calendar: Component) {
        let resolver = TimeZoneResolver(calendar: calendar)
        guard let start = try? component.start, let end = (try? component.effectiveEnd()).flatMap({ $0 }) else { return nil }
        self.init(component, start: start, end: end, resolver: resolver)
        recurrence = component.property(PropertyName.recurrenceRule)?.value
    }

    /// One occurrence of a series (or the single instance of an event).
    public init(occurrence: Occurrence, in calendar: Component) {
        let resolver = TimeZoneResolver(calendar: calendar)
        self.init(occurrence.component, start: occurrence.start, end: occurrence.end, resolver: resolver)
        if occurrence.component.isRecurring || occurrence.component.property(PropertyName.recurrenceID) != nil {
            self.occurrence = EventEditor.referenceInstant(of: occurrence.recurrenceID, resolver: resolver)
        }
    }

    private init(_ component: Component, start: DateOrDateTime, end: DateOrDateTime, resolver: TimeZoneResolver) {
        uid = component.uid
        summary = component.summary
        description = component.descriptionText
        location = component.location
        self.start = EventEditor.referenceInstant(of: start, resolver: resolver)
        self.end = EventEditor.referenceInstant(of: end, resolver: resolver)
        if case .date(let first) = start { allDay = Days(first: first, end: end.date) } else { allDay = nil }
        timeZone = start.tzid
        if case .dateTime(let dateTime) = start, dateTime.form == .floating { floating = true } else { floating = false }
        recurrence = nil
        occurrence = nil
        status = component.status?.rawValue
        transparent = component.transparency == .transparent
        sequence = (try? component.sequence) ?? 0
        organizer = component.organizer?.address.uri
        attendees = component.attendees.map { Participant(address: $0.address.uri, participation: $0.participationStatus, commonName: $0.commonName) }
    }
}
