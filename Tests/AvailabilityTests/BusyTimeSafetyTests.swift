import Availability
import Foundation
import ICalendar
import Testing

/// Data safety: no event drops out of busy time — zones servers write oddly, zones nothing
/// knows, broken recurrence as real calendars carry it.
@Suite struct BusyTimeSafetyTests {
    /// Monday 2026-03-02, the whole day in UTC.
    static let day = Interval(start: 1_772_409_600, end: 1_772_496_000)
    /// 09:00–10:00 Berlin that day.
    static let nineBerlin = Interval(start: 1_772_438_400, end: 1_772_442_000)

    static func reader() -> BusyTimeReader {
        BusyTimeReader(rules: BusyRules(), zone: IANAZoneRules(identifier: "Europe/Berlin")!, zoneName: "Europe/Berlin")
    }

    static func busy(_ text: String) throws -> [BusyPeriod] {
        let calendar = try #require(try ICalendarParser().parse(Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)).components.first)
        return reader().busyPeriods(of: calendar, in: day, calendarID: "c")
    }

    static func event(tzid: String, timezone: String = "", rrule: String? = nil, start: String = "20260302T090000") -> String {
        """
        BEGIN:VCALENDAR
        VERSION:2.0
        PRODID:-//Test//EN
        \(timezone)BEGIN:VEVENT
        UID:e1
        DTSTAMP:20260101T000000Z
        DTSTART;TZID=\(tzid):\(start)
        DTEND;TZID=\(tzid):\(start.prefix(9))100000
        SUMMARY:Busy
        \(rrule.map { "RRULE:\($0)\n" } ?? "")END:VEVENT
        END:VCALENDAR

        """
    }

    static let amsterdamZone = """
        BEGIN:VTIMEZONE
        TZID:(UTC+01:00) Amsterdam\\, Berlin\\, Bern\\, Rome\\, Stockholm\\, Vienna
        BEGIN:STANDARD
        DTSTART:16010101T030000
        TZOFFSETFROM:+0200
        TZOFFSETTO:+0100
        RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
        END:STANDARD
        BEGIN:DAYLIGHT
        DTSTART:16010101T020000
        TZOFFSETFROM:+0100
        TZOFFSETTO:+0200
        RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
        END:DAYLIGHT
        END:VTIMEZONE

        """

    @Test func aVTimeZoneWhoseTZIDIsWrittenEscapedIsFound() throws {
        let periods = try Self.busy(Self.event(tzid: "\"(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna\"", timezone: Self.amsterdamZone))
        #expect(periods.map(\.interval) == [Self.nineBerlin])
        #expect(periods.first?.note == nil)
    }

    @Test(arguments: ["\"(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna\"", "europe/berlin", "EUROPE/BERLIN", "w. europe standard time"])
    func outlookNamesAndCaseVariantsAreResolved(_ tzid: String) throws {
        let periods = try Self.busy(Self.event(tzid: tzid))
        #expect(periods.map(\.interval) == [Self.nineBerlin], "\(tzid)")
        #expect(periods.first?.note == nil)
    }

    @Test func aZoneNothingKnowsIsReadInTheResourcesZoneAndWidened() throws {
        let periods = try Self.busy(Self.event(tzid: "Customized Time Zone"))
        let period = try #require(periods.first)
        #expect(periods.count == 1)
        #expect(period.interval.start <= Self.nineBerlin.start - 13 * 3600 || period.interval.start <= Self.day.start)
        #expect(period.interval.end >= min(Self.nineBerlin.end + 13 * 3600, Self.day.end))
        #expect(period.note?.contains("Customized Time Zone") == true)
    }

    @Test(arguments: [
        ("", "empty"),
        ("FREQ=DAILY;COUNT=-1;UNTIL=20260310T000000Z", "COUNT"),
        ("FREQ=DAILY;UNTIL=20260101T000000Z", "before DTSTART"),
    ])
    func brokenRecurrenceKeepsTheFirstInstanceWithANote(_ rule: String, _ said: String) throws {
        let periods = try Self.busy(Self.event(tzid: "Europe/Berlin", rrule: rule))
        #expect(periods.map(\.interval) == [Self.nineBerlin], "\(rule)")
        #expect(periods.first?.note?.contains(said) == true, "\(String(describing: periods.first?.note))")
    }

    @Test func anEventThatCannotBeExpandedMakesTheWholeWindowBusy() throws {
        let broken = Self.event(tzid: "Europe/Berlin").replacingOccurrences(of: "DTSTART;TZID=Europe/Berlin:20260302T090000", with: "DTSTART;VALUE=DATE-TIME:yesterday")
        let periods = try Self.busy(broken)
        #expect(periods.map(\.interval) == [Self.day])
        #expect(periods.first?.note?.contains("cannot be expanded") == true)
    }

    /// 2026-03-02 to 2026-03-16, UTC.
    static let fortnight = Interval(start: 1_772_409_600, end: 1_773_619_200)

    static func busy(_ text: String, in window: Interval) throws -> [BusyPeriod] {
        let calendar = try #require(try ICalendarParser().parse(Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)).components.first)
        return reader().busyPeriods(of: calendar, in: window, calendarID: "c")
    }

    /// An EXDATE naming an instance that also has an override: the instance is gone, moved
    /// or not (libical and python recurring-ical-events agree).
    @Test func anExceptionDateNamingAModifiedInstanceExcludesIt() throws {
        let periods = try Self.busy("""
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:-//Test//EN
            BEGIN:VEVENT
            UID:w
            DTSTAMP:20260101T000000Z
            DTSTART:20260302T090000Z
            DTEND:20260302T100000Z
            RRULE:FREQ=WEEKLY;COUNT=3
            EXDATE:20260309T090000Z
            END:VEVENT
            BEGIN:VEVENT
            UID:w
            DTSTAMP:20260101T000000Z
            RECURRENCE-ID:20260309T090000Z
            DTSTART:20260310T090000Z
            DTEND:20260310T100000Z
            END:VEVENT
            END:VCALENDAR

            """, in: Self.fortnight)
        #expect(periods.map(\.interval.start) == [1_772_442_000], "only 2 March (16 March is outside): \(periods)")
    }

    /// Two copies of one UID with different SEQUENCE: the higher one is the event.
    @Test func ofTwoCopiesOfAnEventTheHigherSequenceCounts() throws {
        let periods = try Self.busy("""
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:-//Test//EN
            BEGIN:VEVENT
            UID:twice
            DTSTAMP:20260101T000000Z
            SEQUENCE:1
            DTSTART:20260302T090000Z
            DTEND:20260302T100000Z
            END:VEVENT
            BEGIN:VEVENT
            UID:twice
            DTSTAMP:20260102T000000Z
            SEQUENCE:2
            DTSTART:20260303T090000Z
            DTEND:20260303T100000Z
            END:VEVENT
            END:VCALENDAR

            """, in: Self.fortnight)
        #expect(periods.map(\.interval.start) == [1_772_442_000 + 86_400], "\(periods)")
    }

    /// A zero-length event is busy at its instant: a window starting there finds it (a point
    /// in time blocks, as libical's and recurring-ical-events' readers have it).
    @Test func aZeroLengthEventIsBusyAtItsInstant() throws {
        let text = Self.event(tzid: "Europe/Berlin").replacingOccurrences(of: "DTEND;TZID=Europe/Berlin:20260302T100000", with: "DTEND;TZID=Europe/Berlin:20260302T090000")
        let periods = try Self.busy(text, in: Interval(start: Self.nineBerlin.start, end: Self.nineBerlin.start + 60))
        #expect(periods.map(\.interval) == [Interval(start: Self.nineBerlin.start, end: Self.nineBerlin.start + 1)])
        #expect(try Self.busy(text, in: Interval(start: Self.nineBerlin.start + 1, end: Self.nineBerlin.start + 60)).isEmpty)
    }

    /// An all-day event covers the day in the resource's zone: a window of that day in
    /// Berlin finds it, one ending at Berlin's midnight before it does not.
    @Test func anAllDayEventIsTheDayInTheResourcesZone() throws {
        let text = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//EN\nBEGIN:VEVENT\nUID:d\nDTSTAMP:20260101T000000Z\nDTSTART;VALUE=DATE:20260302\nEND:VEVENT\nEND:VCALENDAR\n"
        let berlinMidnight: Int64 = 1_772_406_000
        let periods = try Self.busy(text, in: Interval(start: berlinMidnight, end: berlinMidnight + 86_400))
        #expect(periods.map(\.interval) == [Interval(start: berlinMidnight, end: berlinMidnight + 86_400)])
        #expect(try Self.busy(text, in: Interval(start: berlinMidnight - 3600, end: berlinMidnight)).isEmpty)
    }
}
