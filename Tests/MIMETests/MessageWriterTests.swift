import Foundation
import MIME
import Testing

/// What the writer makes, read back by the parser: every field and part as given, 7-bit only,
/// lines within 76 characters (header folding aside), and no value able to add a field.
@Suite struct MessageWriting {
    private static let anna = Mailbox(MailAddress("anna@example.org")!, name: "Anna Müller")
    private static let bob = Mailbox(MailAddress("bob@example.org")!, name: #"Bob "the builder" \ Jr"#)

    private static func draft() -> MessageDraft {
        MessageDraft(
            from: anna, to: [bob, Mailbox(MailAddress("clinic@example.org")!)], cc: [Mailbox(MailAddress("desk@example.org")!)],
            subject: "Termin für Ärzte — " + String(repeating: "lange Betreffzeile ", count: 5),
            date: Date(timeIntervalSince1970: 1_796_634_000), messageID: "1@switchboard.example", inReplyTo: ["0@example.org"],
            text: "Grüße,\nline two with = sign and a trailing space \n" + String(repeating: "x", count: 200),
            html: "<p>Grüße</p>",
            invitation: Invitation(method: "REQUEST", calendar: "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"),
            attachments: [
                Attachment(filename: "Leitlinie Prävention €.pdf", mediaType: "application/pdf", data: Array(0...255)),
                Attachment(filename: "plain.txt", mediaType: "text/plain; charset=utf-8", data: Array("hello".utf8)),
            ])
    }

    @Test func aDraftReadsBackAsWritten() throws {
        let bytes = MessageWriter().write(Self.draft())
        #expect(bytes.allSatisfy { $0 < 128 })
        let message = try MIMEParser().parse(bytes)
        #expect(message.problems.isEmpty)
        #expect(message.subject == Self.draft().subject)
        #expect(message.header.decoded("From") == "\"Anna Müller\" <anna@example.org>" || message.header.decoded("From") == "Anna Müller <anna@example.org>")
        #expect(message.header["To"] == #""Bob \"the builder\" \\ Jr" <bob@example.org>, clinic@example.org"#)
        #expect(message.header["Date"] == "Mon, 07 Dec 2026 09:00:00 +0000")
        #expect(message.header["Message-ID"] == "<1@switchboard.example>")
        #expect(message.header["In-Reply-To"] == "<0@example.org>")
        #expect(message.plainText == "Grüße,\r\nline two with = sign and a trailing space \r\n" + String(repeating: "x", count: 200))
        #expect(message.htmlText == "<p>Grüße</p>")
        #expect(message.root.leaves.map(\.part.contentType.mediaType) == ["text/plain", "text/html", "text/calendar", "application/pdf", "text/plain"])
        let invitation = try #require(message.root.leaves.map(\.part).first { $0.contentType.subtype == "calendar" })
        #expect(invitation.contentType.parameters["method"] == "REQUEST")
        #expect(invitation.text == "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n")
        #expect(message.attachments.map(\.filename) == ["Leitlinie Prävention €.pdf", "plain.txt"])
        #expect(message.attachments.first?.decodedBody == Array(0...255))
    }

    @Test func linesStayShortEverywhereButAtFoldingPoints() {
        let text = String(decoding: MessageWriter().write(Self.draft()), as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.count <= 78 }, "\(lines.filter { $0.count > 78 })")
        #expect(lines.count > 20)
        #expect(!text.contains("\n\n") && !text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    }

    @Test(arguments: ["Consult\r\nBcc: victim@example.org", "Consult\nX-Evil: 1", "Consult\rX-Evil: 1", "=?UTF-8?B?QmNjOg==?="])
    func noValueAddsAField(_ hostile: String) throws {
        var draft = Self.draft()
        draft.subject = hostile
        draft.from.name = hostile
        draft.attachments[0].filename = hostile
        draft.attachments[0].mediaType = "text/plain\r\nX-Evil: 1"
        draft.messageID = "id\r\nX-Evil: 1@x"
        let message = try MIMEParser().parse(MessageWriter().write(draft))
        let names = message.header.fields.map { $0.name.lowercased() }
        #expect(names == ["from", "to", "cc", "subject", "date", "message-id", "in-reply-to", "references", "mime-version", "content-type"])
        #expect(message.subject == hostile)
        #expect(message.attachments.first?.filename == hostile)
        #expect(message.root.leaves.allSatisfy { leaf in leaf.part.header.fields.allSatisfy { !$0.name.lowercased().hasPrefix("x-") && $0.name != "Bcc" } })
    }

    @Test(arguments: [(0.0, "Thu, 01 Jan 1970 00:00:00 +0000"), (951_782_400, "Tue, 29 Feb 2000 00:00:00 +0000"),
                      (1_796_634_000, "Mon, 07 Dec 2026 09:00:00 +0000"), (-1, "Wed, 31 Dec 1969 23:59:59 +0000"),
                      (4_107_542_399, "Sun, 28 Feb 2100 23:59:59 +0000"), (4_102_444_799, "Thu, 31 Dec 2099 23:59:59 +0000")])
    func datesAreWrittenInUTC(_ seconds: Double, _ text: String) throws {
        var draft = Self.draft()
        draft.date = Date(timeIntervalSince1970: seconds)
        #expect(try MIMEParser().parse(MessageWriter().write(draft)).header["Date"] == text)
    }

    @Test(arguments: ["a@b.example", "first.last+tag@sub.example.org", "ünï@exämple.org"])
    func addressesThatAreAccepted(_ text: String) {
        #expect(MailAddress(text)?.address == text)
    }

    @Test(arguments: ["", "no-at", "a@", "@b", "a b@c", "a@b c", "a\r\n@b", "\"q\"@b", "a..b@c", ".a@b", "a@-b.c", "a@b,c@d", "a@b>"])
    func addressesThatAreRefused(_ text: String) {
        #expect(MailAddress(text) == nil)
    }
}
