import ContentLines
import Foundation
import ICalendar
import SwitchboardTestSupport
import Testing

/// Generate components → serialize → parse → equal.
@Suite struct RoundTripProperties {
    static let names = ["SUMMARY", "DESCRIPTION", "X-CUSTOM", "X-APPLE-TRAVEL", "LOCATION", "COMMENT", "X-EMPTY"]
    static let alphabet = Array("abcXYZ019 ,;:\\\"'^\n\té€😀日本-_=/.")

    static func randomText(_ generator: inout SeededGenerator, maxLength: Int) -> String {
        String((0..<Int.random(in: 0...maxLength, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
    }

    static func randomComponent(_ generator: inout SeededGenerator, depth: Int) -> Component {
        var component = Component(["VEVENT", "VTODO", "X-THING", "VALARM"].randomElement(using: &generator)!)
        for _ in 0..<Int.random(in: 0...8, using: &generator) {
            var property = Property(
                name: names.randomElement(using: &generator)!, text: randomText(&generator, maxLength: 120))
            for _ in 0..<Int.random(in: 0...2, using: &generator) {
                let values = (0..<Int.random(in: 1...3, using: &generator)).map { _ in randomText(&generator, maxLength: 12) }
                property.parameters.append(Parameter(name: "X-P\(Int.random(in: 0...9, using: &generator))", values: values))
            }
            component.appendProperty(property)
        }
        if depth < 3 {
            for _ in 0..<Int.random(in: 0...2, using: &generator) {
                component.appendComponent(randomComponent(&generator, depth: depth + 1))
            }
        }
        return component
    }

    @Test(arguments: 0..<200)
    func generatedComponentsRoundTrip(_ seed: Int) throws {
        var generator = SeededGenerator(seed: UInt64(seed))
        let calendar = Component.calendar(components: (0..<3).map { _ in Self.randomComponent(&generator, depth: 0) })
        let text = ICalendarSerializer().string(calendar)
        let parsed = try ICalendarParser(options: .init(strict: true, validatesValues: false)).parse(text)
        #expect(parsed.components == [calendar])
        // Decoded values survive too.
        for (original, read) in zip(calendar.allComponents, parsed.components[0].allComponents) {
            for (a, b) in zip(original.properties, read.properties) {
                #expect(a.text == b.text)
                #expect(a.parameters.map(\.values) == b.parameters.map(\.values))
            }
        }
    }
}

@Suite struct Editing {
    static let source = """
        BEGIN:VCALENDAR\r
        VERSION:2.0\r
        PRODID:-//Example//EN\r
        BEGIN:VEVENT\r
        UID:abc-123\r
        DTSTAMP:20240101T000000Z\r
        DTSTART;TZID=Europe/Berlin:20240102T090000\r
        DTEND;TZID=Europe/Berlin:20240102T100000\r
        SUMMARY:Standup\r
        X-UNKNOWN;X-PARAM="keep, me":as-is\\,text\r
        BEGIN:VALARM\r
        ACTION:DISPLAY\r
        TRIGGER:-PT15M\r
        END:VALARM\r
        SEQUENCE:3\r
        END:VEVENT\r
        END:VCALENDAR\r

        """

    @Test func editingOnePropertyChangesOnlyThatLine() throws {
        var calendar = try ICalendarParser(options: .init(strict: true)).parse(Self.source).calendar!
        calendar.components[0].summary = "Standup (moved)"
        calendar.components[0].setStart(.dateTime(DateTime(LocalDateTime(date: CalendarDate(year: 2024, month: 1, day: 3), hour: 9), form: .zoned(tzid: "Europe/Berlin"))))
        let output = ICalendarSerializer().string(calendar)
        let before = Self.source.components(separatedBy: "\r\n")
        let after = output.components(separatedBy: "\r\n")
        let changed = zip(before, after).filter { $0 != $1 }
        #expect(before.count == after.count)
        #expect(changed.map(\.1) == ["DTSTART;TZID=Europe/Berlin:20240103T090000", "SUMMARY:Standup (moved)"])
    }

    @Test func propertiesAfterASubcomponentKeepTheirPlace() throws {
        let calendar = try ICalendarParser(options: .init(strict: true)).parse(Self.source).calendar!
        #expect(ICalendarSerializer().string(calendar) == Self.source)
    }

    @Test func accessors() throws {
        let event = try ICalendarParser().parse(Self.source).calendar!.components[0]
        #expect(event.uid == "abc-123")
        #expect(event.summary == "Standup")
        #expect(try event.sequence == 3)
        #expect(try event.start == .dateTime(DateTime(LocalDateTime(date: CalendarDate(year: 2024, month: 1, day: 2), hour: 9), form: .zoned(tzid: "Europe/Berlin"))))
        #expect(try event.effectiveEnd() == event.end)
        #expect(event.transparency == .opaque)
        #expect(event.components(ComponentName.alarm).first?.property("TRIGGER")?.value == "-PT15M")
    }

    @Test func effectiveEndFollowsRFC5545() throws {
        let day = CalendarDate(year: 2024, month: 2, day: 28)
        var allDay = Component.event(uid: "1", timestamp: LocalDateTime(date: day), start: .date(day))
        #expect(try allDay.effectiveEnd() == .date(CalendarDate(year: 2024, month: 2, day: 29)))
        allDay.setDuration(CalendarDuration(days: 2))
        #expect(try allDay.effectiveEnd() == .date(CalendarDate(year: 2024, month: 3, day: 1)))
        let start = DateTime(LocalDateTime(date: day, hour: 23), form: .utc)
        var timed = Component.event(uid: "2", timestamp: LocalDateTime(date: day), start: .dateTime(start))
        #expect(try timed.effectiveEnd() == .dateTime(start))
        timed.setDuration(CalendarDuration(hours: 2))
        #expect(try timed.effectiveEnd() == .dateTime(DateTime(LocalDateTime(date: day.adding(days: 1), hour: 1), form: .utc)))
    }

    @Test func builtEventsParseStrictly() throws {
        var event = Component.event(
            uid: "booking-1", timestamp: LocalDateTime(date: CalendarDate(year: 2024, month: 5, day: 1)),
            start: .dateTime(DateTime(LocalDateTime(date: CalendarDate(year: 2024, month: 5, day: 2), hour: 14), form: .zoned(tzid: "Europe/Berlin"))),
            end: .dateTime(DateTime(LocalDateTime(date: CalendarDate(year: 2024, month: 5, day: 2), hour: 15), form: .zoned(tzid: "Europe/Berlin"))),
            summary: "REQUEST: Tattoo, session 1")
        event.status = .tentative
        event.addAttendee(Attendee(address: CalendarUserAddress(email: "anna@example.com"), commonName: "Anna, A.", participation: "NEEDS-ACTION"))
        event.setRecurrenceRules([RecurrenceRule(frequency: .weekly, count: 3)])
        var calendar = Component.calendar(components: [event])
        calendar.addMissingTimeZones()
        let parsed = try ICalendarParser(options: .init(strict: true)).parse(ICalendarSerializer().string(calendar))
        let read = try #require(parsed.calendar?.components(ComponentName.event).first)
        #expect(read.summary == "REQUEST: Tattoo, session 1")
        #expect(read.attendees.first?.commonName == "Anna, A.")
        #expect(read.attendees.first?.address.email == "anna@example.com")
        #expect(try read.recurrenceRules == [RecurrenceRule(frequency: .weekly, count: 3)])
        #expect(read.status == .tentative)
    }
}
