import CalendarEditing
import ContentLines
import Foundation
import FuzzerSupport
import ICalendar

/// The text fields of a booking or event request, as a client sends them.
struct RequestFields: Decodable {
    var summary: String
    var attendees: [String]?
    var description: String?
    var location: String?
}

/// One fuzz input, read as the JSON of a booking or event request: whatever the fields
/// hold, the calendar object made from them parses back to exactly the properties the
/// builders wrote, with the text unchanged (line breaks as LF) — no value can add a
/// property, a parameter or a component.
func fuzz(_ bytes: [UInt8]) {
    guard let fields = try? JSONDecoder().decode(RequestFields.self, from: Data(bytes)) else { return }
    if let (summary, attendees) = try? BookingEvent.validated(summary: fields.summary, attendees: fields.attendees ?? []) {
        let booking = BookingEvent(bookingID: "fuzz", start: 1_800_000_000, end: 1_800_003_600, summary: summary, attendees: attendees)
        let event = readBack(booking.calendarObject(stamp: 1_800_000_000))
        precondition(event.properties.map(\.name) == booking.event(stamp: 1_800_000_000).properties.map(\.name), "a booking gained or lost a property")
        precondition(event.property("SUMMARY")?.text == summary, "a booking's summary changed on the way")
        precondition(event.properties("ATTENDEE").map(\.value) == attendees, "a booking's attendees changed on the way")
    }
    let draft = EventDraft(summary: fields.summary, timing: .timed(start: 1_800_000_000, end: 1_800_003_600, timeZone: "Europe/Berlin"),
                           description: fields.description, location: fields.location)
    guard (try? draft.validate()) != nil, let object = try? EventEditor.newObject(draft, uid: "fuzz", stamp: 1_800_000_000) else { return }
    let event = readBack(ICalendarSerializer().string(object))
    precondition(event.properties("SUMMARY").count == 1 && event.properties("RRULE").isEmpty, "an event gained a property")
    for (name, text) in [("SUMMARY", fields.summary), ("DESCRIPTION", fields.description), ("LOCATION", fields.location)] {
        guard let text else { continue }
        precondition(event.property(name)?.text == TextValue.normalizingLineBreaks(text), "an event's \(name) changed on the way")
    }
}

/// The one VEVENT of a calendar object the builders wrote.
func readBack(_ text: String) -> Component {
    guard let parsed = try? ICalendarParser(options: .init(strict: true)).parse(Array(text.utf8)),
          let calendar = parsed.components.first, parsed.components.count == 1
    else { fatalError("a built calendar object does not parse strictly") }
    let events = calendar.components.filter { $0.name == ComponentName.event }
    precondition(events.count == 1, "a built calendar object holds \(events.count) events")
    return events[0]
}

/// `RequestFuzzer [libFuzzer options] [CORPUS…]` under libFuzzer, or `RequestFuzzer FILE…` to replay.
@main
struct RequestFuzzerMain {
    static func main() throws {
        try FuzzerMain.run { data, size in
            fuzz(Array(UnsafeBufferPointer(start: data, count: size)))
            return 0
        }
    }
}
