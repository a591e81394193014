import DAVClient
import Foundation
import SyncEngine
import SwitchboardStore
import Testing

/// Data safety: the time index spans every instant an item may take, so a query asks its
/// window as it is and still finds what starts before the master's DTSTART.
@Suite struct IndexSpanTests {
    static func calendar(_ body: String) -> String {
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n" + body.replacingOccurrences(of: "\n", with: "\r\n") + "END:VCALENDAR\r\n"
    }

    /// 2026-03-02T09:00:00Z.
    static let monday: Int64 = 1_772_442_000

    @Test func anOverrideMovedEarlierAndAnEarlyRDateOpenTheSpan() throws {
        let text = Self.calendar("""
            BEGIN:VEVENT
            UID:s
            DTSTAMP:20260101T000000Z
            DTSTART:20260302T090000Z
            DTEND:20260302T100000Z
            RRULE:FREQ=WEEKLY;COUNT=4
            RDATE:20260220T090000Z
            END:VEVENT
            BEGIN:VEVENT
            UID:s
            DTSTAMP:20260101T000000Z
            RECURRENCE-ID:20260309T090000Z
            DTSTART:20260225T090000Z
            DTEND:20260225T100000Z
            END:VEVENT
            BEGIN:VEVENT
            UID:s
            DTSTAMP:20260101T000000Z
            RECURRENCE-ID:20260330T090000Z
            DTSTART:20260601T090000Z
            DTEND:20260601T100000Z
            END:VEVENT

            """)
        let fields = try ItemContent(text, flavor: .calendar).fields
        #expect(fields.startUTC == Self.monday - 10 * 86_400, "the RDATE of 20 February")
        #expect((fields.endUTC ?? 0) >= 1_780_308_000, "the override of 1 June: \(String(describing: fields.endUTC))")
    }

    @Test func anOverrideWithoutItsMasterIsIndexedAtItsOwnTime() throws {
        let text = Self.calendar("""
            BEGIN:VEVENT
            UID:orphan
            DTSTAMP:20260101T000000Z
            RECURRENCE-ID:20260302T090000Z
            DTSTART:20260310T090000Z
            DTEND:20260310T100000Z
            END:VEVENT

            """)
        let fields = try ItemContent(text, flavor: .calendar).fields
        #expect(fields.startUTC == Self.monday + 8 * 86_400 && fields.endUTC == Self.monday + 8 * 86_400 + 3600)
    }

    @Test func allDayAndFloatingTimesSpanEveryZone() throws {
        let allDay = try ItemContent(Self.calendar("BEGIN:VEVENT\nUID:a\nDTSTAMP:20260101T000000Z\nDTSTART;VALUE=DATE:20260302\nEND:VEVENT\n"), flavor: .calendar).fields
        let midnight: Int64 = 1_772_409_600
        #expect(allDay.startUTC == midnight - 14 * 3600 && allDay.endUTC == midnight + 86_400 + 12 * 3600)
        let floating = try ItemContent(Self.calendar("BEGIN:VEVENT\nUID:f\nDTSTAMP:20260101T000000Z\nDTSTART:20260302T090000\nDTEND:20260302T100000\nEND:VEVENT\n"), flavor: .calendar).fields
        #expect(floating.startUTC == Self.monday - 14 * 3600 && floating.endUTC == Self.monday + 3600 + 12 * 3600)
    }
}
