import Availability
import DAVClient
import Foundation
import SwitchboardCore
import SwitchboardStore
import SwitchboardTestSupport
import Testing

/// Bookings invite their attendees by mail (iMIP, RFC 6047): a resource on a Radicale
/// calendar whose invitations go out from anna's mailbox on the mail peer to bob's.
@Suite struct BookingInvitationTests {
    /// Monday 9 March 2026, 08:00 UTC.
    static let now = Date(timeIntervalSince1970: 1_773_043_200)

    private func withHub(invitePending: Bool, _ body: (Hub, ResourceRecord) async throws -> Void) async throws {
        try await withHub(invitePending: invitePending) { hub, resource, _ in try await body(hub, resource) }
    }

    /// The harness, with the calendar's href for reading the server's objects.
    private func withHub(invitePending: Bool, _ body: (Hub, ResourceRecord, String) async throws -> Void) async throws {
        try await InvitingHub.with(mailUser: "anna@example.test", mailAccount: "practice") { hub, calendar, _ in
            let rules = ResourceRules(timeZone: "Europe/Berlin", weeklyHours: try WeeklyHours.parse("mon-fri 09:00-17:00"), horizon: 30 * 86_400,
                                      slotLength: 3600, slotStep: 3600, maxDataAge: 3600)
            let resource = try await hub.define(ResourceDefinition(name: Fixtures.unique("doctor"), rules: rules, calendars: [calendar.href],
                                                                   invitationsFrom: "practice", invitePending: invitePending))
            #expect(resource.invitations?.invitePending == invitePending)
            try await body(hub, resource, calendar.href)
        }
    }

    @Test func aPendingRequestInvitesAndItsCancellationCancels() async throws {
        try await withHub(invitePending: true) { hub, resource in
            let token = UUID().uuidString.prefix(8).lowercased()
            let made = try await hub.book(resource: resource.name, Interval(start: 1_773_046_800, end: 1_773_050_400), summary: "Consultation \(token)",
                                          attendees: ["bob@example.test"], now: Self.now)
            #expect(made.invitationFailure == nil && made.invitation?.accepted == ["bob@example.test"])
            let request = try await Mailbox.invitation(token, method: "REQUEST")
            #expect(request.contains("METHOD:REQUEST") && request.contains("ORGANIZER:mailto:anna@example.test"))
            #expect(request.contains("ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.test"))
            #expect(request.contains("UID:\(made.booking.localID)@switchboard") && request.contains("DTSTART:20260309T090000Z"))

            let cancelled = try await hub.cancel(made.booking.id, now: Self.now)
            #expect(cancelled.invitationFailure == nil && cancelled.invitation != nil)
            let cancel = try await Mailbox.invitation(token, method: "CANCEL")
            #expect(cancel.contains("METHOD:CANCEL") && cancel.contains("STATUS:CANCELLED") && cancel.contains("SEQUENCE:1"))
        }
    }

    @Test func withoutPendingInvitationsTheConfirmationInvites() async throws {
        try await withHub(invitePending: false) { hub, resource in
            let token = UUID().uuidString.prefix(8).lowercased()
            let made = try await hub.book(resource: resource.name, Interval(start: 1_773_054_000, end: 1_773_057_600), summary: "Check-up \(token)",
                                          attendees: ["bob@example.test"], now: Self.now)
            #expect(made.invitation == nil && made.invitationFailure == nil)
            let confirmed = try await hub.confirm(made.booking.id, now: Self.now)
            #expect(confirmed.invitation?.accepted == ["bob@example.test"])
            let request = try await Mailbox.invitation(token, method: "REQUEST")
            #expect(request.contains("STATUS:CONFIRMED") && request.contains("SEQUENCE:1"))
        }
    }
}

extension BookingInvitationTests {
    @Test func anAttendeesReplySetsTheirParticipationOnTheEvent() async throws {
        try await withHub(invitePending: true) { hub, resource, href in
            let token = UUID().uuidString.prefix(8).lowercased()
            let made = try await hub.book(resource: resource.name, Interval(start: 1_773_061_200, end: 1_773_064_800), summary: "Review \(token)",
                                          attendees: ["bob@example.test"], now: Self.now)
            let uid = made.booking.localID + "@switchboard"
            let answer = Mailbox.answer(uid: uid, from: "bob@example.test", "ACCEPTED")
            // A forgery first: anna's mailbox claims bob's answer.
            try await Mailbox.reply(from: "anna@example.test", answer.replacingOccurrences(of: "ACCEPTED", with: "DECLINED"), subject: "Declined: \(token)")
            try await Mailbox.reply(from: "bob@example.test", answer, subject: "Accepted: \(token)")
            var outcomes: [InvitationReplyOutcome] = []
            for _ in 0..<100 where outcomes.filter({ $0.bookingID == made.booking.id }).count < 2 {
                outcomes += try await hub.processInvitationReplies(now: Self.now.addingTimeInterval(86_400))
                if outcomes.filter({ $0.bookingID == made.booking.id }).count < 2 { try await Task.sleep(for: .milliseconds(100)) }
            }
            let mine = outcomes.filter { $0.bookingID == made.booking.id }
            #expect(mine.contains { $0.applied && $0.participation == "ACCEPTED" && $0.attendee == "bob@example.test" })
            #expect(mine.contains { !$0.applied && $0.final && $0.participation == "DECLINED" && $0.note?.contains("someone other") == true })

            let peer = try await Peer.named("radicale")
            let object = try await peer.withClient { client in
                let etags = try await client.etags(in: href)
                return try await client.multiget(.calendar, in: href, hrefs: Array(etags.keys)).objects.compactMap(\.data)
                    .first { $0.contains(uid) } ?? ""
            }.replacingOccurrences(of: "\r\n ", with: "")
            #expect(object.contains("PARTSTAT=ACCEPTED") && object.contains("mailto:bob@example.test") && !object.contains("DECLINED"))

            // Read once: a second run finds nothing new for this booking.
            let again = try await hub.processInvitationReplies(now: Self.now.addingTimeInterval(86_400))
            #expect(!again.contains { $0.bookingID == made.booking.id })

            // Confirming changes the status only: bob's answer stands on the event.
            _ = try await hub.confirm(made.booking.id, now: Self.now)
            let confirmed = try await peer.withClient { client in
                let etags = try await client.etags(in: href)
                return try await client.multiget(.calendar, in: href, hrefs: Array(etags.keys)).objects.compactMap(\.data)
                    .first { $0.contains(uid) } ?? ""
            }.replacingOccurrences(of: "\r\n ", with: "")
            #expect(confirmed.contains("STATUS:CONFIRMED") && confirmed.contains("PARTSTAT=ACCEPTED") && !confirmed.contains("RSVP"))
        }
    }
}
