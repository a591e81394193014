import Foundation
import HTTPTransport
import IMAP
import MailClient
import Synchronization
import SwitchboardTestSupport
import Testing

@Suite struct ConnectionPoolTests {
    @Test func connectionsAreReusedAndBounded() async throws {
        let peer = try await MailPeer.shared()
        let pool = IMAPConnectionPool(server: try MailIntegrationTests.imap(peer.imapsURL), options: MailIntegrationTests.options(peer), maxConnections: 2)
        for _ in 0..<5 {
            let folder = try await pool.withConnection { connection in try await connection.select(.inbox, readOnly: true) }
            #expect(folder.uidValidity != nil)
        }
        #expect(await pool.openConnections == 1)

        let busiest = Busiest()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await pool.withConnection { connection in
                        busiest.enter()
                        _ = try await connection.folders()
                        busiest.leave()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(busiest.most <= 2)
        #expect(await pool.openConnections <= 2)

        // A command the server refuses leaves the connection usable.
        await #expect(throws: MailError.self) {
            try await pool.withConnection { connection in try await connection.select(MailboxName("No such folder \(UUID())")) }
        }
        let count = try await pool.withConnection { connection in
            try await connection.select(.inbox, readOnly: true)
            return try await connection.search(.all).count
        }
        let open = await pool.openConnections
        #expect(count >= 0 && open <= 2)
        await pool.close()
        #expect(await pool.openConnections == 0)
    }

    @Test func anUnusedConnectionIsClosed() async throws {
        let peer = try await MailPeer.shared()
        let pool = IMAPConnectionPool(server: try MailIntegrationTests.imap(peer.imapsURL), options: MailIntegrationTests.options(peer),
                                      idleTimeout: .milliseconds(200))
        _ = try await pool.withConnection { try await $0.folders() }
        #expect(await pool.openConnections == 1)
        for _ in 0..<50 {
            guard await pool.openConnections > 0 else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(await pool.openConnections == 0)
        _ = try await pool.withConnection { try await $0.folders() }
        await pool.close()
    }

    @Test func aBrokenConnectionIsReplaced() async throws {
        // Each connection signs in, answers one search, then drops on the next command.
        let server = try await ScriptedServer.start(greeting: HostileServerTests.greeting,
                                                    replies: [Array(HostileServerTests.signedIn.utf8), Array("* SEARCH 1\r\nA2 OK done\r\n".utf8), []],
                                                    closeAfterLast: true)
        defer { server.stop() }
        let pool = IMAPConnectionPool(server: server.imapServer, options: HostileServerTests.options())
        #expect(try await pool.withConnection { try await $0.search(.all) } == [1])
        let dropped = await #expect(throws: MailError.self) { try await pool.withConnection { try await $0.search(.all) } }
        #expect(dropped?.code == .connectionClosed)
        #expect(await pool.openConnections == 0)
        #expect(try await pool.withConnection { try await $0.search(.all) } == [1])
        await pool.close()
    }
}

/// The most bodies that ran at once.
private final class Busiest: Sendable {
    private let counts = Mutex((now: 0, most: 0))
    var most: Int { counts.withLock { $0.most } }
    func enter() { counts.withLock { $0.now += 1; $0.most = max($0.most, $0.now) } }
    func leave() { counts.withLock { $0.now -= 1 } }
}
