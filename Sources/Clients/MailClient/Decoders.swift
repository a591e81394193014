import IMAP
import SMTP
import NIOCore
import NIOTLS

/// The NIO adapter around the pure ``ResponseDecoder``: bytes in, ``Response`` values out.
struct IMAPResponseDecoding: ByteToMessageDecoder {
    typealias InboundOut = MailChannelEvent<Response>

    private var decoder: ResponseDecoder

    init(limits: IMAPLimits) {
        decoder = ResponseDecoder(limits: limits)
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        buffer.withUnsafeReadableBytes { decoder.append($0) }
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        while let response = try decoder.next() {
            context.fireChannelRead(wrapInboundOut(.message(response)))
        }
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}

/// The same for SMTP replies.
struct SMTPReplyDecoding: ByteToMessageDecoder {
    typealias InboundOut = MailChannelEvent<SMTPReply>

    private var decoder = SMTPReplyDecoder()

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        buffer.withUnsafeReadableBytes { decoder.append($0) }
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        while let reply = try decoder.next() {
            context.fireChannelRead(wrapInboundOut(.message(reply)))
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
