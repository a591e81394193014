import IMAP
import Testing

/// Reads every response in `text`, feeding the bytes in pieces of `chunk`.
private func responses(_ text: String, chunk: Int = .max, limits: IMAPLimits = IMAPLimits()) throws -> [Response] {
    var decoder = ResponseDecoder(limits: limits)
    var found: [Response] = []
    let bytes = Array(text.utf8)
    var index = 0
    while index < bytes.count {
        let end = min(bytes.count, index + chunk)
        decoder.append(bytes[index..<end])
        index = end
        while let response = try decoder.next() { found.append(response) }
    }
    return found
}

@Suite struct ResponseGrammar {
    @Test func greetingAndTaggedResultsWithCodes() throws {
        let read = try responses("* OK [CAPABILITY IMAP4rev1 LITERAL+ IDLE] Dovecot ready.\r\nA1 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\r\nA2 NO [TRYCREATE] No such mailbox\r\n")
        #expect(read == [
            .untagged(.condition(.ok, ResponseText(code: .capability([.imap4rev1, .literalPlus, .idle]), text: "Dovecot ready."))),
            .tagged(TaggedResponse(tag: "A1", status: .ok, text: ResponseText(code: .readWrite, text: "Select completed (0.001 + 0.000 secs)."))),
            .tagged(TaggedResponse(tag: "A2", status: .no, text: ResponseText(code: .tryCreate, text: "No such mailbox"))),
        ])
    }

    @Test func selectData() throws {
        let read = try responses("""
        * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r
        * OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.\r
        * 172 EXISTS\r
        * 1 RECENT\r
        * OK [UIDVALIDITY 3857529045] UIDs valid\r
        * OK [UIDNEXT 4392] Predicted next UID\r
        * OK [HIGHESTMODSEQ 715194045007] Highest\r

        """)
        #expect(read[0] == .untagged(.flags([.answered, .flagged, .deleted, .seen, .draft])))
        #expect(read[2] == .untagged(.exists(172)))
        #expect(read[3] == .untagged(.recent(1)))
        #expect(read[4] == .untagged(.condition(.ok, ResponseText(code: .uidValidity(3_857_529_045), text: "UIDs valid"))))
        #expect(read[5] == .untagged(.condition(.ok, ResponseText(code: .uidNext(4392), text: "Predicted next UID"))))
        #expect(read[6] == .untagged(.condition(.ok, ResponseText(code: .highestModSeq(715_194_045_007), text: "Highest"))))
    }

    @Test func listWithSpecialUseAndAnySeparator() throws {
        let read = try responses("* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n* LIST (\\Noselect) \".\" \"Archiv&AOQ-.2026\"\r\n* LIST () NIL Flat\r\n")
        guard case .untagged(.list(let sent)) = read[0], case .untagged(.list(let archive)) = read[1], case .untagged(.list(let flat)) = read[2] else {
            Issue.record("expected LIST responses")
            return
        }
        #expect(sent.specialUse == .sent)
        #expect(sent.separator == "/")
        #expect(archive.name.name == "Archivä.2026")
        #expect(archive.separator == ".")
        #expect(!archive.isSelectable)
        #expect(flat.separator == nil)
    }

    @Test func fetchWithEnvelopeFlagsAndEncodedSubject() throws {
        let text = "* 12 FETCH (UID 4827 FLAGS (\\Seen $Forwarded) RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"=?utf-8?q?Gr=C3=BC=C3=9Fe?=\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) NIL NIL ((NIL NIL \"imap\" \"cac.washington.edu\")) NIL NIL \"<B27397-0100000@cac>\" \"<B27397-0200000@cac>\"))\r\n"
        let read = try responses(text)
        guard case .untagged(.fetch(let number, let message)) = read[0] else {
            Issue.record("expected FETCH")
            return
        }
        #expect(number == 12)
        #expect(message.uid == 4827)
        #expect(message.flags == [.seen, Flag("$Forwarded")!])
        #expect(message.size == 4286)
        #expect(message.envelope?.subject == "Grüße")
        #expect(message.envelope?.from.first?.address == "gray@cac.washington.edu")
        #expect(message.envelope?.from.first?.name == "Terry Gray")
        #expect(message.envelope?.sender == [])
        #expect(message.envelope?.inReplyTo == "<B27397-0100000@cac>")
        #expect(message.envelope?.messageID == "<B27397-0200000@cac>")
    }

    @Test func fetchedSectionsAsLiteralsAndPartials() throws {
        let read = try responses("* 3 FETCH (UID 9 BODY[1.2]<0> {5}\r\nhe\r\no BODY[HEADER.FIELDS (SUBJECT)] {11}\r\nSubject: x\n)\r\n")
        guard case .untagged(.fetch(_, let message)) = read[0] else {
            Issue.record("expected FETCH")
            return
        }
        #expect(message.sections == [
            FetchedSection(section: "1.2", origin: 0, bytes: Array("he\r\no".utf8)),
            FetchedSection(section: "HEADER.FIELDS (SUBJECT)", origin: nil, bytes: Array("Subject: x\n".utf8)),
        ])
    }

    @Test func bodyStructureWithAttachmentsAndNestedMessage() throws {
        let text = """
        * 1 FETCH (UID 1 BODYSTRUCTURE ((("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 120 4 NIL NIL NIL NIL)("text" "html" ("charset" "utf-8") NIL NIL "base64" 300 5 NIL NIL NIL NIL) "alternative" ("boundary" "b2") NIL NIL NIL)("application" "pdf" ("name" "x.pdf") NIL NIL "base64" 1000 NIL ("attachment" ("filename*" "utf-8''%C3%BCber.pdf")) NIL NIL)("message" "rfc822" NIL NIL NIL "7bit" 500 (NIL "inner" NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 1 NIL NIL NIL NIL) 12 NIL NIL NIL NIL) "mixed" ("boundary" "b1") NIL NIL NIL))\r

        """
        let read = try responses(text)
        guard case .untagged(.fetch(_, let message)) = read[0], let structure = message.bodyStructure else {
            Issue.record("expected BODYSTRUCTURE")
            return
        }
        let leaves = structure.leaves
        #expect(leaves.map(\.section) == ["1.1", "1.2", "2", "3"])
        #expect(leaves[0].part.mediaType == "text/plain")
        #expect(leaves[0].part.lines == 4)
        #expect(leaves[2].part.fileName == "über.pdf")
        #expect(leaves[2].part.disposition?.kind == "attachment")
        #expect(leaves[3].part.message?.envelope.subject == "inner")
        #expect(leaves[3].part.lines == 12)
    }

    @Test func searchThreadVanishedAndUnknownData() throws {
        let read = try responses("* SEARCH 2 84 882 (MODSEQ 917162500)\r\n* THREAD (2)(3 6 (4 23)(44 7 96))\r\n* VANISHED (EARLIER) 41,43:116\r\n* XUNKNOWN 1 (a \"b\")\r\n")
        #expect(read[0] == .untagged(.search([2, 84, 882], highestModSeq: 917_162_500)))
        guard case .untagged(.thread(let threads)) = read[1] else {
            Issue.record("expected THREAD")
            return
        }
        #expect(threads[0] == ThreadNode(uid: 2))
        #expect(threads[1] == ThreadNode(uid: 3, children: [ThreadNode(uid: 6, children: [
            ThreadNode(uid: 4, children: [ThreadNode(uid: 23)]),
            ThreadNode(uid: 44, children: [ThreadNode(uid: 7, children: [ThreadNode(uid: 96)])]),
        ])]))
        #expect(read[2] == .untagged(.vanished(earlier: true, SequenceSet([41...41, 43...116]))))
        #expect(read[3] == .untagged(.other(name: "XUNKNOWN", values: [.atom("1"), .list([.atom("a"), .string(Array("b".utf8))])])))
    }

    @Test func continuationRequest() throws {
        #expect(try responses("+ idling\r\n+\r\n") == [.continuation("idling"), .continuation("")])
    }

    /// The same stream fed one byte at a time gives the same responses, none early.
    @Test func bytesFedOneAtATime() throws {
        let text = "* 1 FETCH (UID 7 BODY[] {13}\r\nab\r\ncd\r\n{3}\r\n FLAGS (\\Seen))\r\n* 2 EXISTS\r\nA1 OK done\r\n"
        #expect(try responses(text, chunk: 1) == responses(text))
        #expect(try responses(text, chunk: 1).count == 3)
    }

    @Test func incompleteInputYieldsNothingYet() throws {
        var decoder = ResponseDecoder()
        decoder.append(Array("* 1 FETCH (BODY[] {10}\r\nabc".utf8))
        #expect(try decoder.next() == nil)
        decoder.append(Array("defghij)\r\n".utf8))
        #expect(try decoder.next() != nil)
    }

    @Test func aHugeLiteralIsRefusedWhenAnnounced() {
        var decoder = ResponseDecoder(limits: IMAPLimits(maxLiteralBytes: 1024 * 1024))
        decoder.append(Array("* 1 FETCH (BODY[] {104857600}\r\n".utf8))
        #expect { try decoder.next() } throws: { ($0 as? IMAPError)?.code == .literalTooLarge }
    }

    @Test func anEndlessLineIsRefused() {
        var decoder = ResponseDecoder(limits: IMAPLimits(maxLineBytes: 100))
        decoder.append(Array(repeating: UInt8(ascii: "a"), count: 200))
        #expect { try decoder.next() } throws: { ($0 as? IMAPError)?.code == .lineTooLong }
    }

    @Test func deepNestingIsRefused() {
        let text = "* X " + String(repeating: "(", count: 100) + String(repeating: ")", count: 100) + "\r\n"
        #expect { try responses(text, limits: IMAPLimits(maxNesting: 10)) } throws: { ($0 as? IMAPError)?.code == .nestingTooDeep }
    }

    @Test(arguments: [
        "* 1 FETCH (UID 1 ENVELOPE (\"a\"))\r\n",
        "* 1 FETCH UID\r\n",
        "A1 MAYBE fine\r\n",
        "* LIST (\\Noselect\r\n",
        "* 1 FETCH (BODY[] {5}\r\nabcde\r\n",
        "* OK [UIDNEXT 5 unterminated\r\n",
        "* 1 FETCH (\"quoted\r\n",
    ])
    func garbageIsATypedError(text: String) {
        #expect { try responses(text) } throws: { $0 is IMAPError }
    }
}
