import ContentLines
import Foundation
import ICalendar
import SwitchboardTestSupport
import Testing

private func calendar(_ body: String) throws -> Component {
    try #require(
        try ICalendarParser().parse("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n\(body)END:VCALENDAR\r\n").calendar)
}

private func series(_ calendar: Component) throws -> RecurrenceSet {
    let events = calendar.components(ComponentName.event)
    let master = try #require(events.first { $0.property(PropertyName.recurrenceID) == nil })
    return try RecurrenceSet(
        master: master, overrides: events.filter { $0.property(PropertyName.recurrenceID) != nil },
        resolver: TimeZoneResolver(calendar: calendar))
}

private func local(_ text: String) throws -> LocalDateTime {
    text.count == 8 ? LocalDateTime(date: try CalendarDate(parsing: text)) : try DateTime(parsing: text).local
}

/// Every day from `first` through `last` (YYYYMMDD) at 09:00, `step` days apart.
private func days(from first: String, through last: String, step: Int = 1) -> [String] {
    let start = try! CalendarDate(parsing: first).daysSinceEpoch
    let end = try! CalendarDate(parsing: last).daysSinceEpoch
    return stride(from: start, through: end, by: step).map { CalendarDate(daysSinceEpoch: $0).icalendarText + "T090000" }
}

/// RFC 5545 §3.8.5.3 examples (DTSTART in America/New_York), as written in the RFC.
@Suite struct RFC5545RecurrenceExamples {
    static let examples: [(name: String, start: String, rule: String, exdate: String?, expected: [String])] = [
        ("daily for 10 occurrences", "19970902T090000", "FREQ=DAILY;COUNT=10", nil,
         ["19970902T090000", "19970903T090000", "19970904T090000", "19970905T090000", "19970906T090000",
          "19970907T090000", "19970908T090000", "19970909T090000", "19970910T090000", "19970911T090000"]),
        ("every 10 days, 5 occurrences", "19970902T090000", "FREQ=DAILY;INTERVAL=10;COUNT=5", nil,
         ["19970902T090000", "19970912T090000", "19970922T090000", "19971002T090000", "19971012T090000"]),
        ("weekly for 10 occurrences, across the end of DST", "19970902T090000", "FREQ=WEEKLY;COUNT=10", nil,
         ["19970902T090000", "19970909T090000", "19970916T090000", "19970923T090000", "19970930T090000",
          "19971007T090000", "19971014T090000", "19971021T090000", "19971028T090000", "19971104T090000"]),
        ("weekly on Tuesday and Thursday for five weeks", "19970902T090000",
         "FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH", nil,
         ["19970902T090000", "19970904T090000", "19970909T090000", "19970911T090000", "19970916T090000",
          "19970918T090000", "19970923T090000", "19970925T090000", "19970930T090000", "19971002T090000"]),
        ("monthly on the first Friday for 10 occurrences", "19970905T090000", "FREQ=MONTHLY;COUNT=10;BYDAY=1FR", nil,
         ["19970905T090000", "19971003T090000", "19971107T090000", "19971205T090000", "19980102T090000",
          "19980206T090000", "19980306T090000", "19980403T090000", "19980501T090000", "19980605T090000"]),
        ("every Friday the 13th, DTSTART excluded", "19970902T090000", "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
         "19970902T090000",
         ["19980213T090000", "19980313T090000", "19981113T090000", "19990813T090000", "20001013T090000"]),
        ("third of Tuesday, Wednesday, Thursday each month, 3 times", "19970904T090000",
         "FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3", nil,
         ["19970904T090000", "19971007T090000", "19971106T090000"]),
        // The RFC lists from September 30; its DTSTART (a Monday, not the last work day)
        // is "not synchronized with the recurrence rule", which §3.8.5.3 leaves undefined.
        // Like libical, Google and Outlook, the set keeps DTSTART as its first instance.
        ("last work day of the month", "19970929T090000", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", nil,
         ["19970929T090000", "19970930T090000", "19971031T090000", "19971128T090000", "19971231T090000", "19980130T090000",
          "19980227T090000", "19980331T090000"]),
        ("invalid dates are skipped", "20070115T090000", "FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5", nil,
         ["20070115T090000", "20070130T090000", "20070215T090000", "20070315T090000", "20070330T090000"]),
        ("WKST changes the result (MO)", "19970805T090000", "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO", nil,
         ["19970805T090000", "19970810T090000", "19970819T090000", "19970824T090000"]),
        ("WKST changes the result (SU)", "19970805T090000", "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU", nil,
         ["19970805T090000", "19970817T090000", "19970819T090000", "19970831T090000"]),
        ("every other week on MO, WE, FR until December 24", "19970901T090000",
         "FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR", nil,
         ["0901", "0903", "0905", "0915", "0917", "0919", "0929", "1001", "1003", "1013", "1015", "1017", "1027",
          "1029", "1031", "1110", "1112", "1114", "1124", "1126", "1128", "1208", "1210", "1212", "1222"]
            .map { "1997\($0)T090000" }),
        ("second-to-last Monday for 6 months", "19970922T090000", "FREQ=MONTHLY;COUNT=6;BYDAY=-2MO", nil,
         ["19970922T090000", "19971020T090000", "19971117T090000", "19971222T090000", "19980119T090000",
          "19980216T090000"]),
        ("third-to-the-last day of the month", "19970928T090000", "FREQ=MONTHLY;BYMONTHDAY=-3", nil,
         ["19970928T090000", "19971029T090000", "19971128T090000", "19971229T090000", "19980129T090000",
          "19980226T090000"]),
        ("yearly in June and July for 10 occurrences", "19970610T090000", "FREQ=YEARLY;COUNT=10;BYMONTH=6,7", nil,
         (1997...2001).flatMap { ["\($0)0610T090000", "\($0)0710T090000"] }),
        ("every 3rd year on the 1st, 100th and 200th day", "19970101T090000",
         "FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200", nil,
         ["19970101T090000", "19970410T090000", "19970719T090000", "20000101T090000", "20000409T090000",
          "20000718T090000", "20030101T090000", "20030410T090000", "20030719T090000", "20060101T090000"]),
        ("every 20th Monday of the year", "19970519T090000", "FREQ=YEARLY;BYDAY=20MO", nil,
         ["19970519T090000", "19980518T090000", "19990517T090000"]),
        ("Monday of week number 20", "19970512T090000", "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", nil,
         ["19970512T090000", "19980511T090000", "19990517T090000"]),
        ("every Thursday in March", "19970313T090000", "FREQ=YEARLY;BYMONTH=3;BYDAY=TH", nil,
         ["19970313T090000", "19970320T090000", "19970327T090000", "19980305T090000", "19980312T090000",
          "19980319T090000", "19980326T090000"]),
        ("U.S. presidential election day", "19961105T090000",
         "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8", nil,
         ["19961105T090000", "20001107T090000", "20041102T090000"]),
        ("every 15 minutes for 6 occurrences", "19970902T090000", "FREQ=MINUTELY;INTERVAL=15;COUNT=6", nil,
         ["19970902T090000", "19970902T091500", "19970902T093000", "19970902T094500", "19970902T100000",
          "19970902T101500"]),
        ("every hour and a half for 4 occurrences", "19970902T090000", "FREQ=MINUTELY;INTERVAL=90;COUNT=4", nil,
         ["19970902T090000", "19970902T103000", "19970902T120000", "19970902T133000"]),
        ("every 20 minutes from 9:00 to 16:40", "19970902T090000",
         "FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40", nil,
         (9...16).flatMap { hour in [0, 20, 40].map { String(format: "19970902T%02d%02d00", hour, $0) } }),
        ("daily until December 24, 1997", "19970902T090000", "FREQ=DAILY;UNTIL=19971224T000000Z", nil,
         days(from: "19970902", through: "19971223")),
        ("every other day, forever", "19970902T090000", "FREQ=DAILY;INTERVAL=2", nil,
         ["19970902T090000", "19970904T090000", "19970906T090000", "19970908T090000", "19970910T090000"]),
        ("every day in January for 3 years, as a daily rule", "19980101T090000",
         "FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1", nil,
         (1998...2000).flatMap { days(from: "\($0)0101", through: "\($0)0131") }),
        ("weekly until December 24, 1997", "19970902T090000", "FREQ=WEEKLY;UNTIL=19971224T000000Z", nil,
         days(from: "19970902", through: "19971223", step: 7)),
        ("every other week, forever", "19970902T090000", "FREQ=WEEKLY;INTERVAL=2;WKST=SU", nil,
         ["19970902T090000", "19970916T090000", "19970930T090000", "19971014T090000", "19971028T090000"]),
        ("every other month on the first and last Sunday for 10", "19970907T090000",
         "FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU", nil,
         ["19970907", "19970928", "19971102", "19971130", "19980104", "19980125", "19980301", "19980329", "19980503",
          "19980531"].map { $0 + "T090000" }),
        ("monthly on the 2nd and 15th for 10", "19970902T090000", "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15", nil,
         ["199709", "199710", "199711", "199712", "199801"].flatMap { ["\($0)02T090000", "\($0)15T090000"] }),
        ("monthly on the first and last day for 10", "19970930T090000", "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1", nil,
         ["19970930", "19971001", "19971031", "19971101", "19971130", "19971201", "19971231", "19980101", "19980131",
          "19980201"].map { $0 + "T090000" }),
        ("every 18 months on the 10th to 15th for 10", "19970910T090000",
         "FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15", nil,
         days(from: "19970910", through: "19970915") + days(from: "19990310", through: "19990313")),
        ("every Tuesday, every other month", "19970902T090000", "FREQ=MONTHLY;INTERVAL=2;BYDAY=TU", nil,
         ["19970902", "19970909", "19970916", "19970923", "19970930", "19971104", "19971111", "19971118", "19971125",
          "19980106"].map { $0 + "T090000" }),
        ("every other year in January, February and March for 10", "19970310T090000",
         "FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3", nil,
         ["19970310T090000"] + [1999, 2001, 2003].flatMap { year in ["01", "02", "03"].map { "\(year)\($0)10T090000" } }),
        ("the first Saturday after the first Sunday", "19970913T090000",
         "FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13", nil,
         ["19970913T090000", "19971011T090000", "19971108T090000", "19971213T090000", "19980110T090000",
          "19980207T090000"]),
        ("every 20 minutes from 9:00 to 16:40, as a minutely rule", "19970902T090000",
         "FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,11,12,13,14,15,16", nil,
         (9...16).flatMap { hour in [0, 20, 40].map { String(format: "19970902T%02d%02d00", hour, $0) } }),
        // Left out: "every 3 hours from 9:00 to 17:00" lists 15:00 although its
        // UNTIL=19970902T170000Z is 13:00 in New York (an RFC 5545 erratum).
        ("every day in January, for 3 years", "19980101T090000",
         "FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA", nil,
         (1998...2000).flatMap { year in (1...31).map { "\(year)01\($0 < 10 ? "0" : "")\($0)T090000" } }),
    ]

    @Test(arguments: examples)
    func expandsAsTheRFCSays(_ example: (name: String, start: String, rule: String, exdate: String?, expected: [String])) throws {
        let exdate = example.exdate.map { "EXDATE;TZID=America/New_York:\($0)\r\n" } ?? ""
        let set = try series(calendar("""
            BEGIN:VEVENT\r
            UID:rfc\r
            DTSTART;TZID=America/New_York:\(example.start)\r
            DURATION:PT1H\r
            RRULE:\(example.rule)\r
            \(exdate)END:VEVENT\r

            """))
        let occurrences = try set.occurrences(from: .local(try local(example.start)), limit: example.expected.count + 1)
        let starts = occurrences.map { $0.start.icalendarText }
        #expect(Array(starts.prefix(example.expected.count)) == example.expected, "\(example.name)")
    }

    @Test func wallClockStaysAcrossDST() throws {
        let set = try series(calendar("""
            BEGIN:VEVENT\r
            UID:dst\r
            DTSTART;TZID=America/New_York:19970902T090000\r
            DTEND;TZID=America/New_York:19970902T100000\r
            RRULE:FREQ=WEEKLY;COUNT=10\r
            END:VEVENT\r

            """))
        let occurrences = try set.occurrences(from: .instant(0), limit: 10)
        // 09:00 EDT is 13:00 UTC; after the change on 1997-10-26, 09:00 EST is 14:00 UTC.
        #expect(occurrences.first?.startUTC == (try DateTime(parsing: "19970902T130000Z").local.secondsSinceEpoch))
        #expect(occurrences.last?.startUTC == (try DateTime(parsing: "19971104T140000Z").local.secondsSinceEpoch))
        #expect(occurrences.last?.end.icalendarText == "19971104T100000")
    }
}

@Suite struct RecurrenceSetBehaviour {
    static let weekly = """
        BEGIN:VEVENT\r
        UID:w\r
        DTSTART;TZID=Europe/Berlin:20240101T090000\r
        DTEND;TZID=Europe/Berlin:20240101T100000\r
        RRULE:FREQ=WEEKLY;COUNT=6\r
        EXDATE;TZID=Europe/Berlin:20240115T090000\r
        RDATE;TZID=Europe/Berlin:20240103T120000\r
        END:VEVENT\r
        BEGIN:VEVENT\r
        UID:w\r
        RECURRENCE-ID;TZID=Europe/Berlin:20240108T090000\r
        DTSTART;TZID=Europe/Berlin:20240109T150000\r
        DTEND;TZID=Europe/Berlin:20240109T153000\r
        SUMMARY:moved to Tuesday\r
        END:VEVENT\r
        BEGIN:VEVENT\r
        UID:w\r
        RECURRENCE-ID;TZID=Europe/Berlin:20240122T090000\r
        DTSTART;TZID=Europe/Berlin:20240122T090000\r
        STATUS:CANCELLED\r
        END:VEVENT\r
        BEGIN:VEVENT\r
        UID:w\r
        RECURRENCE-ID;TZID=Europe/Berlin:20240301T090000\r
        DTSTART;TZID=Europe/Berlin:20240301T090000\r
        SUMMARY:an instance the rule never made\r
        END:VEVENT\r

        """

    @Test func exdateRdateOverridesAndCancellations() throws {
        let set = try series(calendar(Self.weekly))
        let occurrences = try set.occurrences(
            from: .local(try local("20240101T000000")), to: .local(try local("20240401T000000")))
        #expect(occurrences.map { $0.start.icalendarText } == [
            "20240101T090000", "20240103T120000", "20240109T150000", "20240129T090000", "20240205T090000",
            "20240301T090000",
        ])
        #expect(occurrences[2].recurrenceID.icalendarText == "20240108T090000")
        #expect(occurrences[2].component.summary == "moved to Tuesday")
        #expect(occurrences[2].end.icalendarText == "20240109T153000")
    }

    @Test func thisAndFutureMovesTheRest() throws {
        let set = try series(calendar("""
            BEGIN:VEVENT\r
            UID:f\r
            DTSTART:20240101T090000Z\r
            DURATION:PT30M\r
            RRULE:FREQ=DAILY;COUNT=5\r
            END:VEVENT\r
            BEGIN:VEVENT\r
            UID:f\r
            RECURRENCE-ID;RANGE=THISANDFUTURE:20240103T090000Z\r
            DTSTART:20240103T110000Z\r
            DURATION:PT1H\r
            SUMMARY:later from now on\r
            END:VEVENT\r

            """))
        let occurrences = try set.occurrences(from: .instant(0), limit: 10)
        #expect(occurrences.map { $0.start.icalendarText } == [
            "20240101T090000Z", "20240102T090000Z", "20240103T110000Z", "20240104T110000Z", "20240105T110000Z",
        ])
        #expect(occurrences.last?.end.icalendarText == "20240105T120000Z")
        #expect(occurrences.last?.component.summary == "later from now on")
    }

    @Test func allDayAndFloatingStayThemselves() throws {
        let set = try series(calendar("""
            BEGIN:VEVENT\r
            UID:d\r
            DTSTART;VALUE=DATE:20240229\r
            RRULE:FREQ=YEARLY;COUNT=3\r
            END:VEVENT\r

            """))
        let occurrences = try set.occurrences(from: .instant(0), limit: 5)
        #expect(occurrences.map { $0.start } == [
            .date(CalendarDate(year: 2024, month: 2, day: 29)), .date(CalendarDate(year: 2028, month: 2, day: 29)),
            .date(CalendarDate(year: 2032, month: 2, day: 29)),
        ])
        #expect(occurrences.allSatisfy { $0.startUTC == nil && $0.end.isDate })
        #expect(occurrences.first?.end == .date(CalendarDate(year: 2024, month: 3, day: 1)))
    }

    @Test func farWindowsSkipAheadAndPathologicalRulesStop() throws {
        let set = try series(calendar("""
            BEGIN:VEVENT\r
            UID:s\r
            DTSTART:20000101T000000Z\r
            RRULE:FREQ=SECONDLY\r
            END:VEVENT\r

            """))
        let window = try set.occurrences(
            from: .instant(try DateTime(parsing: "20500101T000000Z").local.secondsSinceEpoch),
            to: .instant(try DateTime(parsing: "20500101T000010Z").local.secondsSinceEpoch))
        #expect(window.count == 10)
        // A rule that never matches leaves DTSTART alone, and stops at year 9999…
        let never = try series(calendar("BEGIN:VEVENT\r\nUID:n\r\nDTSTART:20000101T000000Z\r\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\r\nEND:VEVENT\r\n"))
        #expect(try never.occurrences(from: .instant(0), limit: 2).count == 1)
        // …or earlier, with a typed error, under a tighter bound.
        var iterator = try RuleExpander(
            rule: RecurrenceRule(parsing: "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"), start: try local("20000101T000000"),
            options: .init(maxEmptyPeriods: 100)
        ).makeIterator()
        #expect { try iterator.next() } throws: { ($0 as? RecurrenceError)?.code == .limitExceeded }
    }

    /// Occurrences are increasing, unique, inside the window, never on an EXDATE, and a
    /// window split in two gives the same instances.
    @Test(arguments: 0..<40)
    func windowProperties(_ seed: Int) throws {
        var generator = SeededGenerator(seed: UInt64(seed))
        let frequencies = ["DAILY", "WEEKLY", "MONTHLY", "YEARLY", "HOURLY"]
        let frequency = frequencies.randomElement(using: &generator)!
        let interval = Int.random(in: 1...3, using: &generator)
        let exdate = "20240\(Int.random(in: 1...9, using: &generator))15T093000"
        let set = try series(calendar("""
            BEGIN:VEVENT\r
            UID:p\r
            DTSTART;TZID=Europe/Berlin:20240115T093000\r
            DURATION:PT10M\r
            RRULE:FREQ=\(frequency);INTERVAL=\(interval);BYMONTHDAY=1,15,-1\r
            EXDATE;TZID=Europe/Berlin:\(exdate)\r
            END:VEVENT\r

            """))
        let a = try local("20240101T000000"), b = try local("20240601T000000"), c = try local("20250101T000000")
        let whole = try set.occurrences(from: .local(a), to: .local(c))
        let first = try set.occurrences(from: .local(a), to: .local(b))
        let second = try set.occurrences(from: .local(b), to: .local(c))
        let starts = whole.map { $0.start.icalendarText }
        #expect(starts == starts.sorted() && Set(starts).count == starts.count)
        #expect(!starts.contains(exdate))
        #expect(whole.allSatisfy { $0.start.icalendarText >= a.icalendarText && $0.start.icalendarText < c.icalendarText })
        #expect((first + second).map { $0.start.icalendarText } == starts)
    }
}

/// Every recurring calendar of the corpus expands over 1990–2030 without a trap; a series
/// that cannot be expanded (broken data) is reported with a typed error and the rest go on.
@Suite struct CorpusExpansion {
    static let recurring = Corpus.files(endingIn: [".ics"], under: "ical").filter { path in
        (try? Corpus.bytes(path)).map { String(decoding: $0, as: UTF8.self).contains("RRULE:") } ?? false
    }

    @Test func recurringCalendarsArePresent() { #expect(Self.recurring.count > 50) }

    @Test(arguments: recurring)
    func expands(_ path: String) throws {
        guard let parsed = try? ICalendarParser().parse(Corpus.bytes(path)) else { return }
        for calendar in parsed.components where calendar.name == ComponentName.calendar {
            let expansion = CalendarExpansion(
                calendar: calendar, from: .local(try local("19900101T000000")), to: .local(try local("20300101T000000")),
                limit: 5_000)
            let starts = expansion.occurrences.map { $0.startUTC ?? 0 }
            #expect(starts == starts.sorted() || expansion.occurrences.contains { $0.startUTC == nil })
        }
    }
}

@Suite struct LazyIteration {
    @Test func iteratorWalksAnUnboundedSeriesInOrderAndEndsABoundedOne() throws {
        let unbounded = try series(calendar("BEGIN:VEVENT\r\nUID:u\r\nDTSTART;TZID=Europe/Berlin:20240101T090000\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\n"))
        var iterator = unbounded.makeIterator(from: .local(try local("20300101T000000")))
        var starts: [String] = []
        while starts.count < 800, let next = try iterator.next() { starts.append(next.start.icalendarText) }
        #expect(starts.first == "20300101T090000")
        #expect(starts.last == "20320310T090000")
        #expect(Set(starts).count == 800 && starts == starts.sorted())
        let bounded = try series(calendar("BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20240101T090000Z\r\nRRULE:FREQ=MONTHLY;COUNT=3\r\nEND:VEVENT\r\n"))
        var all = bounded.makeIterator(from: .instant(0))
        var count = 0
        while try all.next() != nil { count += 1 }
        #expect(count == 3)
    }
}

@Suite struct AlarmTriggers {
    @Test func relativeAbsoluteRepeatingAndAllDay() throws {
        let set = try series(calendar("""
            BEGIN:VEVENT\r
            UID:a\r
            DTSTART;TZID=Europe/Berlin:20240330T090000\r
            DTEND;TZID=Europe/Berlin:20240330T100000\r
            RRULE:FREQ=DAILY;COUNT=2\r
            BEGIN:VALARM\r
            ACTION:DISPLAY\r
            TRIGGER:-PT15M\r
            REPEAT:2\r
            DURATION:PT5M\r
            END:VALARM\r
            BEGIN:VALARM\r
            ACTION:DISPLAY\r
            TRIGGER;RELATED=END:PT0S\r
            END:VALARM\r
            BEGIN:VALARM\r
            ACTION:DISPLAY\r
            TRIGGER;VALUE=DATE-TIME:20240329T120000Z\r
            END:VALARM\r
            END:VEVENT\r

            """))
        let occurrences = try set.occurrences(from: .instant(0), limit: 2)
        // The second instance is after the change to summer time: 09:00 is 07:00 UTC.
        let triggers = try set.alarmTriggers(of: occurrences[1])
        #expect(triggers.map { $0.time.icalendarText } == [
            "20240329T120000Z", "20240331T084500", "20240331T085000", "20240331T085500", "20240331T100000",
        ])
        #expect(triggers[1].utc == (try DateTime(parsing: "20240331T064500Z").local.secondsSinceEpoch))
        #expect(triggers.map(\.repetition) == [0, 0, 1, 2, 0])

        let allDay = try series(calendar("""
            BEGIN:VEVENT\r
            UID:b\r
            DTSTART;VALUE=DATE:20240501\r
            BEGIN:VALARM\r
            ACTION:DISPLAY\r
            TRIGGER:-PT15H\r
            END:VALARM\r
            END:VEVENT\r

            """))
        let holiday = try #require(try allDay.occurrences(from: .instant(0), limit: 1).first)
        let reminder = try #require(try allDay.alarmTriggers(of: holiday).first)
        #expect(reminder.time == .dateTime(DateTime(LocalDateTime(date: CalendarDate(year: 2024, month: 4, day: 30), hour: 9), form: .floating)))
        #expect(reminder.utc == nil)
    }
}

/// `lastEnd`: the bound by which the store indexes a series (a series that ended long ago
/// must not be read for every availability question).
@Suite struct SeriesLastEnd {
    static func event(_ lines: String) -> String {
        "BEGIN:VEVENT\r\nUID:s\r\nDTSTAMP:20250101T000000Z\r\n\(lines)END:VEVENT\r\n"
    }

    static let cases: [(name: String, body: String, expected: Int64?)] = [
        ("a weekly series without end runs on",
         event("DTSTART:20250106T090000Z\r\nDTEND:20250106T093000Z\r\nRRULE:FREQ=WEEKLY\r\n"), nil),
        ("COUNT: the third instance's end",
         event("DTSTART:20250106T090000Z\r\nDTEND:20250106T093000Z\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\n"), 1_737_365_400),
        ("UNTIL, in a zone: 5 March 2026 10:00 Berlin",
         event("DTSTART;TZID=Europe/Berlin:20260301T090000\r\nDTEND;TZID=Europe/Berlin:20260301T100000\r\n"
               + "RRULE:FREQ=DAILY;UNTIL=20260305T080000Z\r\n"), 1_772_701_200),
        ("an RDATE after the rule's end",
         event("DTSTART:20250106T090000Z\r\nDTEND:20250106T093000Z\r\nRRULE:FREQ=DAILY;COUNT=2\r\nRDATE:20250301T090000Z\r\n"),
         1_740_821_400),
        ("all-day instances end at the day's end in the latest zone (UTC-12)",
         event("DTSTART;VALUE=DATE:20250106\r\nDTEND;VALUE=DATE:20250107\r\nRRULE:FREQ=DAILY;COUNT=2\r\n"), 1_736_337_600),
        ("more instances than the limit count as running on",
         event("DTSTART:20250106T090000Z\r\nDTEND:20250106T093000Z\r\nRRULE:FREQ=DAILY;COUNT=20000\r\n"), nil),
    ]

    @Test(arguments: cases)
    func lastEnd(_ example: (name: String, body: String, expected: Int64?)) throws {
        #expect(try series(calendar(example.body)).lastEnd() == example.expected, "\(example.name)")
    }

    @Test func anOverrideThatMovesTheLastInstanceLaterExtendsTheBound() throws {
        let set = try series(calendar(Self.event("DTSTART:20250106T090000Z\r\nDTEND:20250106T093000Z\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\n")
            + "BEGIN:VEVENT\r\nUID:s\r\nDTSTAMP:20250101T000000Z\r\nRECURRENCE-ID:20250120T090000Z\r\n"
            + "DTSTART:20250127T090000Z\r\nDTEND:20250127T100000Z\r\nEND:VEVENT\r\n"))
        let movedEnd: Int64 = 1_737_972_000  // 27 January 2025 10:00 UTC
        let bound = try #require(try set.lastEnd())
        #expect(bound >= movedEnd && bound <= movedEnd + 86_400)
    }
}
