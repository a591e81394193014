import Foundation
public import MIME
import NIOCore
public import SMTP

/// Sends messages through a submission server (RFC 5321, RFC 6409): EHLO, STARTTLS (for
/// `smtp://`, when offered), AUTH PLAIN or LOGIN, SIZE, 8BITMIME, SMTPUTF8 and PIPELINING
/// where offered, dot-stuffed DATA, a result per recipient, and another try for the
/// recipients a server put off with 4yz.
public struct SMTPClient: Sendable {
    public let server: MailServer
    public let options: MailConnectionOptions
    /// How many times a transaction is tried in all when the server answers 4yz. Default 3.
    public var attempts: Int
    /// The wait before the second try; it doubles for each further one. Default 2 s.
    public var retryDelay: Duration

    public init(server: MailServer, options: MailConnectionOptions, attempts: Int = 3, retryDelay: Duration = .seconds(2)) {
        self.server = server
        self.options = options
        self.attempts = max(1, attempts)
        self.retryDelay = retryDelay
    }

    /// Connects, greets, upgrades and signs in, and says goodbye: the check an account gets
    /// before it is kept. Returns what the server offers.
    public func verify() async throws(MailError) -> SMTPExtensions {
        try await SMTPSession.withSession(server: server, options: options) { session throws(MailError) in session.extensions }
    }

    /// Sends `message` (the bytes of an RFC 5322 message) from `sender` to `recipients`.
    /// Recipients the server refuses for good (5yz) are reported, not retried; those put off
    /// (4yz), and whole transactions put off, are tried again up to ``attempts`` times.
    /// Throws when nobody accepted the message.
    public func send(_ message: [UInt8], from sender: MailAddress, to recipients: [MailAddress]) async throws(MailError) -> SMTPDelivery {
        var delivery = SMTPDelivery()
        var pending = Array(Set(recipients)).sorted { $0.address < $1.address }
        var delay = retryDelay
        for attempt in 1...attempts {
            do {
                let outcome = try await SMTPSession.withSession(server: server, options: options) { session throws(MailError) in
                    try await session.transaction(message, from: sender, to: pending)
                }
                delivery.accepted += outcome.accepted
                delivery.refused.merge(outcome.refused) { $1 }
                pending = outcome.deferred.keys.sorted { $0.address < $1.address }
                if pending.isEmpty || attempt == attempts {
                    delivery.refused.merge(outcome.deferred) { $1 }
                    break
                }
            } catch where error.code == .transient && attempt < attempts {
                // The whole transaction was put off: all pending recipients go again.
            }
            try? await Task.sleep(for: delay)
            delay *= 2
        }
        guard !delivery.accepted.isEmpty else {
            throw MailError(.recipientsRefused, server: server.description, command: "RCPT",
                            detail: delivery.refused.map { "\($0.key): \($0.value)" }.sorted().joined(separator: "; "))
        }
        return delivery
    }
}

/// What became of a message: who has it, and who refused it with which reply.
public struct SMTPDelivery: Sendable, Hashable {
    public var accepted: [MailAddress] = []
    public var refused: [MailAddress: SMTPReply] = [:]

    public init() {}
}

/// One SMTP connection, signed in and ready for transactions; used by one task.
final class SMTPSession {
    let server: MailServer
    private(set) var extensions = SMTPExtensions()
    private let stream: MailStream<SMTPReply>

    private init(stream: MailStream<SMTPReply>) {
        server = stream.server
        self.stream = stream
    }

    static func withSession<Result>(server: MailServer, options: MailConnectionOptions,
                                    _ body: (SMTPSession) async throws(MailError) -> Result) async throws(MailError) -> Result {
        do {
            return try await MailStream<SMTPReply>.withStream(to: server, options: options, decoder: { SMTPReplyDecoder() }) { stream in
                let session = SMTPSession(stream: stream)
                try await session.open(options)
                let result = try await body(session)
                _ = try? await session.exchange(.quit)
                return result
            }
        } catch {
            throw MailChannel.error(error, server: server, command: nil)
        }
    }

    /// Greeting, EHLO, STARTTLS and EHLO again, AUTH.
    private func open(_ options: MailConnectionOptions) async throws(MailError) {
        try expect(try await receive(command: "greeting"), .positiveCompletion, command: "greeting")
        let name = stream.channel.localAddress?.ipAddress.flatMap(SMTPClientName.literal(ipAddress:)) ?? SMTPClientName("localhost")!
        try await hello(name)
        if server.security == .startTLS {
            if extensions.startTLS {
                try expect(try await exchange(.startTLS), .positiveCompletion, command: "STARTTLS")
                try await MailChannel.startTLS(on: stream.channel, server: server, options: options)
                try await stream.awaitTLS(command: "STARTTLS")
                try await hello(name)
            } else if !options.allowsCredentialsInTheClear {
                throw MailError(.tlsUnavailable, server: server.description, detail: "the server does not offer STARTTLS")
            }
        }
        try await authenticate(user: options.user, password: options.password)
    }

    private func hello(_ name: SMTPClientName) async throws(MailError) {
        let reply = try await exchange(.ehlo(name))
        if reply.kind == .positiveCompletion {
            extensions = SMTPExtensions(ehloReply: reply)
        } else {
            try expect(try await exchange(.helo(name)), .positiveCompletion, command: "HELO")
            extensions = SMTPExtensions()
        }
    }

    /// AUTH PLAIN (RFC 4616) where offered, else AUTH LOGIN; a server offering neither is
    /// used without signing in (a relay that trusts the network).
    private func authenticate(user: String, password: String) async throws(MailError) {
        let mechanisms = extensions.authMechanisms
        let outcome: SMTPReply
        if mechanisms.contains("PLAIN") {
            outcome = try await exchange(.authPlain(initialResponse: Self.base64([0] + Array(user.utf8) + [0] + Array(password.utf8))))
        } else if mechanisms.contains("LOGIN") {
            try expect(try await exchange(.authLogin), .positiveIntermediate, command: "AUTH")
            try expect(try await exchange(.saslResponse(Self.base64(Array(user.utf8)))), .positiveIntermediate, command: "AUTH")
            outcome = try await exchange(.saslResponse(Self.base64(Array(password.utf8))))
        } else {
            return
        }
        guard outcome.kind == .positiveCompletion else {
            throw MailError(outcome.kind == .transientNegative ? .transient : .authentication, server: server.description,
                            command: "AUTH", detail: outcome.description)
        }
    }

    struct Outcome {
        var accepted: [MailAddress] = []
        var refused: [MailAddress: SMTPReply] = [:]
        var deferred: [MailAddress: SMTPReply] = [:]
    }

    /// One MAIL, RCPT…, DATA transaction, pipelined where the server offers PIPELINING.
    func transaction(_ message: [UInt8], from sender: MailAddress, to recipients: [MailAddress]) async throws(MailError) -> Outcome {
        if let maximum = extensions.maximumSize, message.count > maximum {
            throw MailError(.messageTooLarge, server: server.description, command: "MAIL",
                            detail: "\(message.count) bytes; the server takes at most \(maximum)")
        }
        let eightBit = SMTPMessageData.isEightBit(message)
        if eightBit, !extensions.eightBitMIME {
            throw MailError(.unsupported, server: server.description, command: "MAIL", detail: "8-bit content and no 8BITMIME")
        }
        let international = ([sender] + recipients).contains { $0.address.utf8.contains { $0 >= 0x80 } }
        if international, !extensions.smtpUTF8 {
            throw MailError(.unsupported, server: server.description, command: "MAIL", detail: "an internationalised address and no SMTPUTF8")
        }
        let mail = SMTPCommand.mailFrom(sender, size: extensions.maximumSize != nil || extensions.offers("SIZE") ? message.count : nil,
                                        eightBit: eightBit, smtpUTF8: international)
        var outcome = Outcome()
        let replies: [SMTPReply]
        if extensions.pipelining {
            let commands = [mail] + recipients.map(SMTPCommand.rcptTo) + [.data]
            try await stream.send(commands.flatMap(\.bytes), command: "MAIL")
            var received: [SMTPReply] = []
            for command in commands { received.append(try await receive(command: command.verb)) }
            replies = received
        } else {
            var received = [try await exchange(mail)]
            if received[0].kind == .positiveCompletion {
                for recipient in recipients { received.append(try await exchange(.rcptTo(recipient))) }
                if received.dropFirst().contains(where: { $0.kind == .positiveCompletion }) { received.append(try await exchange(.data)) }
            }
            replies = received
        }
        let mailReply = replies[0]
        guard mailReply.kind == .positiveCompletion else {
            _ = try? await exchange(.rset)
            throw MailError(mailReply.kind == .transientNegative ? .transient : .commandFailed, server: server.description,
                            command: "MAIL", detail: mailReply.description)
        }
        for (recipient, reply) in zip(recipients, replies.dropFirst()) {
            switch reply.kind {
            case .positiveCompletion: outcome.accepted.append(recipient)
            case .transientNegative: outcome.deferred[recipient] = reply
            default: outcome.refused[recipient] = reply
            }
        }
        let dataReply = replies.count == recipients.count + 2 ? replies[recipients.count + 1] : nil
        guard !outcome.accepted.isEmpty, let dataReply, dataReply.kind == .positiveIntermediate else {
            if dataReply?.kind == .positiveIntermediate {
                // The server said go on to DATA although nobody was accepted: end it empty.
                try await stream.send(SMTPMessageData.encode([]), command: "DATA")
                _ = try await receive(command: "DATA")
            }
            _ = try? await exchange(.rset)
            if let dataReply, dataReply.kind == .transientNegative, !outcome.accepted.isEmpty {
                throw MailError(.transient, server: server.description, command: "DATA", detail: dataReply.description)
            }
            return Outcome(accepted: [], refused: outcome.refused, deferred: outcome.deferred)
        }
        try await stream.send(SMTPMessageData.encode(message), command: "DATA")
        let final = try await receive(command: "DATA")
        switch final.kind {
        case .positiveCompletion: return outcome
        case .transientNegative: throw MailError(.transient, server: server.description, command: "DATA", detail: final.description)
        default: throw MailError(.commandFailed, server: server.description, command: "DATA", detail: final.description)
        }
    }

    // MARK: I/O

    func exchange(_ command: SMTPCommand) async throws(MailError) -> SMTPReply {
        try await stream.send(command.bytes, command: command.verb)
        return try await receive(command: command.verb)
    }

    private func receive(command: String) async throws(MailError) -> SMTPReply {
        let reply = try await stream.receive(command: command)
        if reply.code == 421 {
            throw MailError(.transient, server: server.description, command: command, detail: reply.description)
        }
        return reply
    }

    private func expect(_ reply: SMTPReply, _ kind: SMTPReply.Kind, command: String) throws(MailError) {
        guard reply.kind != kind else { return }
        throw MailError(reply.kind == .transientNegative ? .transient : .commandFailed, server: server.description,
                        command: command, detail: reply.description)
    }

    private static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
}
