public import CalendarEditing
public import Foundation
public import ICalendar
import Logging
import MIME
import Scheduling
public import SwitchboardStore

/// An event change, and the invitations it sent when it was asked to invite.
public struct EventChangeResult: Sendable {
    /// The event as it stands after (`nil` when deleted).
    public var event: StoredEvent?
    /// The later part of a series split at an occurrence.
    public var split: StoredEvent?
    /// The iMIP messages sent (RFC 6047): a REQUEST to the attendees, a CANCEL to those taken
    /// off or to everyone when the event is deleted.
    public var invitations: [SentMail] = []
    /// Why invitations that were due could not be sent; the change stands all the same.
    public var invitationFailures: [String] = []
}

/// The event use cases for the interfaces that may invite: ``EventService``'s changes, then,
/// with a mail account to invite from, the iTIP messages (RFC 5546) to the attendees sent by
/// iMIP. The account is the event's organizer: a new event gets its address as `ORGANIZER`,
/// and an event organized by someone else is not changed on their behalf. The account's inbox
/// is read for the answers from then on (``processInvitationReplies(now:)``).
extension Hub {
    public func createEvent(in calendar: CollectionRecord, _ draft: EventDraft, invitingFrom account: MailAccountRecord? = nil,
                            now: Date = Date()) async throws(EventError) -> EventChangeResult {
        let draft = try organized(draft, by: account, current: nil)
        let created = try await events.create(in: calendar, draft, now: now)
        var result = EventChangeResult(event: created)
        if let account { await sendInvitations(about: nil, after: created.object, from: account, into: &result, now: now) }
        return result
    }

    public func updateEvent(in calendar: CollectionRecord, id: String, scope: EditScope = .series, with draft: EventDraft, ifMatch: String?,
                            invitingFrom account: MailAccountRecord? = nil, now: Date = Date()) async throws(EventError) -> EventChangeResult {
        let before = try await events.event(in: calendar, id: id)
        let draft = try organized(draft, by: account, current: before.object)
        let (event, split) = try await events.update(in: calendar, id: id, scope: scope, with: draft, ifMatch: ifMatch, now: now)
        var result = EventChangeResult(event: event, split: split)
        if let account {
            await sendInvitations(about: before.object, after: event.object, from: account, into: &result, now: now)
            if let split { await sendInvitations(about: nil, after: split.object, from: account, into: &result, now: now) }
        }
        return result
    }

    public func deleteEvent(in calendar: CollectionRecord, id: String, scope: EditScope = .series, ifMatch: String?,
                            invitingFrom account: MailAccountRecord? = nil, now: Date = Date()) async throws(EventError) -> EventChangeResult {
        let before = try await events.event(in: calendar, id: id)
        if let account { try checkOrganizer(account, of: before.object) }
        let left = try await events.delete(in: calendar, id: id, scope: scope, ifMatch: ifMatch, now: now)
        var result = EventChangeResult(event: left)
        if let account { await sendInvitations(about: before.object, after: left?.object, from: account, into: &result, now: now) }
        return result
    }

    /// The tenant's mail account that invites to an event: the one `reference` names (its id
    /// or name), else the one whose address is the event's organizer, else the tenant's only one.
    public func invitingAccount(_ reference: String?, for event: Component?, tenantID: String?) async throws(MailServiceError) -> MailAccountRecord {
        if let reference { return try await mail.account(reference, tenantID: tenantID) }
        let accounts = try await mail.accounts(tenantID: tenantID)
        if let organizer = event.flatMap(SchedulingMessage.organizer(of:)),
            let account = accounts.first(where: { "mailto:" + $0.address.lowercased() == organizer }) {
            return account
        }
        guard accounts.count == 1, let only = accounts.first else {
            throw .invalid(accounts.isEmpty ? "no mail account to invite from: connect one first" : "name the mail account that invites (mailAccountId)")
        }
        return only
    }

    /// The draft with the account as its organizer; refused when the event has another one.
    private func organized(_ draft: EventDraft, by account: MailAccountRecord?, current: Component?) throws(EventError) -> EventDraft {
        guard let account else { return draft }
        if let current { try checkOrganizer(account, of: current) }
        var draft = draft
        draft.organizer = "mailto:" + account.address
        return draft
    }

    /// Refuses to invite from an account that is not the event's organizer.
    private func checkOrganizer(_ account: MailAccountRecord, of event: Component) throws(EventError) {
        if let existing = SchedulingMessage.organizer(of: event), existing != "mailto:" + account.address.lowercased() {
            throw .edit(.invalid("invite", "the event is organized by \(existing); only its organizer's account sends its invitations"))
        }
    }

    /// Sends what a change from `before` to `after` calls for: a CANCEL to attendees taken off
    /// (to everyone when the event is gone) and a REQUEST to the attendees left.
    private func sendInvitations(about before: Component?, after: Component?, from account: MailAccountRecord,
                                 into result: inout EventChangeResult, now: Date) async {
        let stamp = Int64(now.timeIntervalSince1970)
        let invited = after.map(SchedulingMessage.attendees(of:)) ?? []
        let removed = (before.map(SchedulingMessage.attendees(of:)) ?? []).filter { !invited.contains($0) }
        var messages: [(to: [String], OutgoingMail)] = []
        if let before, !removed.isEmpty {
            let about = Self.subject(of: before)
            messages.append((removed, OutgoingMail(to: [], subject: "Cancelled: \(about)", text: "\(about)\n\nThis event is cancelled.\n",
                                                   invitation: Invitation(method: "CANCEL", calendar: SchedulingMessage.cancel(before, stamp: stamp, attendees: removed)))))
        }
        if let after, !invited.isEmpty {
            let about = Self.subject(of: after)
            let prefix = before == nil ? "Invitation" : "Updated invitation"
            messages.append((invited, OutgoingMail(to: [], subject: "\(prefix): \(about)",
                                                   text: "\(about)\n\nThe invitation is attached; your calendar can answer it.\n",
                                                   invitation: Invitation(method: "REQUEST", calendar: SchedulingMessage.request(after)))))
        }
        guard !messages.isEmpty else { return }
        if !account.collectsReplies {
            do {
                try await store.markCollectsReplies(mailAccountID: account.id)
            } catch {
                result.invitationFailures.append("the account could not be marked to read the answers: \(error)")
            }
        }
        for (uris, message) in messages {
            var message = message
            message.to = uris.compactMap { MailAddress(String($0.dropFirst("mailto:".count))) }
            do {
                result.invitations.append(try await mail.send(account, message))
            } catch {
                result.invitationFailures.append(error.description)
                bookings.logger.warning("an event's invitation could not be sent", metadata: ["account": .string(account.id), "error": .string(error.description)])
            }
        }
    }

    /// `Team meeting (Mon 9 Mar 2026, 09:00–10:00 (Europe/Berlin))`, from the object's first event.
    static func subject(of object: Component) -> String {
        guard let event = object.components.first(where: { $0.name == ComponentName.event && $0.property(PropertyName.recurrenceID) == nil })
            ?? object.components.first(where: { $0.name == ComponentName.event }),
            let snapshot = EventSnapshot(master: event, in: object)
        else { return "an event" }
        let summary = snapshot.summary ?? "an event"
        if let days = snapshot.allDay { return "\(summary) (\(describe(days: days)))" }
        return "\(summary) (\(describe(start: snapshot.start, end: snapshot.end, timeZone: snapshot.timeZone ?? "UTC")))"
    }
}
