public import Availability
public import CalendarEditing
public import Foundation
import ICalendar
import Logging
import MIME
public import Scheduling
public import SwitchboardStore

/// A booking change, and the invitation it sent when its resource invites by mail.
public struct BookingChangeResult: Sendable {
    public var booking: BookingRecord
    /// The iMIP message sent to the attendees (RFC 6047), when one was due and went out.
    public var invitation: SentMail?
    /// Why an invitation that was due could not be sent; the booking stands all the same.
    public var invitationFailure: String?
}

/// What became of one answer to an invitation.
public struct InvitationReplyOutcome: Sendable, Hashable, Codable {
    /// The message's UID in the inbox.
    public var messageUID: UInt32
    public var bookingID: String?
    /// The event answered, when it is not a booking's.
    public var eventID: String?
    public var attendee: String?
    /// `ACCEPTED`, `DECLINED` or `TENTATIVE`.
    public var participation: String?
    /// Whether the booking's event now shows the answer.
    public var applied = false
    /// Whether the reply is set aside for good (`note` says why); neither applied nor final:
    /// it is tried again at the next run.
    public var final = false
    public var note: String?

    init(messageUID: UInt32) {
        self.messageUID = messageUID
    }

    func settled(_ why: String) -> InvitationReplyOutcome {
        var outcome = self
        outcome.final = true
        outcome.note = why
        return outcome
    }
}

/// The booking use cases for the interfaces: ``BookingService``'s changes, then the
/// invitation each calls for when the resource invites its bookings' attendees
/// (``ResourceInvitations``): a REQUEST when a booking is made (if pending requests invite),
/// confirmed or moved, and a CANCEL when an invited booking is cancelled.
extension Hub {
    public func book(resource name: String, _ interval: Interval, summary: String, attendees: [String] = [], now: Date = Date())
        async throws(BookingError) -> BookingChangeResult
    {
        let booking = try await bookings.book(resource: name, interval, summary: summary, attendees: attendees, now: now)
        return await invite(booking, method: .request, when: { $0.invitePending }, now: now)
    }

    public func confirm(_ id: String, now: Date = Date()) async throws(BookingError) -> BookingChangeResult {
        let booking = try await bookings.confirm(id, now: now)
        return await invite(booking, method: .request, when: { _ in true }, now: now)
    }

    public func reschedule(_ id: String, to interval: Interval, now: Date = Date()) async throws(BookingError) -> BookingChangeResult {
        let booking = try await bookings.reschedule(id, to: interval, now: now)
        return await invite(booking, method: .request, when: { booking.status == .confirmed || $0.invitePending }, now: now)
    }

    public func cancel(_ id: String, now: Date = Date()) async throws(BookingError) -> BookingChangeResult {
        let before = try await bookings.existing(id)
        let sequence = try await bookings.sequence(of: before)
        let booking = try await bookings.cancel(id, now: now)
        let wasInvited: @Sendable (ResourceInvitations) -> Bool = { before.status == .confirmed || (before.status == .pending && $0.invitePending) }
        guard before.status != .cancelled else { return BookingChangeResult(booking: booking) }
        return await invite(booking, method: .cancel(previousSequence: sequence), when: wasInvited, now: now)
    }

    private enum InvitationMethod {
        case request
        case cancel(previousSequence: Int)
    }

    /// Sends the message `method` names to the booking's attendees when its resource invites
    /// and `due` says so; a failure is reported, not thrown (the booking is made).
    private func invite(_ booking: BookingRecord, method: InvitationMethod, when due: (ResourceInvitations) -> Bool,
                        now: Date) async -> BookingChangeResult {
        var result = BookingChangeResult(booking: booking)
        let attendees = booking.attendees.compactMap { MailAddress($0.hasPrefix("mailto:") ? String($0.dropFirst(7)) : $0) }
        guard !attendees.isEmpty else { return result }
        do {
            guard let resource = try await store.resource(id: booking.resourceID), let invitations = resource.invitations, due(invitations) else {
                return result
            }
            guard let account = try await store.mailAccount(id: invitations.mailAccountID) else {
                result.invitationFailure = "the resource's mail account is gone"
                return result
            }
            let stamp = Int64(now.timeIntervalSince1970)
            let zone = (try? JSONDecoder().decode(ResourceRules.self, from: Data(resource.rules.utf8)).timeZone) ?? "UTC"
            let when = Self.describe(start: booking.start, end: booking.end, timeZone: zone)
            let outgoing: OutgoingMail
            switch method {
            case .request:
                var event = BookingEvent(bookingID: booking.localID, start: booking.start, end: booking.end, summary: booking.summary,
                                         status: booking.status == .confirmed ? .confirmed : .tentative,
                                         sequence: try await bookings.sequence(of: booking), organizer: "mailto:" + account.address,
                                         attendees: booking.attendees)
                event.participation = try await bookings.participation(in: booking)
                let prefix = booking.status == .confirmed ? "Invitation" : "Requested"
                outgoing = OutgoingMail(to: attendees, subject: "\(prefix): \(booking.summary) (\(when))",
                                        text: "\(booking.summary)\n\(when)\n\nThe invitation is attached; your calendar can answer it.\n",
                                        invitation: Invitation(method: "REQUEST", calendar: event.request(stamp: stamp)))
            case .cancel(let previousSequence):
                let event = BookingEvent(bookingID: booking.localID, start: booking.start, end: booking.end, summary: booking.summary,
                                         status: .confirmed, sequence: previousSequence, organizer: "mailto:" + account.address,
                                         attendees: booking.attendees)
                outgoing = OutgoingMail(to: attendees, subject: "Cancelled: \(booking.summary) (\(when))",
                                        text: "\(booking.summary)\n\(when)\n\nThis booking is cancelled.\n",
                                        invitation: Invitation(method: "CANCEL", calendar: event.cancel(stamp: stamp)))
            }
            result.invitation = try await mail.send(account, outgoing)
        } catch let error as MailServiceError {
            result.invitationFailure = error.description
        } catch let error as BookingError {
            result.invitationFailure = error.description
        } catch {
            result.invitationFailure = "\(error)"
        }
        if let failure = result.invitationFailure {
            bookings.logger.warning("a booking's invitation could not be sent", metadata: ["booking": .string(booking.id), "error": .string(failure)])
        }
        return result
    }

    /// Reads the answers to invitations in the inbox of every mail account that invites for
    /// a resource or has sent invitations to events, and records each on its event (the
    /// attendee's PARTSTAT, through the single-item commit). A reply counts only when it
    /// answers, from the attendee it names (its `From`), an invitation not older than the
    /// event's, sent from that same account: for a booking, of a resource inviting from it;
    /// for another event, on a calendar of the account's tenant with the account as organizer.
    /// Others are reported and set aside. Each reply dealt with gets a keyword, so it is read
    /// once; one whose event could not be written now stays for the next run.
    public func processInvitationReplies(now: Date = Date()) async throws(MailServiceError) -> [InvitationReplyOutcome] {
        let resources: [ResourceRecord]
        let accounts: [MailAccountRecord]
        do {
            resources = try await store.resources()
            accounts = try await store.mailAccounts()
        } catch {
            throw .store(error)
        }
        let invitingForResources = Set(resources.compactMap(\.invitations?.mailAccountID))
        var outcomes: [InvitationReplyOutcome] = []
        for account in accounts where account.collectsReplies || invitingForResources.contains(account.id) {
            let inviting = Set(resources.filter { $0.invitations?.mailAccountID == account.id }.map(\.id))
            var processed: [UInt32] = []
            for received in try await mail.invitationReplies(account, now: now) {
                let outcome = await record(received, from: account, inviting: inviting)
                if outcome.applied || outcome.final { processed.append(received.uid) }
                outcomes.append(outcome)
            }
            try await mail.markRepliesProcessed(account, uids: processed)
        }
        return outcomes
    }

    private func record(_ received: ReceivedReply, from account: MailAccountRecord, inviting: Set<String>) async -> InvitationReplyOutcome {
        var outcome = InvitationReplyOutcome(messageUID: received.uid)
        guard let reply = AttendeeReply(calendar: received.calendar) else { return outcome.settled("not a reply this server reads") }
        outcome.attendee = reply.address
        outcome.participation = reply.participation
        let bookingID = reply.uid.hasSuffix("@switchboard") ? String(reply.uid.dropLast("@switchboard".count)) : nil
        outcome.bookingID = bookingID
        guard received.from.contains(where: { $0.lowercased() == reply.address }) else {
            return outcome.settled("sent by someone other than the attendee it answers for")
        }
        do {
            if let bookingID {
                guard let booking = try await store.booking(id: bookingID), inviting.contains(booking.resourceID) else {
                    return outcome.settled("no such booking of a resource inviting from this account")
                }
                outcome.applied = try await bookings.recordReply(reply, to: booking)
            } else {
                guard let (calendar, id) = try await event(uid: reply.uid, tenantID: account.tenantID) else {
                    return outcome.settled("no event with this UID on the account's calendars")
                }
                outcome.eventID = id
                outcome.applied = try await events.recordReply(reply, organizer: "mailto:" + account.address, in: calendar, id: id)
            }
            return outcome.applied ? outcome : outcome.settled("nothing to change (an older invitation, another organizer, or not an attendee)")
        } catch {
            outcome.note = "\(error)"
            return outcome
        }
    }

    /// The calendar and id of the event with `uid` among the tenant's calendars.
    private func event(uid: String, tenantID: String?) async throws -> (CollectionRecord, String)? {
        for account in try await store.accounts() where account.tenantID == tenantID {
            for calendar in try await store.collections(accountID: account.id) where calendar.kind == .calendar {
                if let item = try await store.items(in: calendar.id, uid: uid).first { return (calendar, item.localID) }
            }
        }
        return nil
    }

    /// `Mon 9 Mar 2026, 09:00–10:00 (Europe/Berlin)`.
    static func describe(start: Int64, end: Int64, timeZone: String) -> String {
        let zone = TimeZone(identifier: timeZone) ?? TimeZone(secondsFromGMT: 0)!
        let day = formatter("EEE d MMM yyyy, HH:mm", zone)
        let time = formatter("HH:mm", zone)
        let from = Date(timeIntervalSince1970: TimeInterval(start))
        let to = Date(timeIntervalSince1970: TimeInterval(end))
        return "\(day.string(from: from))–\(time.string(from: to)) (\(zone.identifier))"
    }

    /// `Mon 9 Mar 2026, all day` or `Mon 9 Mar 2026 – Wed 11 Mar 2026`.
    static func describe(days: EventSnapshot.Days) -> String {
        let utc = TimeZone(secondsFromGMT: 0)!
        let day = formatter("EEE d MMM yyyy", utc)
        let first = Date(timeIntervalSince1970: TimeInterval(days.first.daysSinceEpoch * 86_400))
        let last = Date(timeIntervalSince1970: TimeInterval(days.end.adding(days: -1).daysSinceEpoch * 86_400))
        return first == last ? "\(day.string(from: first)), all day" : "\(day.string(from: first)) – \(day.string(from: last))"
    }

    private static func formatter(_ format: String, _ zone: TimeZone) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = format
        return formatter
    }
}
