import HTTPTransport
import IMAP
import NIOCore
import NIOPosix
import NIOSSL
import SMTP

/// Opens connections for both mail clients: the host resolved and held to the network
/// policy, the connection made to the checked address, TLS (from the first byte or by
/// STARTTLS) verified against the URL's host with the system's CAs and the options' own,
/// and a read timeout while an answer is awaited.
enum MailChannel {
    /// The decoding handler's name in the pipeline, where STARTTLS finds it.
    private static let decoderName = "mail-decoder"

    /// A connection to `server`, its pipeline ending in `decoder`'s messages.
    static func connect<Decoder: IncrementalMailDecoder>(
        to server: MailServer, options: MailConnectionOptions, decoder: @escaping @Sendable () -> Decoder
    ) async throws(MailError) -> NIOAsyncChannel<MailChannelEvent<Decoder.Message>, ByteBuffer> {
        let address: IPAddress
        do {
            address = try await options.networkPolicy.checkedAddress(of: server.host, resolver: options.resolver)
        } catch {
            throw MailError(error.isRefusal ? .destinationRefused : .connection, server: server.description, detail: error.description)
        }
        let tls = server.security == .implicitTLS ? try makeTLSContext(for: server, options: options) : nil
        let readTimeout = TimeAmount(options.readTimeout)
        do {
            let socketAddress = try SocketAddress(ipAddress: address.description, port: server.port)
            return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(TimeAmount(options.connectTimeout))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(to: socketAddress) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let handlers = channel.pipeline.syncOperations
                        if let tls { try handlers.addHandler(try makeTLSHandler(tls, for: server)) }
                        try handlers.addHandler(ReadTimeoutHandler(timeout: readTimeout))
                        try handlers.addHandler(MailDecodingHandler(decoder()), name: decoderName)
                        try handlers.addHandler(TLSEstablishedHandler<Decoder.Message>())
                        return try NIOAsyncChannel<MailChannelEvent<Decoder.Message>, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch let error as MailError {
            throw error
        } catch {
            throw MailError(.connection, server: server.description, detail: String(describing: error))
        }
    }

    /// Puts TLS in front of a connection that has just been told STARTTLS is fine. Bytes
    /// the server sent after its answer and the client has read are refused as an injection
    /// (the check and the handler's insertion are one step on the event loop, so no read
    /// falls between them); bytes still unread go to TLS, which refuses them as not TLS.
    static func startTLS(on channel: any Channel, server: MailServer, options: MailConnectionOptions) async throws(MailError) {
        let context = try makeTLSContext(for: server, options: options)
        let clearTextBytes: Int
        do {
            clearTextBytes = try await channel.eventLoop.submit {
                let pipeline = channel.pipeline.syncOperations
                guard let decoding = try pipeline.context(name: decoderName).handler as? any ClearTextBuffering else {
                    preconditionFailure("a mail channel decodes with a MailDecodingHandler")
                }
                let buffered = decoding.bufferedByteCount
                if buffered == 0 {
                    try pipeline.addHandler(try makeTLSHandler(context, for: server), position: .first)
                }
                return buffered
            }.get()
        } catch {
            throw MailError(.tls, server: server.description, command: "STARTTLS", detail: String(describing: error))
        }
        guard clearTextBytes == 0 else {
            throw MailError(.protocolViolation, server: server.description, command: "STARTTLS",
                            detail: "the server sent data in the clear after agreeing to STARTTLS")
        }
    }

    /// TLS that verifies the server's certificate with the system's CAs and the options' own.
    private static func makeTLSContext(for server: MailServer, options: MailConnectionOptions) throws(MailError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        do {
            if let pem = options.trustedCertificatesPEM {
                configuration.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)))]
            }
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw MailError(.tls, server: server.description, detail: String(describing: error))
        }
    }

    /// A TLS client handler checking the certificate against the URL's host name, or against
    /// the connected address when the URL names an address.
    private static func makeTLSHandler(_ context: NIOSSLContext, for server: MailServer) throws -> NIOSSLClientHandler {
        try NIOSSLClientHandler(context: context, serverHostname: IPAddress(server.host) == nil ? server.host : nil)
    }

    /// The mail error for what a channel threw while reading or writing.
    static func error(_ error: any Error, server: MailServer, command: String?) -> MailError {
        switch error {
        case let error as MailError: error
        case is ReadTimeoutHandler.Timeout:
            MailError(.timeout, server: server.description, command: command, detail: "the server sent nothing for too long")
        case let error as ChannelError where error == .ioOnClosedChannel || error == .alreadyClosed || error == .eof:
            MailError(.connectionClosed, server: server.description, command: command, detail: "the connection is closed")
        case let error as IMAPError:
            MailError(.protocolViolation, server: server.description, command: command, detail: error.description)
        case let error as SMTPProtocolError:
            MailError(.protocolViolation, server: server.description, command: command, detail: error.description)
        case let error as NIOSSLError: MailError(.tls, server: server.description, command: command, detail: String(describing: error))
        case let error as BoringSSLError: MailError(.tls, server: server.description, command: command, detail: String(describing: error))
        case let error as NIOSSLExtraError: MailError(.tls, server: server.description, command: command, detail: String(describing: error))
        default: MailError(.connection, server: server.description, command: command, detail: String(describing: error))
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

/// Closes a connection whose server stays silent for longer than `timeout` while the client
/// waits for an answer: armed by every write, re-armed by every read, and disarmed by
/// ``Quiet`` when the client expects nothing (between commands, during IDLE).
final class ReadTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The outbound user event that disarms the timer until the next write.
    struct Quiet: Sendable {}
    /// The error the pipeline sees when the timer fires.
    struct Timeout: Error {}

    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        arm(context)
        context.write(data, promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if timer != nil { arm(context) }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is Quiet else { return context.triggerUserOutboundEvent(event, promise: promise) }
        timer?.cancel()
        timer = nil
        promise?.succeed()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    private func arm(_ context: ChannelHandlerContext) {
        timer?.cancel()
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            context.fireErrorCaught(Timeout())
            context.close(promise: nil)
        }
    }
}
