import Availability
import Foundation
import ICalendar
import Testing

/// RFC 7953 availability applied over a resource's own hours.
@Suite struct PublishedAvailabilityTests {
    typealias Table = AvailabilityTests

    static func published(_ components: String...) -> String {
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n" + components.joined() + "END:VCALENDAR\r\n"
    }

    static func vavailability(_ uid: String, _ lines: [String], available: [String] = []) -> String {
        "BEGIN:VAVAILABILITY\r\nUID:\(uid)\r\nDTSTAMP:20260101T000000Z\r\n" + lines.map { $0 + "\r\n" }.joined()
            + available.joined() + "END:VAVAILABILITY\r\n"
    }

    static func available(_ uid: String, _ lines: String...) -> String {
        "BEGIN:AVAILABLE\r\nUID:\(uid)\r\nDTSTAMP:20260101T000000Z\r\n" + lines.map { $0 + "\r\n" }.joined() + "END:AVAILABLE\r\n"
    }

    /// From March 2026 on: weekdays 10:00–14:00 Berlin, published; before it, the resource's
    /// own 09:00–17:00.
    static let mornings = published(vavailability(
        "mornings", ["DTSTART;TZID=Europe/Berlin:20260301T000000"],
        available: [available("weekdays", "DTSTART;TZID=Europe/Berlin:20260302T100000", "DTEND;TZID=Europe/Berlin:20260302T140000",
                              "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")]))

    static func working(_ rules: ResourceRules, _ from: String, _ to: String) throws -> [Interval] {
        try Availability(rules: rules).workingTime(around: Interval(start: Table.utc(from), end: Table.utc(to)))
    }

    @Test func publishedAvailabilityReplacesTheWeeklyHoursWhereItSpeaks() throws {
        let rules = Table.rules { $0.publishedAvailability = Self.mornings }
        // Friday 27 February: the weekly hours (08:00–16:00 UTC).
        #expect(try Self.working(rules, "2026-02-27T00:00:00Z", "2026-02-28T00:00:00Z")
            == [Interval(start: Table.utc("2026-02-27T08:00:00Z"), end: Table.utc("2026-02-27T16:00:00Z"))])
        // Monday 2 March: 10:00–14:00 Berlin is 09:00–13:00 UTC; the weekend before, nothing.
        #expect(try Self.working(rules, "2026-02-28T00:00:00Z", "2026-03-03T00:00:00Z")
            == [Interval(start: Table.utc("2026-03-02T09:00:00Z"), end: Table.utc("2026-03-02T13:00:00Z"))])
        // After the change to summer time, still 10:00 Berlin (08:00 UTC).
        #expect(try Self.working(rules, "2026-04-06T00:00:00Z", "2026-04-07T00:00:00Z")
            == [Interval(start: Table.utc("2026-04-06T08:00:00Z"), end: Table.utc("2026-04-06T12:00:00Z"))])
        // As a WebDAV property value it arrives with bare line feeds (XML drops the CRs).
        let fromXML = Table.rules { $0.publishedAvailability = Self.mornings.replacingOccurrences(of: "\r\n", with: "\n") }
        #expect(try Self.working(fromXML, "2026-04-06T00:00:00Z", "2026-04-07T00:00:00Z")
            == [Interval(start: Table.utc("2026-04-06T08:00:00Z"), end: Table.utc("2026-04-06T12:00:00Z"))])
        let slots = Table.slotStarts([], "2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", rules: rules)
        #expect(slots.first == Table.utc("2026-03-02T09:00:00Z") && slots.last == Table.utc("2026-03-02T12:00:00Z"))
    }

    @Test func aHigherPriorityAvailabilityWinsWhereTheyOverlap() throws {
        // Priority 1, the week of 9 March, with one available afternoon; the mornings have no
        // priority (0: the lowest), whatever their order in the calendar.
        let holiday = Self.vavailability(
            "holiday", ["PRIORITY:1", "DTSTART:20260309T000000Z", "DTEND:20260314T000000Z"],
            available: [Self.available("afternoon", "DTSTART:20260311T140000Z", "DURATION:PT2H")])
        for text in [Self.published(holiday, Self.vavailability("mornings", ["DTSTART:20260301T000000Z"],
                                                                   available: [Self.available("m", "DTSTART:20260302T090000Z", "DTEND:20260302T130000Z",
                                                                                              "RRULE:FREQ=DAILY")])),
                     Self.published(Self.vavailability("mornings", ["PRIORITY:0", "DTSTART:20260301T000000Z"],
                                                       available: [Self.available("m", "DTSTART:20260302T090000Z", "DTEND:20260302T130000Z",
                                                                                  "RRULE:FREQ=DAILY")]), holiday)] {
            let rules = Table.rules { $0.publishedAvailability = text }
            #expect(try Self.working(rules, "2026-03-09T00:00:00Z", "2026-03-14T00:00:00Z")
                == [Interval(start: Table.utc("2026-03-11T14:00:00Z"), end: Table.utc("2026-03-11T16:00:00Z"))])
            #expect(try Self.working(rules, "2026-03-16T00:00:00Z", "2026-03-17T00:00:00Z")
                == [Interval(start: Table.utc("2026-03-16T09:00:00Z"), end: Table.utc("2026-03-16T13:00:00Z"))])
        }
    }

    @Test func dateOverridesStillWinAndFloatingTimesAreTheResourcesZone() throws {
        let floating = Self.published(Self.vavailability(
            "f", ["DTSTART:20260301T000000"],
            available: [Self.available("a", "DTSTART:20260302T080000", "DTEND:20260302T120000", "RRULE:FREQ=DAILY")]))
        let rules = Table.rules {
            $0.publishedAvailability = floating
            $0.dateOverrides = [try! DateOverride.parse("2026-03-04 13:00-15:00")]
        }
        // 08:00 floating is 08:00 Berlin, 07:00 UTC.
        #expect(try Self.working(rules, "2026-03-03T00:00:00Z", "2026-03-04T00:00:00Z")
            == [Interval(start: Table.utc("2026-03-03T07:00:00Z"), end: Table.utc("2026-03-03T11:00:00Z"))])
        #expect(try Self.working(rules, "2026-03-04T00:00:00Z", "2026-03-05T00:00:00Z")
            == [Interval(start: Table.utc("2026-03-04T12:00:00Z"), end: Table.utc("2026-03-04T14:00:00Z"))])
    }

    @Test func unreadableAvailabilityIsRefusedByName() {
        let broken = Self.published(Self.vavailability("broken", ["DTSTART;TZID=Nowhere/Atlantis:20260301T000000"]))
        #expect {
            try Availability(rules: Table.rules { $0.publishedAvailability = broken })
        } throws: { error in
            "\(error)".contains("VAVAILABILITY broken")
        }
        #expect(throws: AvailabilityError.self) { try PublishedAvailability(parsing: "not a calendar") }
    }
}
