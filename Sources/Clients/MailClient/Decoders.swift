import IMAP
import SMTP
import NIOCore
import NIOTLS

/// A pure incremental decoder of one protocol's server messages: bytes appended as they
/// come, whole messages taken out (IMAP's ``ResponseDecoder``, SMTP's ``SMTPReplyDecoder``).
protocol IncrementalMailDecoder: Sendable {
    associatedtype Message: Sendable
    associatedtype Failure: Error
    mutating func append(_ bytes: some Sequence<UInt8>)
    mutating func next() throws(Failure) -> Message?
    /// Bytes received but not yet part of a whole message.
    var bufferedByteCount: Int { get }
}

extension ResponseDecoder: IncrementalMailDecoder {}
extension SMTPReplyDecoder: IncrementalMailDecoder {}

/// What ``MailChannel/startTLS(on:server:options:)`` asks the decoding handler, whatever
/// protocol it decodes: whether the server has sent bytes that are not yet a whole message.
protocol ClearTextBuffering: AnyObject {
    var bufferedByteCount: Int { get }
}

/// The NIO adapter around a pure decoder: bytes in, its messages out as channel reads. After
/// a decoding error it reads nothing more; the error goes down the pipeline.
final class MailDecodingHandler<Decoder: IncrementalMailDecoder>: ChannelInboundHandler, ClearTextBuffering {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = MailChannelEvent<Decoder.Message>

    private var decoder: Decoder
    private var failed = false

    init(_ decoder: Decoder) {
        self.decoder = decoder
    }

    var bufferedByteCount: Int { decoder.bufferedByteCount }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        let buffer = unwrapInboundIn(data)
        buffer.withUnsafeReadableBytes { decoder.append($0) }
        do {
            while let message = try decoder.next() {
                context.fireChannelRead(wrapInboundOut(.message(message)))
            }
        } catch {
            failed = true
            context.fireErrorCaught(error)
        }
    }
}

/// What a mail connection reads: the server's messages, and the moment TLS is established.
/// After STARTTLS the client must see ``tlsEstablished`` before any message: one that comes
/// first was sent in the clear after the server agreed to TLS (an injection), and is refused.
enum MailChannelEvent<Message: Sendable>: Sendable {
    case message(Message)
    case tlsEstablished
}

/// Turns NIOSSL's handshake-completed event into a ``MailChannelEvent/tlsEstablished`` read.
final class TLSEstablishedHandler<Message: Sendable>: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = MailChannelEvent<Message>
    typealias InboundOut = MailChannelEvent<Message>

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent {
            context.fireChannelRead(wrapInboundOut(.tlsEstablished))
            // NIOSSL may report the handshake outside a read cycle; the async channel hands
            // reads on at read-complete.
            context.fireChannelReadComplete()
        }
        context.fireUserInboundEventTriggered(event)
    }
}
