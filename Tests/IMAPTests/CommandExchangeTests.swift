import IMAP
import Testing

@Suite struct CommandExchangeTests {
    @Test func aSynchronisingLiteralWaitsForTheContinuation() throws {
        let encoded = CommandEncoder(literalMode: .synchronizing).encode(.login(user: "anna", password: "line\r\nbreak"), tag: "A1")
        var exchange = CommandExchange(encoded)
        #expect(exchange.start() == encoded.pieces[0])
        #expect(try exchange.receive(.continuation("go ahead")) == .send(encoded.pieces[1]))
        #expect(throws: CommandExchange.Violation.unexpectedContinuation) { try exchange.receive(.continuation("more?")) }
        let done = TaggedResponse(tag: "A1", status: .ok, text: ResponseText(text: "signed in"))
        #expect(try exchange.receive(.tagged(done)) == .finished(done))
        #expect(exchange.isFinished)
    }

    @Test func authenticateWithoutSASLIRAnswersTheChallenge() throws {
        let response = CommandEncoder.plainResponse(user: "anna", password: "secret")
        var exchange = CommandExchange(CommandEncoder().encode(.authenticatePlain(initialResponse: nil), tag: "A2"), saslResponse: response)
        #expect(try exchange.receive(.continuation("")) == .send(Array((response + "\r\n").utf8)))
    }

    @Test func idleIsUnderWayAtTheContinuationAndUntaggedNewsIsDelivered() throws {
        var exchange = CommandExchange(CommandEncoder().encode(.idle, tag: "A3"))
        #expect(try exchange.receive(.continuation("idling")) == .idling)
        #expect(try exchange.receive(.untagged(.exists(4))) == .deliver(.exists(4)))
        #expect(try exchange.receive(.continuation("still here")) == .none)
        #expect(CommandExchange.idleDone == Array("DONE\r\n".utf8))
    }

    @Test func aTaggedResponseForAnotherTagIsAViolation() {
        var exchange = CommandExchange(CommandEncoder().encode(.noop, tag: "A4"))
        #expect(throws: CommandExchange.Violation.unknownTag("A9")) {
            try exchange.receive(.tagged(TaggedResponse(tag: "A9", status: .ok, text: ResponseText(text: ""))))
        }
    }
}
