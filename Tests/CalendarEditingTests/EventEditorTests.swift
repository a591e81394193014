import CalendarEditing
import ContentLines
import ICalendar
import Testing

/// Edits of calendar objects, read back the way any client reads them: serialized, parsed
/// again and expanded.
@Suite struct EventEditorTests {
    static let berlin = IANAZoneRules(identifier: "Europe/Berlin")!
    static let stamp: Int64 = 1_790_000_000

    /// Seconds since 1970 UTC of a Berlin wall-clock time.
    static func berlin(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) -> Int64 {
        berlin.instant(of: LocalDateTime(date: CalendarDate(year: year, month: month, day: day), hour: hour, minute: minute))
    }

    /// The object as a server would store it and hand it back.
    static func roundTrip(_ object: Component) throws -> Component {
        try #require(try ICalendarParser().parse(ICalendarSerializer().string(object)).components.first)
    }

    /// (start, end) in UTC of each instance in 2026–2027, and the summaries.
    static func instances(_ object: Component) throws -> [(start: Int64, end: Int64, summary: String?)] {
        let expansion = CalendarExpansion(calendar: try roundTrip(object), from: .instant(1_767_225_600), to: .instant(1_830_297_600), limit: nil)
        #expect(expansion.failures.isEmpty)
        return expansion.occurrences.map { ($0.startUTC ?? -1, $0.endUTC ?? -1, $0.component.summary) }
    }

    /// A weekly Monday 09:00–10:00 Berlin meeting from 5 October 2026, `count` times.
    static func weekly(count: Int? = nil) throws -> Component {
        var rule = try RecurrenceRule(parsing: "FREQ=WEEKLY;BYDAY=MO")
        rule.count = count
        let draft = EventDraft(summary: "Team", timing: .timed(start: berlin(2026, 10, 5, 9), end: berlin(2026, 10, 5, 10), timeZone: "Europe/Berlin"),
                               recurrence: rule)
        return try EventEditor.newObject(draft, uid: "team@test", stamp: stamp)
    }

    @Test func aNewEventIsWrittenInItsZoneWithTheZoneDefined() throws {
        let object = try Self.weekly(count: 6)
        let text = ICalendarSerializer().string(object)
        #expect(text.contains("DTSTART;TZID=Europe/Berlin:20261005T090000"))
        #expect(text.contains("BEGIN:VTIMEZONE"))
        let found = try Self.instances(object)
        #expect(found.count == 6)
        // 09:00 Berlin on both sides of the change to winter time (25 October).
        #expect(found.map(\.start) == [5, 12, 19, 26].map { Self.berlin(2026, 10, $0, 9) } + [2, 9].map { Self.berlin(2026, 11, $0, 9) })
    }

    @Test func oneOccurrenceMovesAndTheRestStay() throws {
        let object = try Self.weekly(count: 6)
        let moved = EventDraft(summary: "Team (moved)",
                               timing: .timed(start: Self.berlin(2026, 10, 27, 14), end: Self.berlin(2026, 10, 27, 15), timeZone: "Europe/Berlin"))
        let edited = try EventEditor.replaceOccurrence(in: object, at: Self.berlin(2026, 10, 26, 9), with: moved, stamp: Self.stamp + 60)
        let found = try Self.instances(edited)
        #expect(found.count == 6)
        #expect(found.contains { $0.start == Self.berlin(2026, 10, 27, 14) && $0.summary == "Team (moved)" })
        #expect(!found.contains { $0.start == Self.berlin(2026, 10, 26, 9) })
        let override = try #require(edited.components.first { $0.property(PropertyName.recurrenceID) != nil })
        #expect(override.property(PropertyName.recurrenceID)?.value == "20261026T090000")
        #expect(override.property(PropertyName.recurrenceID)?.timeZoneID == "Europe/Berlin")
        #expect(override.property(PropertyName.recurrenceRule) == nil)
        // Editing the same occurrence again replaces its override.
        let again = try EventEditor.replaceOccurrence(in: edited, at: Self.berlin(2026, 10, 26, 9), with: moved, stamp: Self.stamp + 120)
        #expect(again.components.filter { $0.property(PropertyName.recurrenceID) != nil }.count == 1)
        #expect(try Self.instances(again).count == 6)
    }

    @Test func anInstantTheSeriesDoesNotHaveIsNotAnOccurrence() throws {
        let object = try Self.weekly()
        let draft = EventDraft(summary: "x", timing: .timed(start: 0, end: 60, timeZone: nil))
        #expect(throws: EventEditError.self) { try EventEditor.replaceOccurrence(in: object, at: Self.berlin(2026, 10, 27, 9), with: draft, stamp: 0) }
        #expect(throws: EventEditError.self) { try EventEditor.removeOccurrence(in: object, at: Self.berlin(2026, 10, 26, 10), stamp: 0) }
    }

    @Test func thisAndFutureSplitsTheSeriesWhereverItsCountEnds() throws {
        let object = try Self.weekly(count: 6)
        let later = EventDraft(summary: "Team (afternoons)",
                               timing: .timed(start: Self.berlin(2026, 10, 19, 15), end: Self.berlin(2026, 10, 19, 16), timeZone: "Europe/Berlin"))
        let (kept, future) = try EventEditor.split(object, at: Self.berlin(2026, 10, 19, 9), with: later, newUID: "team-2@test", stamp: Self.stamp)
        #expect(try Self.instances(kept).map(\.start) == [Self.berlin(2026, 10, 5, 9), Self.berlin(2026, 10, 12, 9)])
        let rest = try Self.instances(try #require(future))
        #expect(rest.map(\.start) == [19, 26].map { Self.berlin(2026, 10, $0, 15) } + [2, 9].map { Self.berlin(2026, 11, $0, 15) })
        #expect(rest.allSatisfy { $0.summary == "Team (afternoons)" })
        #expect(future?.components.first { $0.name == ComponentName.event }?.uid == "team-2@test")
    }

    @Test func thisAndFutureOfAnEndlessSeriesLeavesTheFutureEndless() throws {
        let object = try Self.weekly()
        let later = EventDraft(summary: "Team", timing: .timed(start: Self.berlin(2026, 11, 2, 8), end: Self.berlin(2026, 11, 2, 9), timeZone: "Europe/Berlin"))
        let (kept, future) = try EventEditor.split(object, at: Self.berlin(2026, 11, 2, 9), with: later, newUID: "team-2@test", stamp: Self.stamp)
        #expect(try Self.instances(kept).count == 4)
        let rule = try #require(future?.components.first { $0.name == ComponentName.event }?.recurrenceRules.first)
        #expect(rule.count == nil && rule.until == nil)
    }

    @Test func thisAndFutureFromTheFirstOccurrenceIsTheWholeSeries() throws {
        let object = try Self.weekly(count: 3)
        var rule = try RecurrenceRule(parsing: "FREQ=WEEKLY;BYDAY=MO")
        rule.count = 3
        let draft = EventDraft(summary: "Renamed", timing: .timed(start: Self.berlin(2026, 10, 5, 9), end: Self.berlin(2026, 10, 5, 10), timeZone: "Europe/Berlin"),
                               recurrence: rule)
        let (kept, future) = try EventEditor.split(object, at: Self.berlin(2026, 10, 5, 9), with: draft, newUID: "unused", stamp: Self.stamp)
        #expect(future == nil)
        #expect(try Self.instances(kept).map(\.summary) == ["Renamed", "Renamed", "Renamed"])
        #expect(try EventEditor.truncate(object, before: Self.berlin(2026, 10, 5, 9), stamp: Self.stamp) == nil)
    }

    @Test func removingAnOccurrenceWritesAnExceptionAndDropsItsOverride() throws {
        let object = try Self.weekly(count: 4)
        let moved = EventDraft(summary: "moved", timing: .timed(start: Self.berlin(2026, 10, 13, 9), end: Self.berlin(2026, 10, 13, 10), timeZone: "Europe/Berlin"))
        let edited = try EventEditor.replaceOccurrence(in: object, at: Self.berlin(2026, 10, 12, 9), with: moved, stamp: Self.stamp)
        let removed = try EventEditor.removeOccurrence(in: edited, at: Self.berlin(2026, 10, 12, 9), stamp: Self.stamp)
        #expect(try Self.instances(removed).map(\.start) == [Self.berlin(2026, 10, 5, 9), Self.berlin(2026, 10, 19, 9), Self.berlin(2026, 10, 26, 9)])
        #expect(!removed.components.contains { $0.property(PropertyName.recurrenceID) != nil })
    }

    @Test func replacingTheSeriesKeepsWhatTheDraftDoesNotSpeakOf() throws {
        var object = try Self.weekly(count: 4)
        let index = try #require(object.components.firstIndex { $0.name == ComponentName.event })
        object.components[index].appendProperty(Property(name: "ATTENDEE", parameters: [Parameter(name: "CN", value: "Bob")], value: "mailto:bob@example.com"))
        object.components[index].appendProperty(Property(name: "X-OTHER-APP", value: "kept"))
        let moved = EventDraft(summary: "moved", timing: .timed(start: Self.berlin(2026, 10, 13, 9), end: Self.berlin(2026, 10, 13, 10), timeZone: "Europe/Berlin"))
        let withOverride = try EventEditor.replaceOccurrence(in: object, at: Self.berlin(2026, 10, 12, 9), with: moved, stamp: Self.stamp)

        // Same start, new summary: the override stays.
        var rule = try RecurrenceRule(parsing: "FREQ=WEEKLY;BYDAY=MO")
        rule.count = 4
        let renamed = EventDraft(summary: "Renamed", timing: .timed(start: Self.berlin(2026, 10, 5, 9), end: Self.berlin(2026, 10, 5, 10), timeZone: "Europe/Berlin"),
                                 location: "Room 2", recurrence: rule)
        let edited = try EventEditor.replaceSeries(in: withOverride, with: renamed, stamp: Self.stamp + 1)
        let master = try #require(edited.components.first { $0.name == ComponentName.event && $0.property(PropertyName.recurrenceID) == nil })
        #expect(master.attendees.first?.commonName == "Bob")
        #expect(master.property("X-OTHER-APP")?.value == "kept")
        #expect(master.location == "Room 2")
        #expect(try master.sequence == 1)
        #expect(try Self.instances(edited).filter { $0.summary == "moved" }.count == 1)

        // A new start in another zone: the overrides no longer name instances and go, and
        // the zone's definition is added (the unused one removed).
        let tokyo = IANAZoneRules(identifier: "Asia/Tokyo")!
        let start = tokyo.instant(of: LocalDateTime(date: CalendarDate(year: 2026, month: 10, day: 5), hour: 18))
        let moved2 = EventDraft(summary: "Team", timing: .timed(start: start, end: start + 3600, timeZone: "Asia/Tokyo"), recurrence: rule)
        let rezoned = try EventEditor.replaceSeries(in: edited, with: moved2, stamp: Self.stamp + 2)
        #expect(!rezoned.components.contains { $0.property(PropertyName.recurrenceID) != nil })
        #expect(rezoned.components.filter { $0.name == ComponentName.timeZone }.compactMap { $0.property(PropertyName.timeZoneID)?.value } == ["Asia/Tokyo"])
        #expect(try Self.instances(rezoned).map(\.start) == (0..<4).map { start + Int64($0) * 7 * 86_400 })
    }

    @Test func allDaySeriesSplitOnDates() throws {
        var rule = try RecurrenceRule(parsing: "FREQ=DAILY")
        rule.count = 5
        let first = CalendarDate(year: 2026, month: 12, day: 1)
        let object = try EventEditor.newObject(
            EventDraft(summary: "Away", timing: .allDay(first: first, end: first.adding(days: 1)), recurrence: rule), uid: "away@test", stamp: Self.stamp)
        #expect(ICalendarSerializer().string(object).contains("DTSTART;VALUE=DATE:20261201"))
        let third = LocalDateTime(date: first.adding(days: 2)).secondsSinceEpoch
        let draft = EventDraft(summary: "Away (half)", timing: .allDay(first: first.adding(days: 2), end: first.adding(days: 3)))
        let (kept, future) = try EventEditor.split(object, at: third, with: draft, newUID: "away-2@test", stamp: Self.stamp)
        let keptRule = try #require(kept.components.first { $0.name == ComponentName.event }?.recurrenceRules.first)
        #expect(keptRule.until == .date(first.adding(days: 1)) && keptRule.count == nil)
        let expansion = CalendarExpansion(calendar: try Self.roundTrip(try #require(future)), from: .instant(0), to: .instant(2_000_000_000), limit: nil)
        #expect(expansion.occurrences.map(\.start) == (2..<5).map { .date(first.adding(days: $0)) })
    }

    @Test func draftsNoCalendarShouldHoldAreRefusedByField() throws {
        func field(_ draft: EventDraft) -> String? {
            do {
                _ = try EventEditor.newObject(draft, uid: "x", stamp: 0)
                return nil
            } catch {
                return error.field
            }
        }
        #expect(field(EventDraft(summary: "x", timing: .timed(start: 10, end: 10, timeZone: nil))) == "end")
        #expect(field(EventDraft(summary: "x", timing: .timed(start: 0, end: 10, timeZone: "Mars/Olympus"))) == "timeZone")
        let day = CalendarDate(year: 2026, month: 1, day: 1)
        #expect(field(EventDraft(summary: "x", timing: .allDay(first: day, end: day))) == "endDate")
        #expect(field(EventDraft(summary: String(repeating: "x", count: 20_000), timing: .timed(start: 0, end: 10, timeZone: nil))) == "summary")
        #expect(field(EventDraft(summary: "x", timing: .timed(start: 0, end: 10, timeZone: nil), status: .completed)) == "status")
        #expect(field(EventDraft(summary: "x", timing: .timed(start: 0, end: 10, timeZone: nil),
                                 recurrence: try RecurrenceRule(parsing: "FREQ=MINUTELY"))) == "recurrence")
    }
}
