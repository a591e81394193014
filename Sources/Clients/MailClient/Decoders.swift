import IMAP
import SMTP
import NIOCore
import NIOTLS

/// A pure incremental decoder of one protocol's server messages: bytes appended as they
/// come, whole messages taken out (IMAP's ``ResponseDecoder``, SMTP's ``SMTPReplyDecoder``).
protocol IncrementalMailDecoder {
    associatedtype Message: Sendable
    associatedtype Failure: Error
    mutating func append(_ bytes: some Sequence<UInt8>)
    mutating func next() throws(Failure) -> Message?
}

extension ResponseDecoder: IncrementalMailDecoder {}
extension SMTPReplyDecoder: IncrementalMailDecoder {}

/// The NIO adapter around a pure decoder: bytes in, its messages out as channel reads.
struct MailDecoding<Decoder: IncrementalMailDecoder>: ByteToMessageDecoder {
    typealias InboundOut = MailChannelEvent<Decoder.Message>

    private var decoder: Decoder

    init(_ decoder: Decoder) {
        self.decoder = decoder
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        buffer.withUnsafeReadableBytes { decoder.append($0) }
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        while let message = try decoder.next() {
            context.fireChannelRead(wrapInboundOut(.message(message)))
        }
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
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
