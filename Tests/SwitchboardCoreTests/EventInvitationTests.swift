import CalendarEditing
import Foundation
import SwitchboardCore
import SwitchboardStore
import SyncEngine
import SwitchboardTestSupport
import Testing

/// Events written through the application layer invite their attendees when asked (iMIP,
/// RFC 6047): carol's mailbox on the mail peer organizes events on a Radicale calendar and
/// invites bob and anna; their answers in carol's inbox reach the event. Only these tests read
/// carol's inbox for replies.
@Suite(.serialized) struct EventInvitationTests {
    /// Monday 9 March 2026, 08:00 UTC.
    static let now = Date(timeIntervalSince1970: 1_773_043_200)

    private func withHub(_ body: (Hub, CollectionRecord, MailAccountRecord) async throws -> Void) async throws {
        try await InvitingHub.with(mailUser: "carol@example.test", mailAccount: "office", body)
    }

    private func draft(_ summary: String, start: Int64, attendees: [String]?) -> EventDraft {
        EventDraft(summary: summary, timing: .timed(start: start, end: start + 3600, timeZone: "Europe/Berlin"), attendees: attendees)
    }

    @Test func anInvitedEventReachesItsAttendeesAndTheirAnswerComesBack() async throws {
        try await withHub { hub, calendar, office in
            let token = UUID().uuidString.prefix(8).lowercased()
            let account = try await hub.invitingAccount(nil, for: nil, tenantID: nil)
            #expect(account.id == office.id)
            let attendees = try EventDraft.validatedAttendees(["bob@example.test", "mailto:anna@example.test", "BOB@example.test"])
            let created = try await hub.createEvent(in: calendar, draft("Planning \(token)", start: 1_773_046_800, attendees: attendees),
                                                    invitingFrom: account, now: Self.now)
            #expect(created.invitationFailures.isEmpty)
            #expect(Set(try #require(created.invitations.first).accepted) == ["bob@example.test", "anna@example.test"])
            let event = try #require(created.event)
            #expect(event.snapshot.organizer == "mailto:carol@example.test")
            #expect(event.snapshot.attendees.map(\.participation) == ["NEEDS-ACTION", "NEEDS-ACTION"])

            let request = try await Mailbox.invitation(token, method: "REQUEST")
            #expect(request.contains("METHOD:REQUEST") && request.contains("ORGANIZER:mailto:carol@example.test"))
            #expect(request.contains("PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.test") && request.contains("TZID=Europe/Berlin"))
            #expect(request.contains("BEGIN:VTIMEZONE"))

            // bob accepts; a forgery from anna's mailbox in bob's name is set aside.
            let uid = try #require(event.snapshot.uid)
            let accepted = Mailbox.answer(uid: uid, from: "bob@example.test", "ACCEPTED", organizer: "carol@example.test", sequence: 0)
            try await Mailbox.reply(from: "anna@example.test", to: "carol@example.test",
                                    accepted.replacingOccurrences(of: "ACCEPTED", with: "DECLINED"), subject: "Declined: \(token)")
            try await Mailbox.reply(from: "bob@example.test", to: "carol@example.test", accepted, subject: "Accepted: \(token)")
            var outcomes: [InvitationReplyOutcome] = []
            for _ in 0..<100 where outcomes.filter({ $0.attendee == "bob@example.test" }).count < 2 {
                outcomes += try await hub.processInvitationReplies(now: Self.now.addingTimeInterval(86_400))
                if outcomes.filter({ $0.attendee == "bob@example.test" }).count < 2 { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(outcomes.contains { $0.applied && $0.eventID == event.id && $0.participation == "ACCEPTED" })
            #expect(outcomes.contains { !$0.applied && $0.final && $0.note?.contains("someone other") == true })
            let answered = try await hub.events.event(in: calendar, id: event.id)
            #expect(answered.snapshot.attendees.first { $0.address == "mailto:bob@example.test" }?.participation == "ACCEPTED")
            #expect(answered.state == .synced)

            // A change of title keeps bob's answer; a move asks everyone again.
            var renamed = draft("Planning \(token) (agenda)", start: 1_773_046_800, attendees: attendees)
            let kept = try await hub.updateEvent(in: calendar, id: event.id, with: renamed, ifMatch: nil, invitingFrom: account, now: Self.now)
            #expect(kept.event?.snapshot.attendees.first { $0.address == "mailto:bob@example.test" }?.participation == "ACCEPTED")
            renamed.timing = .timed(start: 1_773_050_400, end: 1_773_054_000, timeZone: "Europe/Berlin")
            let moved = try await hub.updateEvent(in: calendar, id: event.id, with: renamed, ifMatch: nil, invitingFrom: account, now: Self.now)
            #expect(moved.event?.snapshot.attendees.map(\.participation) == ["NEEDS-ACTION", "NEEDS-ACTION"])
        }
    }

    @Test func anAttendeeTakenOffIsCancelledAndADeletionCancelsForEveryone() async throws {
        try await withHub { hub, calendar, office in
            let token = UUID().uuidString.prefix(8).lowercased()
            let both = ["mailto:bob@example.test", "mailto:anna@example.test"]
            let created = try await hub.createEvent(in: calendar, draft("Review \(token)", start: 1_773_061_200, attendees: both),
                                                    invitingFrom: office, now: Self.now)
            let id = try #require(created.event?.id)
            let changed = try await hub.updateEvent(in: calendar, id: id, with: draft("Review \(token)", start: 1_773_061_200, attendees: [both[0]]),
                                                    ifMatch: nil, invitingFrom: office, now: Self.now)
            #expect(changed.invitations.map(\.accepted) == [["anna@example.test"], ["bob@example.test"]])
            let cancelledForAnna = try await Mailbox.invitation(token, method: "CANCEL", to: "anna@example.test")
            #expect(cancelledForAnna.contains("mailto:anna@example.test") && !cancelledForAnna.contains("mailto:bob@example.test"))

            let deleted = try await hub.deleteEvent(in: calendar, id: id, ifMatch: nil, invitingFrom: office, now: Self.now)
            #expect(deleted.event == nil && deleted.invitations.map(\.accepted) == [["bob@example.test"]])
            let cancelledForBob = try await Mailbox.invitation(token, method: "CANCEL")
            #expect(cancelledForBob.contains("STATUS:CANCELLED") && cancelledForBob.contains("SEQUENCE:2"))
        }
    }

    @Test func onlyTheOrganizersAccountInvites() async throws {
        try await withHub { hub, calendar, office in
            // An event organized by someone else, written without inviting.
            var foreign = draft("Board meeting", start: 1_773_068_400, attendees: ["mailto:bob@example.test"])
            foreign.organizer = "mailto:chair@example.org"
            let created = try await hub.createEvent(in: calendar, foreign, now: Self.now)
            #expect(created.invitations.isEmpty)
            let id = try #require(created.event?.id)
            await #expect(throws: EventError.self) {
                _ = try await hub.updateEvent(in: calendar, id: id, with: foreign, ifMatch: nil, invitingFrom: office, now: Self.now)
            }
            await #expect(throws: EventError.self) {
                _ = try await hub.deleteEvent(in: calendar, id: id, ifMatch: nil, invitingFrom: office, now: Self.now)
            }
            #expect(try await hub.events.event(in: calendar, id: id).snapshot.organizer == "mailto:chair@example.org")
        }
    }
}
