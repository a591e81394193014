import DAVClient
import Foundation
import HTTPTypes
import HummingbirdTesting
import ICalendar
import NIOCore
import SwitchboardTestSupport
import SwitchboardStore
import Testing

/// Subscribable feeds, read the way a calendar app reads them (no key, conditional GETs).
@Suite struct FeedRouteTests {
    typealias JSON = [String: Any]

    static let meeting = """
        BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n\
        TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\n\
        DTSTART:19700329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n\
        END:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:meeting@test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20261201T100000\r\n\
        DTEND;TZID=Europe/Berlin:20261201T110000\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:Therapy with Mr Smith\r\nLOCATION:Room 4\r\n\
        DESCRIPTION:Private notes\r\nATTENDEE;CN=Smith:mailto:smith@example.org\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Soon\r\n\
        TRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n
        """
    static let free = """
        BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\nBEGIN:VEVENT\r\nUID:free@test\r\nDTSTAMP:20260101T000000Z\r\n\
        DTSTART:20261202T100000Z\r\nDTEND:20261202T110000Z\r\nSUMMARY:Optional talk\r\nTRANSP:TRANSPARENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n
        """

    @Test func feedsPublishInFullOrAsBusyTimeAndAnswerConditionalRequests() async throws {
        try await ServerHarness.with { harness in
            try await harness.peer.withClient { client in
                _ = try await client.createObject(.calendar, at: harness.calendar.href + "meeting.ics", data: Self.meeting)
                _ = try await client.createObject(.calendar, at: harness.calendar.href + "free.ics", data: Self.free)
            }
            #expect(try await harness.call(.post, "/v1/collections/\(harness.calendar.id)/sync", key: harness.keys[.book]).status == 200)

            let admin = harness.keys[.admin]
            let refused = try await harness.call(.post, "/v1/feeds", key: harness.keys[.book], json: #"{"name": "x", "calendarId": "\#(harness.calendar.id)"}"#)
            #expect(refused.status == 403)
            let full = try await harness.call(.post, "/v1/feeds", key: admin, json: #"{"name": "Anna", "calendarId": "\#(harness.calendar.id)"}"#)
            let fullURL = try #require((full.body as? JSON)?["url"] as? String)
            let busy = try await harness.call(.post, "/v1/feeds", key: admin, json: #"{"name": "Anna (busy)", "resource": "\#(harness.resource)", "busyOnly": true}"#)
            let busyURL = try #require((busy.body as? JSON)?["url"] as? String)
            #expect(fullURL.hasPrefix("/ics/") && fullURL.hasSuffix(".ics"))

            func fetch(_ uri: String, ifNoneMatch: String? = nil) async throws -> (status: Int, text: String, etag: String?, type: String?) {
                var headers: HTTPFields = [:]
                if let ifNoneMatch { headers[.ifNoneMatch] = ifNoneMatch }
                return try await harness.client.execute(uri: uri, method: .get, headers: headers) {
                    (Int($0.status.code), String(buffer: $0.body), $0.headers[.eTag], $0.headers[.contentType])
                }
            }
            let published = try await fetch(fullURL)
            #expect(published.status == 200 && published.type?.hasPrefix("text/calendar") == true)
            for line in ["REFRESH-INTERVAL;VALUE=DURATION:PT15M", "X-PUBLISHED-TTL:PT15M", "X-WR-CALNAME:Anna", "TZID:Europe/Berlin",
                         "BEGIN:VALARM", "SUMMARY:Therapy with Mr Smith", "SUMMARY:Optional talk"] {
                #expect(published.text.contains(line), "\(line)")
            }
            let parsed = try ICalendarParser().parse(published.text)
            #expect(parsed.components.first?.components(ComponentName.timeZone).count == 1)
            let etag = try #require(published.etag)
            #expect(try await fetch(fullURL, ifNoneMatch: etag).status == 304)

            let busyFeed = try await fetch(busyURL)
            #expect(busyFeed.status == 200)
            #expect(busyFeed.text.contains("SUMMARY:Busy") && busyFeed.text.contains("RRULE:FREQ=WEEKLY;COUNT=3"))
            for secret in ["Smith", "Room 4", "Private notes", "VALARM", "Optional talk"] { #expect(!busyFeed.text.contains(secret), "\(secret)") }

            // A change makes a new version.
            try await harness.peer.withClient { client in
                _ = try await client.createObject(.calendar, at: harness.calendar.href + "more.ics", data: EventRouteTests.object(uid: "more", summary: "More"))
            }
            _ = try await harness.call(.post, "/v1/collections/\(harness.calendar.id)/sync", key: harness.keys[.book])
            let changed = try await fetch(fullURL, ifNoneMatch: etag)
            #expect(changed.status == 200 && changed.text.contains("SUMMARY:More") && changed.etag != etag)

            // Listing shows no secrets; other tenants see none; deleting ends the URL.
            let listed = try #require(try await harness.call(.get, "/v1/feeds", key: harness.keys[.read]).body as? [JSON])
            #expect(listed.count == 2 && listed.allSatisfy { $0["url"] == nil })
            #expect((try await harness.call(.get, "/v1/feeds", key: harness.otherTenantKey).body as? [Any])?.isEmpty == true)
            let id = try #require((full.body as? JSON)?["id"] as? String)
            #expect(try await harness.call(.delete, "/v1/feeds/\(id)", key: harness.otherTenantKey).status == 404)
            #expect(try await harness.call(.delete, "/v1/feeds/\(id)", key: admin).status == 204)
            #expect(try await fetch(fullURL).status == 404)
            #expect(try await fetch("/ics/not-a-token.ics").status == 404)
        }
    }
}
