import Foundation
import HTTPTransport
import IMAP
import MailClient
import MIME
import SwitchboardTestSupport
import Testing

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
