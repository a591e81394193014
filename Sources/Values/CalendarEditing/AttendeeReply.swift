import ContentLines
public import ICalendar

/// An attendee's answer to an invitation (iTIP REPLY, RFC 5546 §3.2.3), read from the
/// calendar object of an iMIP message (RFC 6047), and what it changes on the organizer's
/// event: that attendee's `PARTSTAT`, nothing else.
public struct AttendeeReply: Sendable, Hashable {
    /// The event's UID.
    public var uid: String
    /// The occurrence answered, as written (`RECURRENCE-ID`), or `nil` for the whole event.
    public var recurrenceID: String?
    /// The attendee who answers, as a lower-cased `mailto:` URI.
    public var attendee: String
    /// `ACCEPTED`, `DECLINED` or `TENTATIVE`.
    public var participation: String
    /// The SEQUENCE of the invitation answered.
    public var sequence: Int

    /// The answers a reply may carry.
    public static let participations: Set<String> = ["ACCEPTED", "DECLINED", "TENTATIVE"]

    /// The reply in `text`: a VCALENDAR with `METHOD:REPLY` and one VEVENT with a UID and
    /// one ATTENDEE answering with one of ``participations``; `nil` for anything else.
    public init?(calendar text: String) {
        guard let calendar = try? ICalendarParser().parse(text).components.first(where: { $0.name == ComponentName.calendar }),
              calendar.property("METHOD")?.value.uppercased() == "REPLY",
              let event = calendar.components(ComponentName.event).first, let uid = event.uid,
              case let attendees = event.properties("ATTENDEE"), attendees.count == 1,
              let participation = attendees[0].parameter("PARTSTAT")?.value?.uppercased(), Self.participations.contains(participation)
        else { return nil }
        self.uid = uid
        recurrenceID = event.property("RECURRENCE-ID")?.value
        attendee = attendees[0].value.lowercased()
        self.participation = participation
        sequence = (try? event.sequence) ?? 0
    }

    /// The attendee's address without `mailto:`.
    public var address: String { attendee.hasPrefix("mailto:") ? String(attendee.dropFirst(7)) : attendee }

    /// `object` with the attendee's PARTSTAT set (and RSVP dropped) on the event the reply
    /// answers; `nil` when the object has no such event or attendee, when the reply answers
    /// an older invitation than the event's (a lower SEQUENCE), or when nothing changes.
    public func applied(to object: String) -> String? {
        guard let parsed = try? ICalendarParser().parse(object), let index = parsed.components.firstIndex(where: { $0.name == ComponentName.calendar })
        else { return nil }
        var calendar = parsed.components[index]
        var changed = false
        for position in calendar.components.indices where calendar.components[position].name == ComponentName.event {
            var event = calendar.components[position]
            guard event.uid == uid, event.property("RECURRENCE-ID")?.value == recurrenceID, ((try? event.sequence) ?? 0) <= sequence else { continue }
            for line in event.properties.indices where event.properties[line].name == "ATTENDEE" && event.properties[line].value.lowercased() == attendee {
                guard event.properties[line].parameter("PARTSTAT")?.value?.uppercased() != participation
                        || event.properties[line].parameter("RSVP") != nil else { continue }
                event.properties[line].setParameter("PARTSTAT", values: [participation])
                event.properties[line].setParameter("RSVP", values: nil)
                changed = true
            }
            calendar.components[position] = event
        }
        return changed ? ICalendarSerializer().string(calendar) : nil
    }
}
