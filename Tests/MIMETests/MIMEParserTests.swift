import MIME
import Testing

private func parse(_ text: String, limits: MIMELimits = MIMELimits()) throws -> MIMEMessage {
    try MIMEParser(limits: limits).parse(Array(text.utf8))
}

/// A message as a mail client sends it: a `multipart/mixed` holding a `multipart/alternative`
/// (text and HTML), an invitation, and two attachments named the two ways clients name
/// non-ASCII files (RFC 2231 continuations, RFC 2047 in `name`).
private let clientMessage = """
From: =?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?= <juergen@example.org>
To: anna@example.org
Subject: =?ISO-8859-1?Q?Termin_f=FCr?= =?UTF-8?B?IMOEcnp0ZQ==?=
 und Pflege
Message-ID: <1@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer boundary"

This is the preamble; readers skip it.
--outer boundary
Content-Type: multipart/alternative; boundary=inner

--inner
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Gr=C3=BC=C3=9Fe aus M=C3=BCnchen, this line is long enough that it is =
soft-broken.
--inner
Content-Type: text/html; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

<p>Gr=FC=DFe</p>
--inner--
--outer boundary
Content-Type: text/calendar; method=REQUEST; charset=utf-8

BEGIN:VCALENDAR
METHOD:REQUEST
END:VCALENDAR
--outer boundary
Content-Type: application/pdf
Content-Disposition: attachment;
 filename*0*=utf-8''Leitlinie%20Pr%C3%A4;
 filename*1*=vention%20%E2%82%AC.pdf
Content-Transfer-Encoding: base64

JVBERi0xLjQK
JSVFT0YK
--outer boundary
Content-Type: image/png; name="=?UTF-8?Q?Bild_=C3=BC.png?="
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--outer boundary--
The epilogue.
"""

@Suite struct MIMEMessages {
    @Test func aClientsMessageReadsWhole() throws {
        let message = try parse(clientMessage.replacingLineEnds("\r\n"))
        #expect(message.problems.isEmpty)
        #expect(message.subject == "Termin für Ärzte und Pflege")
        #expect(message.header.decoded("From") == "Jürgen Müller <juergen@example.org>")
        #expect(message.plainText == "Grüße aus München, this line is long enough that it is soft-broken.")
        #expect(message.htmlText == "<p>Grüße</p>")
        let leaves = message.root.leaves
        #expect(leaves.map(\.section) == [[1, 1], [1, 2], [2], [3], [4]])
        #expect(leaves.map(\.part.contentType.mediaType) == ["text/plain", "text/html", "text/calendar", "application/pdf", "image/png"])
        let invitation = try #require(message.root.part(at: [2]))
        #expect(invitation.contentType.parameters["method"] == "REQUEST")
        #expect(invitation.text == "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR")
        #expect(message.attachments.map(\.filename) == ["Leitlinie Prävention €.pdf", "Bild ü.png"])
        #expect(message.attachments.first?.decodedBody == Array("%PDF-1.4\n%%EOF\n".utf8))
        #expect(message.attachments.last?.decodedBody.prefix(4) == [0x89, 0x50, 0x4E, 0x47])
    }

    @Test func bareLineFeedsReadTheSame() throws {
        let crlf = try parse(clientMessage.replacingLineEnds("\r\n"))
        let lf = try parse(clientMessage.replacingLineEnds("\n"))
        #expect(lf.problems.isEmpty)
        #expect(lf.subject == crlf.subject && lf.htmlText == crlf.htmlText)
        #expect(lf.attachments.map(\.decodedBody) == crlf.attachments.map(\.decodedBody))
        #expect(lf.root.leaves.map(\.section) == crlf.root.leaves.map(\.section))
    }

    @Test func aMessageWithoutMIMEIsOneTextPart() throws {
        let message = try parse("Subject: plain\r\n\r\nHello\r\n")
        #expect(message.root.contentType == .defaultType)
        #expect(message.plainText == "Hello\r\n")
        let headless = try parse("no header at all")
        #expect(headless.root.header.fields.isEmpty && headless.plainText == "no header at all" && headless.problems.isEmpty)
    }
}

@Suite struct MIMERepairs {
    @Test func anUnterminatedMultipartKeepsItsParts() throws {
        let text = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nfirst\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>cut"
        let message = try parse(text)
        #expect(message.problems.map(\.code) == [.unterminatedMultipart])
        #expect(message.root.parts.map(\.text) == ["first", "<p>cut"])
    }

    @Test func aMultipartWithoutBoundaryIsKeptWhole() throws {
        let message = try parse("Content-Type: multipart/mixed\r\n\r\n--x\r\nbody\r\n")
        #expect(message.problems.map(\.code) == [.missingBoundary])
        #expect(message.root.body == Array("--x\r\nbody\r\n".utf8))
    }

    @Test func strayHeaderLinesAreSkippedAndReported() throws {
        let message = try parse(" continued\r\nnot a field\r\nSubject: kept\r\n\r\nbody")
        #expect(message.problems.map(\.code) == [.malformedHeader, .malformedHeader])
        #expect(message.problems.map(\.offset) == [0, 12])
        #expect(message.subject == "kept")
    }

    @Test func malformedEncodedWordsStayAsWritten() {
        #expect(EncodedWords.decode("=?unknown?Q?a?= and =?UTF-8?X?a?= =?UTF-8?Q?ok?=") == "=?unknown?Q?a?= and =?UTF-8?X?a?= ok")
        #expect(EncodedWords.decode("=?UTF-8?Q?a?= b =?UTF-8?Q?c?=") == "a b c")
        #expect(EncodedWords.decode("=?") == "=?")
    }
}

@Suite struct MIMELimitsHeld {
    private static func nested(_ depth: Int) -> String {
        var text = "leaf"
        for level in 0..<depth {
            text = "Content-Type: multipart/mixed; boundary=b\(level)\r\n\r\n--b\(level)\r\n\(text)\r\n--b\(level)--\r\n"
        }
        return text
    }

    @Test func nestingDeeperThanTheLimitIsKeptWhole() throws {
        let message = try parse(Self.nested(6), limits: MIMELimits(maxDepth: 3))
        #expect(message.problems.map(\.code) == [.nestingTooDeep])
        #expect(message.root.part(at: [1, 1, 1])?.parts.isEmpty == true)
        let whole = try parse(Self.nested(6))
        #expect(whole.problems.isEmpty, "\(whole.problems)")
        #expect(whole.root.leaves.map(\.section) == [[1, 1, 1, 1, 1, 1]] && whole.plainText == "leaf")
    }

    @Test func partsBeyondTheLimitAreNotRead() throws {
        let body = (0..<10).map { "--b\r\n\r\npart \($0)\r\n" }.joined()
        let message = try parse("Content-Type: multipart/mixed; boundary=b\r\n\r\n" + body + "--b--\r\n", limits: MIMELimits(maxParts: 4))
        #expect(message.problems.map(\.code) == [.tooManyParts])
        #expect(message.root.parts.count == 3)
    }

    @Test func aMessageOverTheSizeLimitIsRefused() {
        #expect(throws: MIMEError.self) { try parse(String(repeating: "x", count: 2_000), limits: MIMELimits(maxMessageBytes: 1_000)) }
    }

    @Test func aHugeHeaderIsCut() throws {
        let message = try parse("Subject: " + String(repeating: "x", count: 5_000) + "\r\n\r\nbody", limits: MIMELimits(maxHeaderBytes: 100))
        #expect(message.problems.map(\.code) == [.headerTooLarge])
        #expect(message.root.body == Array("body".utf8))
    }
}

@Suite struct MIMEDecodings {
    @Test(arguments: [
        ("windows-1252", [0x80, 0x20, 0xE9] as [UInt8], "€ é"),
        ("ISO-8859-15", [0xA4, 0xBD], "€œ"),
        ("iso-8859-1", [0xA4, 0xE9], "¤é"),
        ("iso-8859-2", [0xB1, 0xE8], "ąč"),
        ("windows-1251", [0xC4, 0xE0], "Да"),
        ("us-ascii", [0x41, 0xE9], "A\u{FFFD}"),
    ])
    func charsets(_ name: String, _ bytes: [UInt8], _ text: String) {
        #expect(Charset.decode(bytes, charset: name) == text)
    }

    @Test func anUnknownCharsetReadsAsLatin1() throws {
        let message = try MIMEParser().parse(Array("Content-Type: text/plain; charset=x-klingon\r\n\r\n".utf8) + [0x41, 0xE9])
        #expect(message.plainText == "Aé")
    }

    @Test func base64IsReadLeniently() {
        #expect(TransferEncoding.decode(Array("SGVs\r\nbG8h\r\n".utf8), encoding: "base64") == Array("Hello!".utf8))
        #expect(TransferEncoding.decode(Array("SGk=".utf8), encoding: "base64") == Array("Hi".utf8))
        #expect(TransferEncoding.decode(Array("S G k *".utf8), encoding: "base64") == Array("Hi".utf8))
    }

    @Test func quotedPrintableKeepsWhatIsNoEscape() {
        #expect(TransferEncoding.decode(Array("a=3Db =ZZ c=\r\nd  \r\ne".utf8), encoding: "quoted-printable") == Array("a=b =ZZ cd\r\ne".utf8))
        #expect(TransferEncoding.decode(Array("end=".utf8), encoding: "quoted-printable") == Array("end".utf8))
        #expect(TransferEncoding.decode(Array("=4".utf8), encoding: "quoted-printable") == Array("=4".utf8))
    }

    @Test func parametersFollowRFC2231() {
        let type = ContentType(parsing: #"Application/X-Thing; name="a \"quoted\" name"; title*=us-ascii'en'This%20is%20%2A%2A%2Afun%2A%2A%2A; x*1="b"; x*0=a"#)
        #expect(type?.mediaType == "application/x-thing")
        #expect(type?.parameters["name"] == #"a "quoted" name"#)
        #expect(type?.parameters["title"] == "This is ***fun***")
        #expect(type?.parameters["x"] == "ab")
        #expect(ContentType(parsing: "text") == nil)
    }
}

private extension String {
    /// The text with its line ends (as written in this file) replaced.
    func replacingLineEnds(_ ending: String) -> String {
        split(separator: "\n", omittingEmptySubsequences: false).joined(separator: ending)
    }
}
