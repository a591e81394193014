/// One command's exchange with the server, as a value: which bytes to send next, and what
/// each response means for it (after postgres-nio's state machines). The connection sends
/// ``start()``'s bytes, feeds every response to ``receive(_:)`` and performs the action.
///
/// A synchronising literal waits for the server's continuation request; AUTHENTICATE
/// without an initial response answers its challenge; IDLE is under way once the server
/// says so and ends when the client sends ``idleDone``.
public struct CommandExchange: Sendable {
    public let tag: String
    private let first: [UInt8]
    private var remainingPieces: ArraySlice<[UInt8]>
    private var saslResponse: [UInt8]?
    private var state: State

    private enum State: Sendable {
        case waiting
        case idling
        case finished
    }

    /// What the connection does with a response.
    public enum Action: Sendable, Hashable {
        /// Send these bytes (the next piece of the command, or a SASL answer).
        case send([UInt8])
        /// Data for the command's caller, or news of the mailbox.
        case deliver(UntaggedResponse)
        /// The server now idles: wait for news, and send ``idleDone`` to stop.
        case idling
        /// The command is over; OK, NO or BAD is for the caller to judge.
        case finished(TaggedResponse)
        /// Nothing to do (a response for another tag or a late continuation in IDLE).
        case none
    }

    /// Why the server broke the exchange.
    public enum Violation: Error, Sendable, Hashable {
        /// The server asked for more when the command had nothing more to send.
        case unexpectedContinuation
        /// A tagged response for a tag the client never sent.
        case unknownTag(String)
    }

    /// - Parameter saslResponse: the answer to AUTHENTICATE's empty challenge, when the
    ///   command does not carry it already (no SASL-IR).
    public init(_ command: EncodedCommand, saslResponse: String? = nil) {
        tag = command.tag
        remainingPieces = command.pieces.dropFirst()
        self.saslResponse = saslResponse.map { Array($0.utf8) + [0x0D, 0x0A] }
        first = command.pieces.first ?? []
        state = .waiting
    }

    /// The bytes that begin the command.
    public func start() -> [UInt8] { first }

    public var isFinished: Bool { if case .finished = state { true } else { false } }

    public mutating func receive(_ response: Response) throws(Violation) -> Action {
        switch response {
        case .untagged(let data):
            return .deliver(data)
        case .continuation:
            switch state {
            case .waiting:
                if let next = remainingPieces.popFirst() { return .send(next) }
                if let answer = saslResponse {
                    saslResponse = nil
                    return .send(answer)
                }
                if first.isIdleCommand(tag: tag) {
                    state = .idling
                    return .idling
                }
                throw .unexpectedContinuation
            case .idling, .finished:
                return .none
            }
        case .tagged(let tagged):
            guard tagged.tag == tag else { throw .unknownTag(tagged.tag) }
            state = .finished
            return .finished(tagged)
        }
    }

    /// The bytes that end IDLE (RFC 2177).
    public static let idleDone = Array("DONE\r\n".utf8)
}

extension [UInt8] {
    fileprivate func isIdleCommand(tag: String) -> Bool { self == Array("\(tag) IDLE\r\n".utf8) }
}
