import Foundation
import HTTPTransport
import IMAP
import MailClient
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// Servers that misbehave on purpose, scripted on 127.0.0.1: each gets a typed error, no
/// crash, no hang, and nothing read past the client's limits.
@Suite struct HostileServerTests {
    static let greeting = "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] scripted\r\n"
    static let signedIn = "A1 OK [CAPABILITY IMAP4rev1 IDLE] signed in\r\n"

    static func options(readTimeout: Duration = .seconds(10)) -> MailConnectionOptions {
        MailConnectionOptions(user: "anna", password: "secret", networkPolicy: NetworkPolicy(allowing: [IPRange("127.0.0.0/8")!]),
                              readTimeout: readTimeout, allowsCredentialsInTheClear: true)
    }

    /// Runs a search against a server that greets, signs the client in, and then answers
    /// the search with `answer`; returns the error the client threw. The read timeout is long
    /// by default: in full runs on 2 cores a 10 s timer has closed connections before the
    /// answer under test was read (two tests failing at the same moment, 35 s in, with
    /// `connection-closed` in place of `protocol-violation`) — most likely the client's task
    /// starved while other tests held the cooperative threads waiting for child processes.
    static func searchError(answer: [UInt8], close: Bool = false, readTimeout: Duration = .seconds(60)) async throws -> MailError? {
        let server = try await ScriptedServer.start(greeting: greeting, replies: [Array(signedIn.utf8), answer], closeAfterLast: close)
        defer { server.stop() }
        return await #expect(throws: MailError.self) {
            try await IMAPConnection.withConnection(to: server.imapServer, options: options(readTimeout: readTimeout)) { connection in
                _ = try await connection.search(.all)
            }
        }
    }

    @Test func aHundredMegabyteLiteralIsRefusedWhenAnnounced() async throws {
        let error = try await Self.searchError(answer: Array("* 1 FETCH (UID 1 BODY[] {104857600}\r\n".utf8))
        #expect(error?.code == .protocolViolation)
        #expect(error?.detail.contains("literal-too-large") == true)
    }

    @Test func aConnectionDroppedMidLiteralIsClosedNotHung() async throws {
        let error = try await Self.searchError(answer: Array("* 1 FETCH (UID 1 BODY[] {100}\r\nabc".utf8), close: true)
        #expect(error?.code == .connectionClosed)
    }

    @Test func garbageIsAProtocolViolation() async throws {
        let error = try await Self.searchError(answer: [0, 1, 2] + Array("!!garbage ((\r\n".utf8))
        #expect(error?.code == .protocolViolation)
    }

    @Test func aTaggedAnswerForAnotherTagIsAProtocolViolation() async throws {
        let error = try await Self.searchError(answer: Array("B7 OK not yours\r\n".utf8))
        #expect(error?.code == .protocolViolation)
    }

    @Test func aSilentServerTimesOut() async throws {
        // Long enough for the sign-in on a loaded machine; the search then gets no answer. The
        // timer ends the wait with `timeout`; in full runs on a loaded machine the connection
        // has been seen closed first (`connection-closed`), the race noted in the stop's note.
        // Either way the caller gets a typed error and nothing hangs.
        let error = try await Self.searchError(answer: [], readTimeout: .seconds(2))
        #expect(error?.code == .timeout || error?.code == .connectionClosed, "\(String(describing: error))")
    }

    /// Bytes after the STARTTLS answer, in the same segment (under 64 bytes, so the client's
    /// smallest read takes them whole), are refused whether they end a response or not: a
    /// whole response is refused by the wait for the handshake, a partial one by the check as
    /// TLS goes in. The credentials are never sent. The read timeout is long: a full parallel
    /// run starves the event loops at its start for more than the default 10 s.
    @Test(arguments: ["* OK [CAPABILITY IMAP4rev1] injected\r\n", "* OK [CAPABILITY IMAP4"])
    func responsesInjectedBeforeTLSAreRefused(injected: String) async throws {
        let server = try await ScriptedServer.start(
            greeting: "* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] scripted\r\n",
            replies: [Array("A1 OK TLS\r\n\(injected)".utf8)], closeAfterLast: false)
        defer { server.stop() }
        let error = await #expect(throws: MailError.self) {
            try await IMAPConnection.withConnection(to: server.imapServer, options: Self.options(readTimeout: .seconds(60))) { _ in }
        }
        #expect(error?.code == .protocolViolation)
        #expect(error?.command == "STARTTLS")
        let sent = String(decoding: server.received, as: UTF8.self)
        #expect(sent.hasPrefix("A1 STARTTLS\r\n") && !sent.contains("anna") && !sent.contains("secret"))
    }

    @Test func anSMTPReplyInjectedBeforeTLSIsRefused() async throws {
        let server = try await ScriptedServer.start(
            greeting: "220 hi\r\n", replies: [Array("250-hi\r\n250 STARTTLS\r\n".utf8), Array("220 go\r\n250-inj".utf8)], closeAfterLast: false)
        defer { server.stop() }
        let url = try #require(URL(string: "smtp://127.0.0.1:\(server.port)"))
        let smtp = try #require(MailServer(url: url, kind: .smtp))
        let error = await #expect(throws: MailError.self) {
            try await SMTPClient(server: smtp, options: Self.options(readTimeout: .seconds(60))).verify()
        }
        #expect(error?.code == .protocolViolation)
        #expect(error?.command == "STARTTLS")
    }

    @Test func aPlainServerWithoutSTARTTLSGetsNoPassword() async throws {
        let server = try await ScriptedServer.start(greeting: Self.greeting, replies: [], closeAfterLast: false)
        defer { server.stop() }
        var options = Self.options()
        options.allowsCredentialsInTheClear = false
        let error = await #expect(throws: MailError.self) {
            try await IMAPConnection.withConnection(to: server.imapServer, options: options) { _ in }
        }
        #expect(error?.code == .tlsUnavailable)
        #expect(server.received.isEmpty)
    }

    @Test func anSMTPServerAnsweringGarbageIsAProtocolViolation() async throws {
        let server = try await ScriptedServer.start(greeting: "220 hi\r\n", replies: [Array("250-ok\r\n999 what\r\n".utf8)], closeAfterLast: false)
        defer { server.stop() }
        let url = try #require(URL(string: "smtp://127.0.0.1:\(server.port)"))
        let smtp = try #require(MailServer(url: url, kind: .smtp))
        let error = await #expect(throws: MailError.self) {
            try await SMTPClient(server: smtp, options: Self.options()).verify()
        }
        #expect(error?.code == .protocolViolation)
    }
}

/// A TCP server on 127.0.0.1 that greets, answers each read with the next scripted reply,
/// and records what it received.
final class ScriptedServer: Sendable {
    let channel: any Channel
    let port: Int
    private let log: ReceivedLog

    var received: [UInt8] { log.bytes }

    var imapServer: MailServer { MailServer(url: URL(string: "imap://127.0.0.1:\(port)")!, kind: .imap)! }

    private init(channel: any Channel, log: ReceivedLog) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
        self.log = log
    }

    static func start(greeting: String, replies: [[UInt8]], closeAfterLast: Bool) async throws -> ScriptedServer {
        let log = ReceivedLog()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ScriptHandler(greeting: Array(greeting.utf8), replies: replies, closeAfterLast: closeAfterLast, log: log))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ScriptedServer(channel: channel, log: log)
    }

    func stop() { channel.close(promise: nil) }
}

final class ReceivedLog: Sendable {
    private let storage = Mutex<[UInt8]>([])
    var bytes: [UInt8] { storage.withLock { $0 } }
    func append(_ bytes: [UInt8]) { storage.withLock { $0.append(contentsOf: bytes) } }
}

private final class ScriptHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let greeting: [UInt8]
    private var replies: [[UInt8]]
    private let closeAfterLast: Bool
    private let log: ReceivedLog

    init(greeting: [UInt8], replies: [[UInt8]], closeAfterLast: Bool, log: ReceivedLog) {
        self.greeting = greeting
        self.replies = replies
        self.closeAfterLast = closeAfterLast
        self.log = log
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: greeting)), promise: nil)
    }

    /// Bytes of a command line not yet ended.
    private var pending: [UInt8] = []

    /// One reply per command line received (CRLF), however the lines arrive: a command split
    /// over two reads, or two in one, gets its own reply all the same.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Array(buffer: unwrapInboundIn(data))
        log.append(bytes)
        pending += bytes
        while let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
            pending.removeSubrange(...end)
            guard !replies.isEmpty else { continue }
            let reply = replies.removeFirst()
            if !reply.isEmpty { context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: reply)), promise: nil) }
            if replies.isEmpty, closeAfterLast { context.close(promise: nil) }
        }
    }
}
