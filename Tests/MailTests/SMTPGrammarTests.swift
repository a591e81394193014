import MIME
import SMTP
import Testing

@Suite struct SMTPGrammarTests {
    @Test func multiLineReplyWithEnhancedCodeFedByteByByte() throws {
        var decoder = SMTPReplyDecoder()
        let bytes = Array("250-mail.example.test greets you\r\n250-SIZE 10240000\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n550 5.1.1 no such user\r\n".utf8)
        var replies: [SMTPReply] = []
        for byte in bytes {
            decoder.append([byte])
            while let reply = try decoder.next() { replies.append(reply) }
        }
        #expect(replies.count == 2)
        let extensions = SMTPExtensions(ehloReply: replies[0])
        #expect(extensions.maximumSize == 10_240_000)
        #expect(extensions.pipelining && extensions.eightBitMIME && !extensions.startTLS)
        #expect(extensions.authMechanisms == ["PLAIN", "LOGIN"])
        #expect(replies[1].code == 550 && replies[1].kind == .permanentNegative)
        #expect(replies[1].enhancedCode == "5.1.1" && replies[1].lines == ["no such user"])
    }

    @Test(arguments: [
        "hello\r\n", "25\r\n", "250x\r\n", "600 no\r\n", "250-a\r\n251 b\r\n",
    ])
    func invalidRepliesAreTypedErrors(_ text: String) {
        var decoder = SMTPReplyDecoder()
        decoder.append(Array(text.utf8))
        #expect(throws: SMTPProtocolError.self) {
            while try decoder.next() != nil {}
        }
    }

    @Test func aLineWithoutEndIsBounded() {
        var decoder = SMTPReplyDecoder(maxLineBytes: 100)
        decoder.append([UInt8](repeating: UInt8(ascii: "2"), count: 200))
        #expect(throws: SMTPProtocolError.self) { try decoder.next() }
    }

    @Test func aReplyWithTooManyLinesIsBounded() {
        var decoder = SMTPReplyDecoder(maxLines: 3)
        decoder.append(Array(String(repeating: "250-x\r\n", count: 10).utf8))
        #expect(throws: SMTPProtocolError.self) { try decoder.next() }
    }

    @Test func dataIsDotStuffedWithCRLFLinesAndEnded() {
        let message = Array("Subject: x\n\n.hidden\r\n..two\rlast".utf8)
        #expect(String(decoding: SMTPMessageData.encode(message), as: UTF8.self)
            == "Subject: x\r\n\r\n..hidden\r\n...two\r\nlast\r\n.\r\n")
        #expect(String(decoding: SMTPMessageData.encode([]), as: UTF8.self) == ".\r\n")
    }

    @Test func commandsCarryOnlyTypedValues() throws {
        let sender = try #require(MailAddress("anna@example.test"))
        #expect(SMTPCommand.mailFrom(sender, size: 42, eightBit: true, smtpUTF8: false).bytes
            == Array("MAIL FROM:<anna@example.test> SIZE=42 BODY=8BITMIME\r\n".utf8))
        #expect(SMTPCommand.mailFrom(nil, size: nil, eightBit: false, smtpUTF8: false).bytes == Array("MAIL FROM:<>\r\n".utf8))
        #expect(MailAddress("anna@example.test>\r\nRCPT TO:<eve@evil.test") == nil)
        #expect(SMTPClientName("mail.example.test\r\nMAIL FROM:<x>") == nil)
        #expect(SMTPClientName.literal(ipAddress: "::1")?.description == "[IPv6:::1]")
        #expect(SMTPCommand.authPlain(initialResponse: "AGFubmEAc2VjcmV0").verb == "AUTH")
    }
}
