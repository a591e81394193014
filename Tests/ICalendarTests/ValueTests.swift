import ContentLines
import Foundation
import ICalendar
import Testing

@Suite struct DateAndTimeValues {
    @Test(arguments: ["19970714", "20000229", "00010101", "99991231"])
    func datesRoundTrip(_ text: String) throws {
        #expect(try CalendarDate(parsing: text).icalendarText == text)
    }

    @Test(arguments: ["19970230", "19000229", "2000022", "20001301", "2000-02-01", "abcdefgh"])
    func invalidDatesAreRejected(_ text: String) {
        #expect(throws: ValueError.self) { try CalendarDate(parsing: text) }
    }

    @Test func dateTimeForms() throws {
        #expect(try DateTime(parsing: "19980118T230000").form == .floating)
        #expect(try DateTime(parsing: "19980119T070000Z").form == .utc)
        #expect(try DateTime(parsing: "19980119T020000", tzid: "America/New_York").form == .zoned(tzid: "America/New_York"))
        // A Z time ignores TZID, as RFC 5545 §3.3.5 forbids the combination.
        #expect(try DateTime(parsing: "19980119T070000Z", tzid: "America/New_York").form == .utc)
        #expect(try DateTime(parsing: "19971231T235960Z").local.second == 60)
    }

    @Test(arguments: ["19980119T2300", "19980119 230000", "19980119T240000", "19980119T230000ZZ", "19980119t230000"])
    func invalidDateTimesAreRejected(_ text: String) {
        #expect(throws: ValueError.self) { try DateTime(parsing: text) }
    }

    @Test func dateValuePropertyStaysADate() throws {
        let property = Property(name: "DTSTART", parameters: [Parameter(name: "VALUE", value: "DATE")], value: "20240301")
        #expect(try property.dateOrDateTime() == .date(CalendarDate(year: 2024, month: 3, day: 1)))
        // An 8-digit value without VALUE=DATE is still a date, as producers omit it.
        #expect(try Property(name: "DTSTART", value: "20240301").dateOrDateTime().isDate)
    }

    @Test func epochArithmetic() {
        for days in stride(from: -800_000, through: 2_900_000, by: 997) {
            #expect(CalendarDate(daysSinceEpoch: days).daysSinceEpoch == days)
        }
        #expect(CalendarDate(year: 1970, month: 1, day: 1).weekday == .thursday)
        #expect(CalendarDate(year: 2024, month: 2, day: 29).weekday == .thursday)
        #expect(LocalDateTime(secondsSinceEpoch: -1).icalendarText == "19691231T235959")
    }
}

@Suite struct DurationValues {
    @Test(arguments: [
        ("P15DT5H0M20S", 15, 5 * 3600 + 20), ("P7W", 49, 0), ("-PT15M", 0, -900), ("+P1D", 1, 0),
        ("PT1H30M", 0, 5400), ("P1W2D", 9, 0), ("PT0S", 0, 0),
    ])
    func parses(_ text: String, _ days: Int, _ seconds: Int) throws {
        let duration = try CalendarDuration(parsing: text)
        #expect(duration.nominalDays == days)
        #expect(duration.exactSeconds == seconds)
        #expect(try CalendarDuration(parsing: duration.icalendarText) == duration)
    }

    @Test(arguments: ["P", "PT", "15M", "P1H", "PT1D", "PT5M1H", "P-1D", "PXD"])
    func invalid(_ text: String) {
        #expect(throws: ValueError.self) { try CalendarDuration(parsing: text) }
    }

    @Test func nominalDaysMoveTheCalendarDay() {
        let start = LocalDateTime(date: CalendarDate(year: 2024, month: 3, day: 30), hour: 10)
        let moved = start.adding(CalendarDuration(days: 1, hours: 2))
        #expect(moved == LocalDateTime(date: CalendarDate(year: 2024, month: 3, day: 31), hour: 12))
    }
}

@Suite struct OtherValues {
    @Test func periods() throws {
        let explicit = try Period(parsing: "19970101T180000Z/19970102T070000Z")
        #expect(explicit.end == .dateTime(try DateTime(parsing: "19970102T070000Z")))
        let started = try Period(parsing: "19970101T180000Z/PT5H30M")
        #expect(started.end == .duration(CalendarDuration(hours: 5, minutes: 30)))
        #expect(started.icalendarText == "19970101T180000Z/PT5H30M")
        #expect(throws: ValueError.self) { try Period(parsing: "19970101T180000Z") }
        #expect(throws: ValueError.self) { try Period(parsing: "19970101T180000Z/-PT1H") }
    }

    @Test(arguments: [("-0500", -18000), ("+0100", 3600), ("+013045", 5445), ("-0000", 0)])
    func utcOffsets(_ text: String, _ seconds: Int) throws {
        #expect(try UTCOffset(parsing: text).seconds == seconds)
    }

    @Test(arguments: [("+5:30", 19800), ("+530", 19800), ("5:30", 19800), ("+05:30:00", 19800), ("-8", -28800)])
    func brokenUTCOffsetsAreRepaired(_ text: String, _ seconds: Int) throws {
        #expect(throws: ValueError.self) { try UTCOffset(parsing: text) }
        #expect(UTCOffset.repairing(text)?.seconds == seconds)
    }

    @Test func recurrenceRules() throws {
        let rule = try RecurrenceRule(parsing: "FREQ=MONTHLY;BYDAY=-1FR,2MO,TU;BYSETPOS=-1;INTERVAL=2;WKST=SU;X-NAME=1")
        #expect(rule.frequency == .monthly)
        #expect(rule.byDay == [.init(.friday, ordinal: -1), .init(.monday, ordinal: 2), .init(.tuesday)])
        #expect(rule.interval == 2)
        #expect(rule.weekStart == .sunday)
        #expect(rule.extensions.map(\.name) == ["X-NAME"])
        #expect(try RecurrenceRule(parsing: rule.icalendarText) == rule)
        let until = try RecurrenceRule(parsing: "FREQ=DAILY;UNTIL=19971224T000000Z")
        #expect(until.until == .dateTime(try DateTime(parsing: "19971224T000000Z")))
    }

    @Test(arguments: [
        "BYDAY=MO", "FREQ=FORTNIGHTLY", "FREQ=DAILY;COUNT=0", "FREQ=DAILY;COUNT=2;UNTIL=20000101",
        "FREQ=DAILY;BYMONTH=13", "FREQ=DAILY;BYDAY=0MO", "FREQ=DAILY;BYDAY=54MO", "FREQ=DAILY;BYMONTHDAY=0",
        "FREQ=DAILY;FREQ=WEEKLY", "FREQ=DAILY;INTERVAL",
    ])
    func invalidRecurrenceRules(_ text: String) {
        #expect(throws: ValueError.self) { try RecurrenceRule(parsing: text) }
    }

    @Test func scalars() throws {
        #expect(try ScalarValue.boolean("TRUE") && !(try ScalarValue.boolean("false")))
        #expect(try ScalarValue.integer("-2147483648") == -2_147_483_648)
        #expect(throws: ValueError.self) { try ScalarValue.integer("2147483648") }
        #expect(try ScalarValue.float("+1000000.0000001") == 1_000_000.000_000_1)
        #expect(throws: ValueError.self) { try ScalarValue.float("1e5") }
        #expect(try Geo(parsing: "37.386013;-122.082932") == Geo(latitude: 37.386013, longitude: -122.082932))
        #expect(throws: ValueError.self) { try Geo(parsing: "91;0") }
        #expect(try ScalarValue.binary("AAECAw==") == Data([0, 1, 2, 3]))
        #expect(CalendarUserAddress(uri: "MAILTO:jane@example.com").email == "jane@example.com")
    }

    @Test func textListsAndEscapes() {
        let property = Property(name: "CATEGORIES", value: "APPOINTMENT,EDUCATION\\, TRAINING")
        #expect(property.textList == ["APPOINTMENT", "EDUCATION, TRAINING"])
        #expect(Property(name: "SUMMARY", text: "a, b; c\nd").value == "a\\, b\\; c\\nd")
    }
}
