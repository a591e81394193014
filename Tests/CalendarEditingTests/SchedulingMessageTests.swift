import CalendarEditing
import Foundation
import ContentLines
import ICalendar
import Testing

/// Attendees on drafts, and the iTIP messages an organizer sends about its events.
@Suite struct SchedulingMessageTests {
    static let stamp: Int64 = 1_790_000_000

    static func draft(start: Int64 = 1_790_100_000, attendees: [String]?) -> EventDraft {
        EventDraft(summary: "Review", timing: .timed(start: start, end: start + 3600, timeZone: "Europe/Berlin"), attendees: attendees,
                   organizer: "mailto:carol@example.org")
    }

    static func attendeeLines(_ object: Component) -> [String] {
        object.components.first { $0.name == ComponentName.event }?.properties(PropertyName.attendee).map { property in
            ICalendarSerializer().string(Component(ComponentName.calendar, properties: [property])).replacingOccurrences(of: "\r\n ", with: "")
                .split(separator: "\r\n")[1].description
        } ?? []
    }

    @Test func attendeesFromOutsideAreCheckedAddressesEachOnce() throws {
        #expect(try EventDraft.validatedAttendees(["Anna@Example.org", "mailto:anna@example.org", "bob@example.org"])
            == ["mailto:Anna@Example.org", "mailto:bob@example.org"])
        for hostile in ["anna@example.org\r\nATTENDEE:mailto:eve@example.org", "anna@example.org;RSVP=TRUE", "a@b>,<eve@example.org", "nobody"] {
            #expect(throws: EventEditError.self) { try EventDraft.validatedAttendees([hostile]) }
        }
        #expect(throws: EventEditError.self) { try EventDraft.validatedAttendees(Array(repeating: "a@example.org", count: 51)) }
        // A draft holds them only as validated: an unchecked one is refused when applied.
        #expect(throws: EventEditError.self) {
            try EventEditor.newObject(Self.draft(attendees: ["eve@example.org;ROLE=CHAIR"]), uid: "x", stamp: Self.stamp)
        }
    }

    @Test func anAnswerStaysUntilTheEventMoves() throws {
        let created = try EventEditor.newObject(Self.draft(attendees: ["mailto:bob@example.org"]), uid: "r@test", stamp: Self.stamp)
        #expect(Self.attendeeLines(created) == ["ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.org"])
        #expect(SchedulingMessage.organizer(of: created) == "mailto:carol@example.org")
        var answered = created
        answered.components[answered.components.firstIndex { $0.name == ComponentName.event }!].properties.removeAll { $0.name == PropertyName.attendee }
        answered.components[answered.components.firstIndex { $0.name == ComponentName.event }!]
            .appendProperty(Property(name: PropertyName.attendee, parameters: [Parameter(name: "CN", value: "Bob"), Parameter(name: "PARTSTAT", value: "ACCEPTED")],
                                     value: "mailto:bob@example.org"))

        let renamed = try EventEditor.replaceSeries(in: answered, with: Self.draft(attendees: ["mailto:bob@example.org", "mailto:dan@example.org"]), stamp: Self.stamp)
        #expect(Self.attendeeLines(renamed) == ["ATTENDEE;CN=Bob;PARTSTAT=ACCEPTED:mailto:bob@example.org",
                                                "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:dan@example.org"])
        let moved = try EventEditor.replaceSeries(in: renamed, with: Self.draft(start: 1_790_200_000, attendees: ["mailto:bob@example.org"]), stamp: Self.stamp)
        #expect(Self.attendeeLines(moved) == ["ATTENDEE;CN=Bob;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.org"])
        // Without attendees in the draft, the event's stay as they are.
        let kept = try EventEditor.replaceSeries(in: renamed, with: Self.draft(start: 1_790_200_000, attendees: nil), stamp: Self.stamp)
        #expect(Self.attendeeLines(kept) == Self.attendeeLines(renamed))
    }

    @Test func requestsCarryTheWholeObjectAndCancelsRaiseTheSequence() throws {
        let object = try EventEditor.newObject(Self.draft(attendees: ["mailto:bob@example.org", "mailto:carol@example.org", "mailto:dan@example.org"]),
                                               uid: "r@test", stamp: Self.stamp)
        // The organizer is not its own attendee.
        #expect(SchedulingMessage.attendees(of: object) == ["mailto:bob@example.org", "mailto:dan@example.org"])
        let request = try #require(try ICalendarParser().parse(SchedulingMessage.request(object)).components.first)
        #expect(request.property("METHOD")?.value == "REQUEST" && request.components.contains { $0.name == ComponentName.timeZone })

        let cancel = try #require(try ICalendarParser().parse(SchedulingMessage.cancel(object, stamp: Self.stamp + 60, attendees: ["mailto:dan@example.org"]))
            .components.first)
        let event = try #require(cancel.components.first { $0.name == ComponentName.event })
        #expect(cancel.property("METHOD")?.value == "CANCEL" && event.status == .cancelled)
        #expect(try event.sequence == 1)
        #expect(event.attendees.map(\.address.uri) == ["mailto:dan@example.org"])
    }
}
