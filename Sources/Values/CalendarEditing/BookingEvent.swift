import ContentLines
public import ICalendar

/// The calendar object that carries a booking, and its iTIP messages (RFC 5546), as values.
/// Its summary is written as escaped TEXT and its attendees are mail addresses checked by
/// ``validated(summary:attendees:)``: nothing a booker sends can add a property.
public struct BookingEvent: Sendable, Hashable {
    public var uid: String
    public var start: Int64
    public var end: Int64
    public var summary: String
    public var status: EventStatus
    public var sequence: Int
    public var organizer: String?
    public var attendees: [String]
    /// Attendees' answers so far (lower-cased address → PARTSTAT); those not here need to act.
    public var participation: [String: String] = [:]
    public var bookingID: String

    public init(bookingID: String, start: Int64, end: Int64, summary: String, status: EventStatus = .tentative, sequence: Int = 0,
                organizer: String? = nil, attendees: [String] = []) {
        uid = bookingID + "@switchboard"
        self.bookingID = bookingID
        self.start = start
        self.end = end
        self.summary = summary
        self.status = status
        self.sequence = sequence
        self.organizer = organizer
        self.attendees = attendees
    }

    /// The longest summary a booking takes, in characters.
    public static let maxSummaryCharacters = 500
    /// A booker's summary and attendees as a booking keeps them, or the field at fault: a
    /// summary of 1 to ``maxSummaryCharacters`` characters without control characters other
    /// than tab and line breaks (CRLF and CR kept as LF), and attendees held to
    /// ``EventDraft/validatedAttendees(_:field:)``.
    public static func validated(summary: String, attendees: [String]) throws(EventEditError) -> (summary: String, attendees: [String]) {
        let summary = TextValue.normalizingLineBreaks(summary)
        guard !summary.isEmpty, summary.count <= maxSummaryCharacters else {
            throw .invalid("summary", "1 to \(maxSummaryCharacters) characters")
        }
        try EventDraft.checkControlCharacters(summary, field: "summary")
        return (summary, try EventDraft.validatedAttendees(attendees))
    }

    /// The VEVENT, in UTC.
    public func event(stamp: Int64) -> Component {
        var properties: [Property] = [
            Property(name: "UID", value: uid), Property(name: "DTSTAMP", value: Self.utc(stamp)),
            Property(name: "DTSTART", value: Self.utc(start)), Property(name: "DTEND", value: Self.utc(end)),
            Property(name: "SUMMARY", text: summary), Property(name: "STATUS", value: status.rawValue),
            Property(name: "SEQUENCE", value: String(sequence)), Property(name: "X-SWITCHBOARD-BOOKING", value: bookingID),
        ]
        // Addresses are URIs, not TEXT: only validated ones (CalendarUserAddress(mailAddress:))
        // reach here, and the writer never lets a value end its line.
        if let organizer { properties.append(Property(name: "ORGANIZER", value: organizer)) }
        for attendee in attendees {
            let answer = participation[attendee.lowercased()].flatMap { AttendeeReply.participations.contains($0) ? $0 : nil }
            var parameters = [Parameter(name: "ROLE", value: "REQ-PARTICIPANT"), Parameter(name: "PARTSTAT", value: answer ?? "NEEDS-ACTION")]
            if answer == nil { parameters.append(Parameter(name: "RSVP", value: "TRUE")) }
            properties.append(Property(name: "ATTENDEE", parameters: parameters, value: attendee))
        }
        return Component(ComponentName.event, properties: properties)
    }

    /// The object stored on the calendar server.
    public func calendarObject(stamp: Int64) -> String {
        ICalendarSerializer().string(Self.wrap(event(stamp: stamp)))
    }

    /// The iTIP REQUEST sent to attendees on creation and on every change of time.
    public func request(stamp: Int64) -> String {
        SchedulingMessage.request(Self.wrap(event(stamp: stamp)))
    }

    /// The iTIP CANCEL sent when the booking is cancelled (a higher SEQUENCE, STATUS:CANCELLED).
    public func cancel(stamp: Int64) -> String {
        SchedulingMessage.cancel(Self.wrap(event(stamp: stamp)), stamp: stamp)
    }

    static func wrap(_ event: Component) -> Component {
        let properties = [Property(name: "VERSION", value: "2.0"), Property(name: "PRODID", value: "-//Switchboard//Bookings//EN")]
        return Component(ComponentName.calendar, properties: properties, components: [event])
    }

    static func utc(_ seconds: Int64) -> String { LocalDateTime(secondsSinceEpoch: seconds).icalendarText + "Z" }
}
