import Availability
import Foundation
import ICalendar
import SwitchboardTestSupport
import Testing

/// The rules, table by table, with the pain points other booking systems are known for.
@Suite struct AvailabilityTests {
    static let berlin = "Europe/Berlin"

    /// A Berlin resource working weekdays 09:00–17:00 with hour slots every 30 minutes.
    static func rules(_ change: (inout ResourceRules) -> Void = { _ in }) -> ResourceRules {
        var rules = ResourceRules(timeZone: berlin, weeklyHours: try! WeeklyHours.parse("mon-fri 09:00-17:00"), horizon: 400 * 86_400)
        change(&rules)
        return rules
    }

    /// UTC seconds of `2026-03-23T09:00:00Z`-style text.
    static func utc(_ text: String) -> Int64 {
        let date = try! DateTime(parsing: text.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: ""))
        return date.local.secondsSinceEpoch
    }

    static func calendar(_ events: String...) -> Component {
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n" + events.joined() + "END:VCALENDAR\r\n"
        return try! ICalendarParser().parse(text).components[0]
    }

    static func event(_ uid: String, _ lines: String...) -> String {
        "BEGIN:VEVENT\r\nUID:\(uid)\r\nDTSTAMP:20260101T000000Z\r\n" + lines.map { $0 + "\r\n" }.joined() + "END:VEVENT\r\n"
    }

    static func busy(_ calendar: Component, _ from: String, _ to: String, rules: ResourceRules = rules()) -> [BusyPeriod] {
        let availability = try! Availability(rules: rules)
        return BusyTimeReader(rules: rules.busy, zone: availability.zone)
            .busyPeriods(of: calendar, in: Interval(start: utc(from), end: utc(to)), calendarID: "work")
    }

    static func slotStarts(_ busy: [BusyPeriod], _ from: String, _ to: String, rules: ResourceRules = rules(),
                           bookings: [Interval] = [], now: String = "2026-01-01T00:00:00Z") -> [Int64] {
        try! Availability(rules: rules).slots(busy: busy, bookings: bookings, in: Interval(start: utc(from), end: utc(to)), now: utc(now))
            .map(\.start)
    }

    @Test("a weekly meeting blocks every week across both DST changes", arguments: [
        ("2026-03-23T09:00:00Z", "2026-03-30T08:00:00Z"),  // spring forward on 29 March
        ("2026-10-19T08:00:00Z", "2026-10-26T09:00:00Z"),  // fall back on 25 October
    ])
    func weeklyMeetingAcrossDST(before: String, after: String) {
        let meeting = Self.calendar(Self.event("standup", "DTSTART;TZID=Europe/Berlin:20260105T100000",
                                               "DTEND;TZID=Europe/Berlin:20260105T110000", "RRULE:FREQ=WEEKLY;BYDAY=MO"))
        let busy = Self.busy(meeting, "2026-03-01T00:00:00Z", "2026-11-30T00:00:00Z")
        let starts = Set(busy.map(\.interval.start))
        #expect(starts.contains(Self.utc(before)) && starts.contains(Self.utc(after)), "10:00 Berlin is \(before) and \(after)")
        let slots = Self.slotStarts(busy, "2026-03-01T00:00:00Z", "2026-11-30T00:00:00Z")
        #expect(!slots.contains(Self.utc(before)) && !slots.contains(Self.utc(after)))
        #expect(slots.contains(Self.utc(before) + 3600), "11:00 is free again")
    }

    @Test func anAllDayEventBlocksTheHostsDayWhateverTheBookersZone() {
        let holiday = Self.calendar(Self.event("offsite", "DTSTART;VALUE=DATE:20260310", "DTEND;VALUE=DATE:20260311"))
        let busy = Self.busy(holiday, "2026-03-09T00:00:00Z", "2026-03-12T00:00:00Z")
        #expect(busy.map(\.interval) == [Interval(start: Self.utc("2026-03-09T23:00:00Z"), end: Self.utc("2026-03-10T23:00:00Z"))])
        // A booker in Honolulu (UTC−10) asks for their 9 and 10 March: nothing on the host's 10th.
        let slots = Self.slotStarts(busy, "2026-03-09T10:00:00Z", "2026-03-11T10:00:00Z")
        #expect(slots.allSatisfy { $0 < Self.utc("2026-03-09T23:00:00Z") || $0 >= Self.utc("2026-03-10T23:00:00Z") })
        #expect(slots.contains(Self.utc("2026-03-09T08:00:00Z") + 3600 * 7), "the 9th in Berlin still has its 16:00 slot")
        let ignoring = Self.rules { $0.busy.allDayBlocks = false }
        #expect(Self.busy(holiday, "2026-03-09T00:00:00Z", "2026-03-12T00:00:00Z", rules: ignoring).isEmpty, "configurable")
    }

    @Test func anOverrideMovesOneInstance() {
        let series = Self.calendar(
            Self.event("weekly", "DTSTART;TZID=Europe/Berlin:20260302T100000", "DTEND;TZID=Europe/Berlin:20260302T110000",
                       "RRULE:FREQ=WEEKLY"),
            Self.event("weekly", "RECURRENCE-ID;TZID=Europe/Berlin:20260316T100000", "DTSTART;TZID=Europe/Berlin:20260317T140000",
                       "DTEND;TZID=Europe/Berlin:20260317T150000"))
        let busy = Self.busy(series, "2026-03-15T00:00:00Z", "2026-03-19T00:00:00Z")
        let slots = Self.slotStarts(busy, "2026-03-15T00:00:00Z", "2026-03-19T00:00:00Z")
        #expect(slots.contains(Self.utc("2026-03-16T09:00:00Z")), "the old time (10:00 Berlin) is free")
        #expect(!slots.contains(Self.utc("2026-03-17T13:00:00Z")), "the new time (14:00 Berlin) is busy")
    }

    @Test func whatDoesNotBlock() {
        let calendar = Self.calendar(
            Self.event("cancelled", "DTSTART:20260311T090000Z", "DTEND:20260311T100000Z", "STATUS:CANCELLED"),
            Self.event("free", "DTSTART:20260311T110000Z", "DTEND:20260311T120000Z", "TRANSP:TRANSPARENT"),
            Self.event("declined", "DTSTART:20260311T130000Z", "DTEND:20260311T140000Z",
                       "ATTENDEE;PARTSTAT=DECLINED:mailto:anna@example.org"),
            Self.event("maybe", "DTSTART:20260311T150000Z", "DTEND:20260311T160000Z", "STATUS:TENTATIVE"))
        var rules = Self.rules()
        rules.busy.addresses = ["mailto:Anna@Example.org"]
        #expect(Self.busy(calendar, "2026-03-11T00:00:00Z", "2026-03-12T00:00:00Z", rules: rules).map(\.event.uid) == ["maybe"])
        rules.busy.tentativeBlocks = false
        #expect(Self.busy(calendar, "2026-03-11T00:00:00Z", "2026-03-12T00:00:00Z", rules: rules).isEmpty)
    }

    @Test func buffersAndMinimumNotice() throws {
        let calendar = Self.calendar(Self.event("consult", "DTSTART:20260311T110000Z", "DTEND:20260311T120000Z"))
        let busy = Self.busy(calendar, "2026-03-11T00:00:00Z", "2026-03-12T00:00:00Z")
        let rules = Self.rules { $0.bufferBefore = 900; $0.bufferAfter = 1800; $0.minimumNotice = 2 * 3600 }
        let slots = Self.slotStarts(busy, "2026-03-11T00:00:00Z", "2026-03-12T00:00:00Z", rules: rules, now: "2026-03-11T07:30:00Z")
        // Working 08:00–16:00 UTC; notice → from 09:30; 10:00–11:00 ends inside the 15-minute buffer;
        // 12:00 starts inside the 30-minute buffer after.
        #expect(slots.first == Self.utc("2026-03-11T09:30:00Z"))
        #expect(!slots.contains(Self.utc("2026-03-11T10:00:00Z")))
        #expect(!slots.contains(Self.utc("2026-03-11T12:00:00Z")))
        #expect(slots.contains(Self.utc("2026-03-11T12:30:00Z")))
        let availability = try Availability(rules: rules)
        let now = Self.utc("2026-03-11T07:30:00Z")
        let tenToEleven = Interval(start: Self.utc("2026-03-11T10:00:00Z"), end: Self.utc("2026-03-11T11:00:00Z"))
        #expect(availability.check(tenToEleven, busy: busy, bookings: [], now: now) == .busy(EventReference(calendar: "work", uid: "consult")))
        #expect(availability.check(Interval(start: now + 600, end: now + 4200), busy: busy, bookings: [], now: now)
            == .tooSoon(earliest: now + 7200))
        #expect(availability.check(Interval(start: Self.utc("2026-03-11T17:00:00Z"), end: Self.utc("2026-03-11T18:00:00Z")),
                                   busy: busy, bookings: [], now: now) == .outsideWorkingHours)
        #expect(availability.check(Interval(start: Self.utc("2026-03-11T14:00:00Z"), end: Self.utc("2026-03-11T15:00:00Z")),
                                   busy: busy, bookings: [], now: now) == nil)
    }

    @Test func dailyAndWeeklyLimitsCountBookingsInTheResourcesZone() throws {
        let rules = Self.rules { $0.maxBookingsPerDay = 1; $0.maxBookingsPerWeek = 2 }
        let availability = try Availability(rules: rules)
        let monday = Interval(start: Self.utc("2026-03-09T08:00:00Z"), end: Self.utc("2026-03-09T09:00:00Z"))
        let tuesday = Interval(start: Self.utc("2026-03-10T08:00:00Z"), end: Self.utc("2026-03-10T09:00:00Z"))
        let now = Self.utc("2026-03-01T00:00:00Z")
        #expect(availability.check(monday.shifted(by: 7200), busy: [], bookings: [monday], now: now) == .dailyLimit)
        #expect(availability.check(monday.shifted(by: 3 * 86_400), busy: [], bookings: [monday, tuesday], now: now) == .weeklyLimit)
        #expect(availability.check(monday.shifted(by: 7 * 86_400), busy: [], bookings: [monday, tuesday], now: now) == nil)
        #expect(availability.check(tuesday, busy: [], bookings: [tuesday], now: now) == .alreadyBooked)
    }

    @Test func workingHoursParseAndOverridesWin() throws {
        let hours = try WeeklyHours.parse("mon-wed 09:00-12:00,13:00-17:00; fri-sun 10:00-24:00")
        #expect(hours.map(\.day) == [.monday, .tuesday, .wednesday, .friday, .saturday, .sunday])
        #expect(hours[0].ranges.map(\.description) == ["09:00-12:00", "13:00-17:00"])
        #expect(hours[3].ranges == [MinuteRange(start: 600, end: 1440)])
        // Written back as read.
        #expect(WeeklyHours.text(of: hours).hasPrefix("mon 09:00-12:00,13:00-17:00; tue "))
        #expect(try WeeklyHours.parse(WeeklyHours.text(of: hours)) == hours)
        #expect(throws: AvailabilityError.self) { try WeeklyHours.parse("someday 09:00-17:00") }
        #expect(throws: AvailabilityError.self) { try WeeklyHours.parse("mon 17:00-09:00") }
        #expect(try DateOverride.parse("2026-12-24") == DateOverride(date: CalendarDate(year: 2026, month: 12, day: 24), ranges: []))
        #expect(try DateOverride.parse("2026-12-27 10:00-14:00").ranges == [MinuteRange(start: 600, end: 840)])
        #expect(throws: AvailabilityError.self) { try DateOverride.parse("2026-02-30") }

        let rules = Self.rules { $0.dateOverrides = [
            DateOverride(date: CalendarDate(year: 2026, month: 3, day: 10), ranges: []),
            DateOverride(date: CalendarDate(year: 2026, month: 3, day: 14), ranges: [MinuteRange(start: 600, end: 720)]),
        ] }
        let slots = Self.slotStarts([], "2026-03-10T00:00:00Z", "2026-03-15T00:00:00Z", rules: rules)
        #expect(!slots.contains { $0 < Self.utc("2026-03-11T00:00:00Z") }, "the holiday has no slot")
        #expect(slots.filter { $0 >= Self.utc("2026-03-14T00:00:00Z") } == [Self.utc("2026-03-14T09:00:00Z"), Self.utc("2026-03-14T09:30:00Z"),
                                                                         Self.utc("2026-03-14T10:00:00Z")], "a Saturday opened 10–12")
    }

    @Test func freeBusyAsVFREEBUSY() throws {
        let calendar = Self.calendar(
            Self.event("a", "DTSTART:20260311T090000Z", "DTEND:20260311T100000Z"),
            Self.event("b", "DTSTART:20260311T093000Z", "DTEND:20260311T110000Z", "SUMMARY:Private matter"),
            Self.event("c", "DTSTART:20260311T150000Z", "DTEND:20260311T160000Z", "STATUS:TENTATIVE"))
        let window = Interval(start: Self.utc("2026-03-11T00:00:00Z"), end: Self.utc("2026-03-12T00:00:00Z"))
        let busy = Self.busy(calendar, "2026-03-11T00:00:00Z", "2026-03-12T00:00:00Z")
        let availability = try Availability(rules: Self.rules())
        let answer = availability.freeBusy(busy, in: window)
        #expect(answer.busy == [Interval(start: Self.utc("2026-03-11T09:00:00Z"), end: Self.utc("2026-03-11T11:00:00Z")),
                                Interval(start: Self.utc("2026-03-11T15:00:00Z"), end: Self.utc("2026-03-11T16:00:00Z"))])
        #expect(answer.free.first == Interval(start: Self.utc("2026-03-11T08:00:00Z"), end: Self.utc("2026-03-11T09:00:00Z")))
        let text = ICalendarSerializer().string(availability.freeBusyCalendar(busy, in: window, stamp: window.start))
        #expect(text.contains("FREEBUSY;FBTYPE=BUSY:20260311T090000Z/20260311T110000Z"))
        #expect(text.contains("FREEBUSY;FBTYPE=BUSY-TENTATIVE:20260311T150000Z/20260311T160000Z"))
        #expect(!text.contains("Private"))
    }

    @Test("no slot overlaps busy time and every long enough free stretch yields a slot", arguments: 0..<200)
    func slotsProperty(seed: Int) throws {
        var random = SeededGenerator(seed: UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        let rules = Self.rules {
            $0.bufferBefore = Int64.random(in: 0...2, using: &random) * 900
            $0.bufferAfter = Int64.random(in: 0...2, using: &random) * 900
            $0.slotLength = [1800, 2700, 3600][Int.random(in: 0...2, using: &random)]
            $0.slotStep = [900, 1800, 3600][Int.random(in: 0...2, using: &random)]
            $0.minimumNotice = Int64.random(in: 0...8, using: &random) * 3600
        }
        let window = Interval(start: Self.utc("2026-03-23T00:00:00Z"), end: Self.utc("2026-04-06T00:00:00Z"))
        let busy = (0..<Int.random(in: 0...25, using: &random)).map { index in
            let start = window.start + Int64.random(in: 0..<(14 * 96), using: &random) * 900
            return BusyPeriod(interval: Interval(start: start, end: start + Int64.random(in: 1...12, using: &random) * 900),
                              event: EventReference(calendar: "random", uid: "e\(index)"), tentative: false)
        }
        let now = window.start + Int64.random(in: 0...(3 * 86_400), using: &random)
        let availability = try Availability(rules: rules)
        let slots = availability.slots(busy: busy, bookings: [], in: window, now: now)
        let blocked = busy.map { Interval(start: $0.interval.start - rules.bufferBefore, end: $0.interval.end + rules.bufferAfter) }
        for slot in slots {
            #expect(!blocked.contains { $0.overlaps(slot) })
            #expect(availability.workingTime(around: slot).contains { $0.contains(slot) })
            #expect(slot.start >= now + rules.minimumNotice)
            #expect(availability.check(slot, busy: busy, bookings: [], now: now) == nil)
        }
        let bookable = Interval(start: now + rules.minimumNotice, end: window.end)
        let free = availability.workingTime(around: window).clipped(to: bookable).subtracting(blocked)
        for stretch in free where stretch.duration >= rules.slotLength + rules.slotStep {
            #expect(slots.contains { stretch.contains($0) }, "a free stretch \(stretch) yields a slot")
        }
    }
}

extension Interval {
    func shifted(by seconds: Int64) -> Interval { Interval(start: start + seconds, end: end + seconds) }
}
