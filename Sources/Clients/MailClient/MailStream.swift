import NIOCore

/// One mail connection's two directions for the one task that uses it: messages (IMAP
/// responses or SMTP replies) in, bytes out, and the STARTTLS check both protocols share.
final class MailStream<Message: Sendable> {
    let server: MailServer
    let channel: any Channel
    private var inbound: NIOAsyncChannelInboundStream<MailChannelEvent<Message>>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    private init(server: MailServer, channel: any Channel, inbound: NIOAsyncChannelInboundStream<MailChannelEvent<Message>>.AsyncIterator,
                 outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.server = server
        self.channel = channel
        self.inbound = inbound
        self.outbound = outbound
    }

    /// Connects (``MailChannel/connect(to:options:decoder:)``), runs `body` with the stream,
    /// and closes the connection whatever happens.
    static func withStream<Decoder: IncrementalMailDecoder, Result>(
        to server: MailServer, options: MailConnectionOptions, decoder: @escaping @Sendable () -> Decoder,
        _ body: (MailStream<Message>) async throws -> Result
    ) async throws -> Result where Decoder.Message == Message {
        let channel: NIOAsyncChannel<MailChannelEvent<Message>, ByteBuffer> = try await MailChannel.connect(to: server, options: options, decoder: decoder)
        return try await channel.executeThenClose { inbound, outbound in
            try await body(MailStream(server: server, channel: channel.channel, inbound: inbound.makeAsyncIterator(), outbound: outbound))
        }
    }

    func send(_ bytes: [UInt8], command: String?) async throws(MailError) {
        do {
            try await outbound.write(ByteBuffer(bytes: bytes))
        } catch {
            throw MailChannel.error(error, server: server, command: command)
        }
    }

    /// The next message from the server.
    func receive(command: String?) async throws(MailError) -> Message {
        while true {
            switch try await next(command: command) {
            case .message(let message): return message
            case .tlsEstablished: continue
            }
        }
    }

    /// Waits for the TLS handshake after STARTTLS; a message that comes first was sent in
    /// the clear after the server agreed to TLS, and is refused (STARTTLS injection).
    func awaitTLS(command: String) async throws(MailError) {
        guard case .tlsEstablished = try await next(command: command) else {
            throw MailError(.protocolViolation, server: server.description, command: command,
                            detail: "the server sent data in the clear after agreeing to STARTTLS")
        }
    }

    /// Tells the read timeout that no answer is awaited until the next write.
    func expectNothing() {
        channel.triggerUserOutboundEvent(ReadTimeoutHandler.Quiet(), promise: nil)
    }

    private func next(command: String?) async throws(MailError) -> MailChannelEvent<Message> {
        let event: MailChannelEvent<Message>?
        do {
            event = try await inbound.next()
        } catch {
            throw MailChannel.error(error, server: server, command: command)
        }
        guard let event else {
            throw MailError(.connectionClosed, server: server.description, command: command, detail: "the server closed the connection")
        }
        return event
    }
}
