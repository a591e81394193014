import IMAP
import Testing

private func text(_ command: Command, mode: LiteralMode = .synchronizing) -> [String] {
    CommandEncoder(literalMode: mode).encode(command, tag: "A1").pieces.map { String(decoding: $0, as: UTF8.self) }
}

@Suite struct CommandEncoding {
    @Test func loginQuotesAndEscapes() {
        #expect(text(.login(user: "anna@example.test", password: "se\"c\\ret")) == ["A1 LOGIN \"anna@example.test\" \"se\\\"c\\\\ret\"\r\n"])
    }

    /// A line break in a value can never end the command: it becomes a literal.
    @Test func lineBreaksBecomeLiterals() {
        #expect(text(.login(user: "a\r\nA2 DELETE INBOX", password: "x")) == ["A1 LOGIN {18}\r\n", "a\r\nA2 DELETE INBOX \"x\"\r\n"])
        #expect(text(.login(user: "a\r\nb", password: "x"), mode: .nonSynchronizing) == ["A1 LOGIN {4+}\r\na\r\nb \"x\"\r\n"])
    }

    @Test func searchWithUTF8UsesACharsetAndLiterals() {
        let criteria = SearchCriteria.and([.unseen, .or(.subject("Grüße"), .from("anna")), .since(SearchDate(year: 2026, month: 2, day: 1)!)])
        #expect(text(.uidSearch(criteria), mode: .nonSynchronizing)
            == ["A1 UID SEARCH CHARSET UTF-8 UNSEEN OR SUBJECT {7+}\r\nGrüße FROM \"anna\" SINCE 1-Feb-2026\r\n"])
        #expect(text(.uidSearch(.not(.seen))) == ["A1 UID SEARCH NOT SEEN\r\n"])
    }

    @Test func fetchStoreMoveAndAppend() {
        #expect(text(.uidFetch(SequenceSet([1...5, 9...UInt32.max]), [.uid, .flags, .envelope, .bodyPeek(section: "1.2", partial: 0...1023)], changedSince: 7))
            == ["A1 UID FETCH 1:5,9:* (UID FLAGS ENVELOPE BODY.PEEK[1.2]<0.1024>) (CHANGEDSINCE 7)\r\n"])
        #expect(text(.uidStore(SequenceSet([3...3]), .add, [.seen, .flagged], silent: true)) == ["A1 UID STORE 3 +FLAGS.SILENT (\\Seen \\Flagged)\r\n"])
        #expect(text(.uidMove(SequenceSet([3...4]), MailboxName("Archivä"))) == ["A1 UID MOVE 3:4 \"Archiv&AOQ-\"\r\n"])
        #expect(text(.append(.inbox, flags: [.seen], message: Array("hi\r\n".utf8)), mode: .nonSynchronizing)
            == ["A1 APPEND \"INBOX\" (\\Seen) {4+}\r\nhi\r\n\r\n"])
    }

    @Test func selectWithCondStoreOrQResync() {
        #expect(text(.examine(MailboxName("Projekte/Übersicht"), condStore: true)) == ["A1 EXAMINE \"Projekte/&ANw-bersicht\" (CONDSTORE)\r\n"])
        #expect(text(.select(.inbox, condStore: true, qresync: .init(uidValidity: 67890007, modSeq: 90060115194045000, knownUIDs: SequenceSet([41...211]))))
            == ["A1 SELECT \"INBOX\" (QRESYNC (67890007 90060115194045000 41:211))\r\n"])
        #expect(text(.enable([.qresync])) == ["A1 ENABLE QRESYNC\r\n"])
    }

    @Test func flagsAreAtomsOnly() {
        #expect(Flag("$Forwarded") != nil)
        #expect(Flag("\\Seen") != nil)
        #expect(Flag("a b") == nil)
        #expect(Flag("x)") == nil)
        #expect(Flag("a\\b") == nil)
        #expect(Flag("") == nil)
    }

    @Test func modifiedUTF7RoundTrips() {
        for name in ["INBOX", "Entwürfe", "&", "A&B", "日本語", "emoji 🎉 box", "~peter/mail/台北/日本語"] {
            #expect(MailboxName(wire: MailboxName(name).wireBytes).name == MailboxName(name).name)
        }
        #expect(String(decoding: MailboxName("~peter/mail/台北/日本語").wireBytes, as: UTF8.self) == "~peter/mail/&U,BTFw-/&ZeVnLIqe-")
        #expect(MailboxName("inbox") == .inbox)
    }

    @Test func sequenceSets() {
        #expect(SequenceSet([5, 1, 2, 3, 9, 10]).description == "1:3,5,9:10")
        #expect(SequenceSet("1:3,5,9:*")?.ranges == [1...3, 5...5, 9...UInt32.max])
        #expect(SequenceSet("0") == nil)
        #expect(SequenceSet("a") == nil)
    }

    @Test func clientSideThreading() {
        let messages = [
            MessageThreader.Message(uid: 1, messageID: "<a@x>", inReplyTo: nil, references: nil),
            MessageThreader.Message(uid: 2, messageID: "<b@x>", inReplyTo: "<a@x>", references: "<a@x>"),
            MessageThreader.Message(uid: 3, messageID: "<c@x>", inReplyTo: "<b@x>", references: "<a@x> <b@x>"),
            MessageThreader.Message(uid: 4, messageID: "<d@x>", inReplyTo: nil, references: nil),
            // A reply whose parent is missing hangs under an empty node, which collapses.
            MessageThreader.Message(uid: 5, messageID: "<e@x>", inReplyTo: "<gone@x>", references: nil),
            // A loop in References is not followed.
            MessageThreader.Message(uid: 6, messageID: "<f@x>", inReplyTo: "<f@x>", references: "<f@x>"),
        ]
        let threads = MessageThreader.threads(messages)
        #expect(threads == [
            ThreadNode(uid: 1, children: [ThreadNode(uid: 2, children: [ThreadNode(uid: 3)])]),
            ThreadNode(uid: 4),
            ThreadNode(uid: 5),
            ThreadNode(uid: 6),
        ])
    }
}
