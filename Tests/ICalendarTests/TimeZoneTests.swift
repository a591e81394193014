import ContentLines
import Foundation
import ICalendar
import SwitchboardTestSupport
import Testing

private let newYork = """
    BEGIN:VCALENDAR\r
    VERSION:2.0\r
    PRODID:-//test//EN\r
    BEGIN:VTIMEZONE\r
    TZID:Custom/New_York\r
    BEGIN:STANDARD\r
    DTSTART:20071104T020000\r
    RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r
    TZOFFSETFROM:-0400\r
    TZOFFSETTO:-0500\r
    END:STANDARD\r
    BEGIN:DAYLIGHT\r
    DTSTART:20070311T020000\r
    RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r
    TZOFFSETFROM:-0500\r
    TZOFFSETTO:-0400\r
    END:DAYLIGHT\r
    END:VTIMEZONE\r
    END:VCALENDAR\r

    """

private func utc(_ text: String) throws -> Int64 {
    try DateTime(parsing: text).local.secondsSinceEpoch
}

@Suite struct TimeZoneResolution {
    let resolver: TimeZoneResolver

    init() throws {
        resolver = TimeZoneResolver(calendar: try ICalendarParser().parse(newYork).calendar!)
    }

    private func resolve(_ local: String, _ tzid: String) throws -> Int64? {
        try resolver.utcSeconds(for: DateTime(parsing: local, tzid: tzid))
    }

    @Test func vtimezoneRulesGiveTheOffsetAtAnyInstant() throws {
        #expect(try resolve("20240115T090000", "Custom/New_York") == utc("20240115T140000Z"))
        #expect(try resolve("20240715T090000", "Custom/New_York") == utc("20240715T130000Z"))
        // Far from DTSTART, and before it (the earliest observance's TZOFFSETFROM).
        #expect(try resolve("21240715T090000", "Custom/New_York") == utc("21240715T130000Z"))
        #expect(try resolve("20000715T090000", "Custom/New_York") == utc("20000715T140000Z"))
    }

    @Test func nonexistentTimeUsesTheOffsetBeforeTheGap() throws {
        // RFC 5545 §3.3.5: 02:30 on 2024-03-10 does not exist in New York; read with -0500.
        #expect(try resolve("20240310T023000", "Custom/New_York") == utc("20240310T073000Z"))
    }

    @Test func ambiguousTimeIsTheFirstOccurrence() throws {
        // 01:30 on 2024-11-03 happens twice; the first is still in daylight time (-0400).
        #expect(try resolve("20241103T013000", "Custom/New_York") == utc("20241103T053000Z"))
    }

    @Test func vtimezoneAndIANAAgree() throws {
        let iana = TimeZoneResolver(calendar: Component.calendar())
        for month in 1...12 {
            for hour in [0, 1, 2, 3, 12] {
                let local = "2025\(month.formatted2)08T\(hour.formatted2)0000"
                #expect(try resolve(local, "Custom/New_York") == iana.utcSeconds(for: DateTime(parsing: local, tzid: "America/New_York")))
            }
        }
    }

    @Test func unknownZonesFallBackToIANAAndWindowsNames() throws {
        let berlin = try resolve("20240701T120000", "Europe/Berlin")
        #expect(berlin == (try utc("20240701T100000Z")))
        #expect(try resolve("20240701T120000", "W. Europe Standard Time") == berlin)
        #expect(try resolve("20240701T120000", "/mozilla.org/20050126_1/Europe/Berlin") == berlin)
        #expect(throws: TimeZoneError.self) { try resolve("20240701T120000", "Mars/Olympus_Mons") }
    }

    @Test func floatingTimesStayFloatingUnlessAsked() throws {
        let floating = try DateTime(parsing: "20240701T120000")
        #expect(try resolver.utcSeconds(for: floating) == nil)
        var calendar = Component.calendar()
        calendar.appendProperty(Property(name: "X-WR-TIMEZONE", value: "Asia/Tokyo"))
        let honoured = TimeZoneResolver(calendar: calendar, floatingTimes: .calendarTimeZone)
        #expect(try honoured.utcSeconds(for: floating) == utc("20240701T030000Z"))
        #expect(try TimeZoneResolver(calendar: calendar).utcSeconds(for: floating) == nil)
    }

    @Test func everyCorpusVTimezoneEvaluatesOrFailsTyped() throws {
        var evaluated = 0
        for path in Corpus.files(endingIn: [".ics"], under: "ical") {
            guard let parsed = try? ICalendarParser().parse(Corpus.bytes(path)) else { continue }
            for calendar in parsed.components {
                for zone in calendar.components(ComponentName.timeZone) {
                    guard let rules = try? VTimeZoneRules(zone) else { continue }
                    for year in stride(from: 1990, through: 2040, by: 10) {
                        let instant = LocalDateTime(date: CalendarDate(year: year, month: 6, day: 1)).secondsSinceEpoch
                        #expect(abs(rules.utcOffset(at: instant)) <= 18 * 3600)
                    }
                    evaluated += 1
                }
            }
        }
        #expect(evaluated > 100)
    }
}

@Suite struct IANATable {
    @Test(arguments: ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "America/Sao_Paulo", "Africa/Casablanca", "Pacific/Apia"])
    func tableAgreesWithFoundation(_ identifier: String) throws {
        let zone = try #require(TimeZone(identifier: identifier))
        let rules = IANAZoneRules(zone)
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<2_000 {
            let instant = Int64.random(in: -2_500_000_000...4_200_000_000, using: &generator)
            #expect(rules.utcOffset(at: instant) == zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
        }
    }
}

@Suite struct MissingTimeZones {
    @Test func missingVTimezoneIsGeneratedFromIANAAndAgreesWithIt() throws {
        var calendar = try ICalendarParser().parse("""
            BEGIN:VCALENDAR\r
            VERSION:2.0\r
            PRODID:-//test//EN\r
            BEGIN:VEVENT\r
            UID:1\r
            DTSTART;TZID=Europe/Berlin:20200301T090000\r
            DTEND;TZID=W. Europe Standard Time:20250301T100000\r
            EXDATE;TZID=Mars/Base:20210301T090000\r
            END:VEVENT\r
            END:VCALENDAR\r

            """).calendar!
        let unresolved = calendar.addMissingTimeZones()
        #expect(unresolved == ["Mars/Base"])
        let zones = calendar.components(ComponentName.timeZone)
        #expect(zones.compactMap { $0.property("TZID")?.value }.sorted() == ["Europe/Berlin", "W. Europe Standard Time"])
        #expect(calendar.components.first?.name == ComponentName.timeZone)

        // The generated definition gives the same instants as the IANA database.
        let generated = try VTimeZoneRules(zones.first { $0.property("TZID")?.value == "Europe/Berlin" }!)
        let iana = IANAZoneRules(identifier: "Europe/Berlin")!
        for day in stride(from: 0, to: 366 * 6, by: 3) {
            for hour in [0, 1, 2, 3, 4] {
                var local = LocalDateTime(date: CalendarDate(year: 2020, month: 1, day: 1).adding(days: day))
                local.hour = hour
                #expect(generated.instant(of: local) == iana.instant(of: local), "\(local)")
            }
        }
        // It serializes and parses strictly.
        let text = ICalendarSerializer().string(calendar)
        #expect(throws: Never.self) { try ICalendarParser(options: .init(strict: true)).parse(text) }
    }

    @Test func zoneWithoutTransitionsGetsOneObservance() throws {
        let zone = VTimeZoneGenerator.component(tzid: "Asia/Tokyo", zone: TimeZone(identifier: "Asia/Tokyo")!, years: 2020...2024)
        #expect(zone.components.count == 1)
        #expect(zone.components.first?.property("TZOFFSETTO")?.value == "+0900")
    }
}

extension Int {
    fileprivate var formatted2: String { self < 10 ? "0\(self)" : "\(self)" }
}
