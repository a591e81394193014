import Accounts
import Crypto
import DAVClient
import Foundation
import HTTPTransport
import IMAP
import MailClient
import MIME
import Scheduling
import SwitchboardCore
import SwitchboardStore
import SwitchboardTestSupport
import Testing
import Webhooks

/// The invitation tests' application: a fresh store with a calendar on Radicale (anna's) and a
/// mail account on the mail peer named `mailAccount` that signs in as `mailUser`.
enum InvitingHub {
    static func with(mailUser: String, mailAccount: String, _ body: (Hub, CollectionRecord, MailAccountRecord) async throws -> Void) async throws {
        let peer = try await Peer.named("radicale")
        let mailPeer = try await MailPeer.shared()
        try await StoreDriver.sqlite.withStore(isolated: true) { store in
            let secrets = try SecretBox(key: SymmetricKey(size: .bits256))
            let clients = AccountClients(secrets: secrets)
            let account = AccountRecord(name: Fixtures.unique("calendars"), serverURL: peer.baseURL.absoluteString, username: "anna",
                                        sealedPassword: try secrets.seal("secret"))
            try await store.saveAccount(account)
            let href = peer.annaCalendarHome + Fixtures.unique("invitations") + "/"
            try await peer.withClient { client in try await client.makeCalendar(href, displayName: "Invitations") }
            let calendar = CollectionRecord(accountID: account.id, href: href, kind: .calendar)
            try await store.saveCollection(calendar)
            let webhooks = WebhookService(store: store, secrets: secrets, networkPolicy: NetworkPolicy())
            let hub = Hub(store: store, bookings: BookingService(store: store, clients: clients), webhooks: webhooks)
            do {
                let sender = try await hub.mail.connect(MailAccountConnection(
                    name: mailAccount, imapURL: mailPeer.imapsURL, smtpURL: mailPeer.smtpsURL, username: mailUser, password: "secret",
                    trustedCertificatesPEM: try String(contentsOfFile: mailPeer.caFile, encoding: .utf8)))
                try await body(hub, calendar, sender)
            } catch {
                await hub.mail.shutdown()
                await webhooks.shutdown()
                await clients.shutdown()
                throw error
            }
            await hub.mail.shutdown()
            await webhooks.shutdown()
            await clients.shutdown()
        }
    }
}

/// The mail peer's mailboxes as the invitation tests read and write them.
enum Mailbox {
    static func options(_ user: String) async throws -> MailConnectionOptions {
        let mailPeer = try await MailPeer.shared()
        return MailConnectionOptions(user: user, password: "secret",
                                     trustedCertificatesPEM: try String(contentsOfFile: mailPeer.caFile, encoding: .utf8), networkPolicy: .unrestricted)
    }

    /// The `text/calendar` part with `method` of the message in `user`'s inbox whose subject
    /// has `token`, waited for up to 10 s.
    static func invitation(_ token: String, method: String, to user: String = "bob@example.test") async throws -> String {
        let server = try #require(MailServer(url: try await MailPeer.shared().imapsURL, kind: .imap))
        return try await IMAPConnection.withConnection(to: server, options: try await options(user)) { connection in
            for _ in 0..<100 {
                try await connection.select(.inbox)
                let found = try await connection.search(.and([.subject(token), .header("Content-Type", "multipart")]))
                for message in try await connection.fetch(SequenceSet(found), [.bodyPeek(section: "", partial: nil)]) {
                    let parsed = try MIMEParser().parse(try #require(message.section("")))
                    if let part = parsed.root.leaves.map(\.part).first(where: { $0.contentType.mediaType == "text/calendar" && $0.contentType.parameters["method"] == method }) {
                        return (part.text ?? "").replacingOccurrences(of: "\r\n ", with: "")
                    }
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            Issue.record("no \(method) for \(token) arrived for \(user)")
            return ""
        }
    }

    /// Sends `calendar` as an iMIP REPLY from `sender` to the organizer.
    static func reply(from sender: String, to organizer: String = "anna@example.test", _ calendar: String, subject: String) async throws {
        let from = try #require(MailAddress(sender))
        let anna = try #require(MailAddress(organizer))
        let draft = MessageDraft(from: MIME.Mailbox(from), to: [MIME.Mailbox(anna)], subject: subject, date: Date(), messageID: "\(UUID().uuidString)@example.test",
                                 text: "Accepted", invitation: Invitation(method: "REPLY", calendar: calendar))
        let server = try #require(MailServer(url: try await MailPeer.shared().smtpsURL, kind: .smtp))
        _ = try await SMTPClient(server: server, options: try await options(sender)).send(MessageWriter().write(draft), from: from, to: [anna])
    }

    /// A REPLY from `attendee` to the event `uid`, answering with `participation`.
    static func answer(uid: String, from attendee: String, _ participation: String, organizer: String = "anna@example.test", sequence: Int = 0) -> String {
        """
        BEGIN:VCALENDAR\r
        VERSION:2.0\r
        PRODID:-//test//EN\r
        METHOD:REPLY\r
        BEGIN:VEVENT\r
        UID:\(uid)\r
        DTSTAMP:20260309T080000Z\r
        SEQUENCE:\(sequence)\r
        ORGANIZER:mailto:\(organizer)\r
        ATTENDEE;PARTSTAT=\(participation):mailto:\(attendee)\r
        END:VEVENT\r
        END:VCALENDAR\r

        """
    }
}
