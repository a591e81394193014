import ContentLines
import Foundation
import ICalendar
import SwitchboardTestSupport
import SyncContent
import SyncPlanning
import Testing

/// What a server's rewrite leaves alone and what a real edit changes.
@Suite("Content fingerprints")
struct ContentFingerprintTests {
    static let original = """
        BEGIN:VCALENDAR\r
        VERSION:2.0\r
        PRODID:-//Switchboard//EN\r
        BEGIN:VTIMEZONE\r
        TZID:Europe/Berlin\r
        BEGIN:STANDARD\r
        DTSTART:19701025T030000\r
        TZOFFSETFROM:+0200\r
        TZOFFSETTO:+0100\r
        END:STANDARD\r
        END:VTIMEZONE\r
        BEGIN:VEVENT\r
        UID:consult-1\r
        DTSTAMP:20260101T000000Z\r
        DTSTART;TZID=Europe/Berlin:20260302T090000\r
        DTEND;TZID=Europe/Berlin:20260302T100000\r
        SUMMARY:Consultation\r
        ATTENDEE;ROLE=REQ-PARTICIPANT;CN=Ada:mailto:ada@example.org\r
        SEQUENCE:2\r
        LAST-MODIFIED:20260115T120000Z\r
        END:VEVENT\r
        END:VCALENDAR\r

        """

    /// The same event as a server might store it: new DTSTAMP and PRODID, its own
    /// VTIMEZONE, properties and parameters reordered, a long line folded, X-RADICALE-NAME.
    static let rewritten = """
        BEGIN:VCALENDAR\r
        PRODID:-//Radicale//NONSGML Radicale Server//EN\r
        VERSION:2.0\r
        BEGIN:VEVENT\r
        SUMMARY:Consultation\r
        UID:consult-1\r
        DTSTAMP:20261122T101010Z\r
        ATTENDEE;CN=Ada;ROLE=REQ-PARTICIPANT:mailto:ada\r
         @example.org\r
        DTEND;TZID=Europe/Berlin:20260302T100000\r
        DTSTART;TZID=Europe/Berlin:20260302T090000\r
        LAST-MODIFIED:20260115T120000Z\r
        SEQUENCE:2\r
        X-RADICALE-NAME:consult-1.ics\r
        END:VEVENT\r
        BEGIN:VTIMEZONE\r
        TZID:Europe/Berlin\r
        X-LIC-LOCATION:Europe/Berlin\r
        BEGIN:DAYLIGHT\r
        DTSTART:19700329T020000\r
        TZOFFSETFROM:+0100\r
        TZOFFSETTO:+0200\r
        END:DAYLIGHT\r
        END:VTIMEZONE\r
        END:VCALENDAR\r

        """

    private func fingerprint(_ text: String) throws -> ContentFingerprint {
        try ContentFingerprint(calendarObject: Array(text.utf8))
    }

    @Test func serverRewritesKeepTheHash() throws {
        #expect(try fingerprint(Self.original).state.contentHash == (try fingerprint(Self.rewritten).state.contentHash))
    }

    @Test(arguments: [
        ("SUMMARY:Consultation", "SUMMARY:Consultation (moved)"),
        ("DTSTART;TZID=Europe/Berlin:20260302T090000", "DTSTART;TZID=Europe/Berlin:20260302T093000"),
        ("ROLE=REQ-PARTICIPANT", "ROLE=OPT-PARTICIPANT"),
        ("SEQUENCE:2", "SEQUENCE:3"),
    ])
    func editsChangeTheHash(before: String, after: String) throws {
        let edited = Self.original.replacingOccurrences(of: before, with: after)
        #expect(edited != Self.original)
        #expect(try fingerprint(Self.original).state.contentHash != (try fingerprint(edited).state.contentHash))
    }

    @Test func versionAndUID() throws {
        let print = try fingerprint(Self.original)
        #expect(print.uid == "consult-1")
        #expect(print.state.version == ItemVersion(sequence: 2, lastModified: 1_768_478_400))
    }

    @Test func cardsIgnoreTheirProducer() throws {
        let card = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:ada\r\nFN:Ada Lovelace\r\nEMAIL;TYPE=work:ada@example.org\r\nREV:20260101T000000Z\r\nEND:VCARD\r\n"
        let stored = "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Server//EN\r\nEMAIL;TYPE=work:ada@example.org\r\nFN:Ada Lovelace\r\nUID:ada\r\nREV:20260101T000000Z\r\nX-RADICALE-NAME:ada.vcf\r\nEND:VCARD\r\n"
        let a = try ContentFingerprint(vCard: Array(card.utf8))
        let b = try ContentFingerprint(vCard: Array(stored.utf8))
        #expect(a.state.contentHash == b.state.contentHash)
        #expect(a.uid == "ada")
        #expect(a.state.version.lastModified == 1_767_225_600)
        let renamed = try ContentFingerprint(vCard: Array(card.replacingOccurrences(of: "FN:Ada Lovelace", with: "FN:Ada King").utf8))
        #expect(renamed.state.contentHash != a.state.contentHash)
    }

    /// Every corpus calendar keeps its fingerprint through our own serializer, whose
    /// output differs from the input in folding and line endings only.
    @Test func corpusRoundTripsKeepTheirFingerprint() throws {
        var checked = 0
        for path in Corpus.files(endingIn: [".ics"], under: "ical") {
            guard let bytes = try? Corpus.bytes(path), let parsed = try? ICalendarParser().parse(bytes),
                let before = try? ContentFingerprint(calendarObject: bytes)
            else { continue }
            let after = try ContentFingerprint(calendarObject: ICalendarSerializer().serialize(parsed.components))
            #expect(before.state.contentHash == after.state.contentHash, "\(path)")
            checked += 1
        }
        #expect(checked > 100)
    }
}

/// Data safety: edits that each stamp LAST-MODIFIED, DTSTAMP and SEQUENCE (as RFC 5545 asks)
/// still merge when they change different properties.
@Suite struct ThreeWayMergeStampTests {
    static func event(summary: String = "Consultation", location: String? = nil, stamp: String, sequence: Int) -> [UInt8] {
        Array("""
            BEGIN:VCALENDAR\r
            VERSION:2.0\r
            PRODID:-//Test//EN\r
            BEGIN:VEVENT\r
            UID:consult-1\r
            DTSTAMP:\(stamp)\r
            DTSTART:20260302T090000Z\r
            DTEND:20260302T100000Z\r
            SUMMARY:\(summary)\r
            \(location.map { "LOCATION:\($0)\r\n" } ?? "")SEQUENCE:\(sequence)\r
            LAST-MODIFIED:\(stamp)\r
            END:VEVENT\r
            END:VCALENDAR\r

            """.utf8)
    }

    @Test func editsOfDifferentPropertiesMergeWhateverTheirStamps() throws {
        let base = Self.event(stamp: "20260101T000000Z", sequence: 0)
        let ours = Self.event(summary: "Renamed here", stamp: "20260201T000000Z", sequence: 1)
        let theirs = Self.event(location: "Room 4", stamp: "20260115T000000Z", sequence: 2)
        let merged = try #require(ThreeWayMerge.calendarObject(base: base, ours: ours, theirs: theirs))
        let event = try #require(try ICalendarParser().parse(merged).components.first?.components(ComponentName.event).first)
        #expect(event.property("SUMMARY")?.value == "Renamed here" && event.property("LOCATION")?.value == "Room 4")
        #expect(event.property("SEQUENCE")?.value == "2", "the higher sequence")
        #expect(event.property("LAST-MODIFIED")?.value == "20260201T000000Z" && event.property("DTSTAMP")?.value == "20260201T000000Z", "the later stamps")
    }

    @Test func editsOfOnePropertyStillCollide() {
        let base = Self.event(stamp: "20260101T000000Z", sequence: 0)
        let ours = Self.event(summary: "Ours", stamp: "20260201T000000Z", sequence: 1)
        let theirs = Self.event(summary: "Theirs", stamp: "20260115T000000Z", sequence: 1)
        #expect(ThreeWayMerge.calendarObject(base: base, ours: ours, theirs: theirs) == nil)
    }
}
