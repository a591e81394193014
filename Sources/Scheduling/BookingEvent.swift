import ContentLines
public import ICalendar

/// The calendar object that carries a booking, and its iTIP messages (RFC 5546), as values.
public struct BookingEvent: Sendable, Hashable {
    public var uid: String
    public var start: Int64
    public var end: Int64
    public var summary: String
    public var status: EventStatus
    public var sequence: Int
    public var organizer: String?
    public var attendees: [String]
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

    /// The VEVENT, in UTC.
    public func event(stamp: Int64) -> Component {
        var properties: [Property] = [
            Property(name: "UID", value: uid), Property(name: "DTSTAMP", value: Self.utc(stamp)),
            Property(name: "DTSTART", value: Self.utc(start)), Property(name: "DTEND", value: Self.utc(end)),
            Property(name: "SUMMARY", value: summary), Property(name: "STATUS", value: status.rawValue),
            Property(name: "SEQUENCE", value: String(sequence)), Property(name: "X-SWITCHBOARD-BOOKING", value: bookingID),
        ]
        if let organizer { properties.append(Property(name: "ORGANIZER", value: organizer)) }
        for attendee in attendees {
            properties.append(Property(name: "ATTENDEE", parameters: [
                Parameter(name: "ROLE", value: "REQ-PARTICIPANT"), Parameter(name: "PARTSTAT", value: "NEEDS-ACTION"),
                Parameter(name: "RSVP", value: "TRUE"),
            ], value: attendee))
        }
        return Component(ComponentName.event, properties: properties)
    }

    /// The object stored on the calendar server.
    public func calendarObject(stamp: Int64) -> String {
        ICalendarSerializer().string(Self.wrap(event(stamp: stamp), method: nil))
    }

    /// The iTIP REQUEST sent to attendees on creation and on every change of time.
    public func request(stamp: Int64) -> String {
        ICalendarSerializer().string(Self.wrap(event(stamp: stamp), method: "REQUEST"))
    }

    /// The iTIP CANCEL sent when the booking is cancelled (a higher SEQUENCE, STATUS:CANCELLED).
    public func cancel(stamp: Int64) -> String {
        var cancelled = self
        cancelled.status = .cancelled
        cancelled.sequence += 1
        return ICalendarSerializer().string(Self.wrap(cancelled.event(stamp: stamp), method: "CANCEL"))
    }

    static func wrap(_ event: Component, method: String?) -> Component {
        var properties = [Property(name: "VERSION", value: "2.0"), Property(name: "PRODID", value: "-//Switchboard//Bookings//EN")]
        if let method { properties.append(Property(name: "METHOD", value: method)) }
        return Component(ComponentName.calendar, properties: properties, components: [event])
    }

    static func utc(_ seconds: Int64) -> String { LocalDateTime(secondsSinceEpoch: seconds).icalendarText + "Z" }
}
