import Foundation
import HTTPTransport
import IMAP
@testable import MailClient
import MIME
import SMTP
import SwitchboardTestSupport
import Testing

/// The IMAP and SMTP clients against Dovecot and a submission server relaying into it
/// (scripts/peers/mail), over TLS and STARTTLS.
@Suite struct MailIntegrationTests {
    static let loopback = NetworkPolicy(allowing: [IPRange("127.0.0.0/8")!])

    static func options(_ peer: MailPeer, user: String = "anna@example.test", password: String = "secret") -> MailConnectionOptions {
        MailConnectionOptions(user: user, password: password, trustedCertificatesPEM: try? String(contentsOfFile: peer.caFile, encoding: .utf8),
                              networkPolicy: loopback)
    }

    static func imap(_ url: URL) throws -> MailServer { try #require(MailServer(url: url, kind: .imap)) }
    static func smtp(_ url: URL) throws -> MailServer { try #require(MailServer(url: url, kind: .smtp)) }

    /// Waits (the relay delivers asynchronously) until `criteria` finds messages.
    static func awaitMessages(_ connection: IMAPConnection, in folder: MailboxName, _ criteria: SearchCriteria) async throws -> [UInt32] {
        for _ in 0..<100 {
            try await connection.select(folder)
            let found = try await connection.search(criteria)
            if !found.isEmpty { return found }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("no message matching \(criteria) arrived")
        return []
    }

    @Test func sentMessageIsFoundFetchedThreadedFlaggedAndMoved() async throws {
        let peer = try await MailPeer.shared()
        let token = UUID().uuidString.prefix(8)
        let anna = try #require(MailAddress("anna@example.test"))
        let pdf = Array("%PDF-1.4 fake but binary \u{00}\u{01}\u{FF}".utf8) + (0..<2000).map { UInt8($0 % 256) }
        let notes = Array("Zeile 1\nZeile 2 – mit Umlauten: äöü\n".utf8)
        let draft = MessageDraft(
            from: Mailbox(anna, name: "Anna Ärztin"), to: [Mailbox(anna)], subject: "Grüße zum Termin ✓ \(token)",
            date: Date(), messageID: "\(token)@switchboard.test", text: "Hallo,\nanbei zwei Dateien.\n",
            attachments: [Attachment(filename: "Befund März.pdf", mediaType: "application/pdf", data: pdf),
                          Attachment(filename: "notizen.txt", mediaType: "text/plain", data: notes)])
        let sender = SMTPClient(server: try Self.smtp(peer.smtpURL), options: Self.options(peer))
        let delivery = try await sender.send(MessageWriter().write(draft), from: anna, to: [anna])
        #expect(delivery.accepted == [anna] && delivery.refused.isEmpty)

        try await IMAPConnection.withConnection(to: try Self.imap(peer.imapsURL), options: Self.options(peer)) { connection in
            let uids = try await Self.awaitMessages(connection, in: .inbox, .subject("Termin ✓ \(token)"))
            let uid = try #require(uids.first)
            #expect(uids.count == 1)
            let folder = try #require(connection.selectedFolder)
            #expect(folder.uidValidity != nil && (folder.uidNext ?? 0) > uid)

            let fetched = try await connection.fetch(SequenceSet([uid]), [.envelope, .flags, .bodyStructure, .bodyPeek(section: "", partial: nil)])
            let message = try #require(fetched.first)
            #expect(message.envelope?.messageID == "<\(token)@switchboard.test>")
            #expect(message.flags?.contains(.seen) == false)
            let structure = try #require(message.bodyStructure)
            #expect(structure.leaves.compactMap(\.part.fileName).sorted() == ["Befund März.pdf", "notizen.txt"])
            let parsed = try MIMEParser().parse(try #require(message.section("")))
            #expect(parsed.subject == "Grüße zum Termin ✓ \(token)")
            #expect(parsed.attachments.map(\.decodedBody) == [pdf, notes])

            // A part alone, and a partial range of it, by its section number.
            let pdfSection = try #require(structure.leaves.first { $0.part.fileName == "Befund März.pdf" }?.section)
            let partial = try await connection.fetch(SequenceSet([uid]), [.bodyPeek(section: pdfSection, partial: 0...9)])
            #expect(partial.first?.sections.first?.bytes?.count == 10)

            // A reply threads with it, on the server (THREAD=REFERENCES) and here alike.
            let reply = MessageDraft(from: Mailbox(anna), to: [Mailbox(anna)], subject: "Re: Grüße zum Termin ✓ \(token)", date: Date(),
                                     messageID: "re-\(token)@switchboard.test", inReplyTo: ["\(token)@switchboard.test"], text: "Danke!")
            let replyUID = try await connection.append(MessageWriter().write(reply), to: .inbox)
            try await connection.select(.inbox)
            let criteria = SearchCriteria.subject(String(token))
            let serverThreads = try await connection.threads(criteria)
            let clientThreads = try await connection.clientSideThreads(criteria)
            let replied = try #require(replyUID)
            #expect(serverThreads.count == 1 && Set(serverThreads[0].uids) == Set([uid, replied]))
            #expect(clientThreads == serverThreads)

            // Flags round-trip.
            let flagged = try await connection.store(SequenceSet([uid]), .add, [.flagged, .seen])
            #expect(Set(flagged[uid] ?? []).isSuperset(of: [.flagged, .seen]))
            let unflagged = try await connection.store(SequenceSet([uid]), .remove, [.flagged])
            #expect(unflagged[uid]?.contains(.flagged) == false)

            // MOVE to the archive folder, found by its special use.
            let archive = try #require(try await connection.folders().first { $0.specialUse == .archive }?.name)
            try await connection.move(SequenceSet([uid]), to: archive)
            #expect(try await connection.search(.uid(SequenceSet([uid]))).isEmpty)
            try await connection.select(archive, readOnly: true)
            #expect(try await connection.search(criteria).count == 1)
        }
    }

    @Test func startTLSSignsInAndListsSpecialUseFolders() async throws {
        let peer = try await MailPeer.shared()
        try await IMAPConnection.withConnection(to: try Self.imap(peer.imapURL), options: Self.options(peer, user: "bob@example.test")) { connection in
            #expect(connection.capabilities.contains(.idle))
            let folders = try await connection.folders()
            let uses = Set(folders.compactMap(\.specialUse))
            #expect(uses.isSuperset(of: [.sent, .drafts, .trash, .archive]))
            #expect(folders.contains { $0.name == .inbox })
            let name = MailboxName("Projekte/Übersicht \(UUID().uuidString.prefix(4))")
            try await connection.createFolder(name)
            #expect(try await connection.folders().contains { $0.name == name && $0.separator == "/" })
        }
        let smtpExtensions = try await SMTPClient(server: try Self.smtp(peer.smtpURL), options: Self.options(peer)).verify()
        #expect(smtpExtensions.authMechanisms.contains("PLAIN"))
        _ = try await SMTPClient(server: try Self.smtp(peer.smtpsURL), options: Self.options(peer)).verify()
    }

    @Test func wrongPasswordIsAnAuthenticationError() async throws {
        let peer = try await MailPeer.shared()
        let error = await #expect(throws: MailError.self) {
            try await IMAPConnection.withConnection(to: try Self.imap(peer.imapsURL), options: Self.options(peer, password: "wrong")) { _ in }
        }
        #expect(error?.code == .authentication)
        #expect(error?.description.contains("wrong") == false)
        let smtpError = await #expect(throws: MailError.self) {
            try await SMTPClient(server: try Self.smtp(peer.smtpURL), options: Self.options(peer, password: "wrong")).verify()
        }
        #expect(smtpError?.code == .authentication)
    }

    @Test func untrustedCertificateAndRefusedDestinationsAreTypedErrors() async throws {
        let peer = try await MailPeer.shared()
        var untrusted = Self.options(peer)
        untrusted.trustedCertificatesPEM = nil
        let tlsError = await #expect(throws: MailError.self) {
            try await IMAPConnection.withConnection(to: try Self.imap(peer.imapsURL), options: untrusted) { _ in }
        }
        #expect(tlsError?.code == .tls)
        var defaultPolicy = Self.options(peer)
        defaultPolicy.networkPolicy = NetworkPolicy()
        let refused = await #expect(throws: MailError.self) {
            try await SMTPClient(server: try Self.smtp(peer.smtpURL), options: defaultPolicy).verify()
        }
        #expect(refused?.code == .destinationRefused)
    }

    @Test func recipientsAreReportedOneByOne() async throws {
        let peer = try await MailPeer.shared()
        let anna = try #require(MailAddress("anna@example.test"))
        let outsider = try #require(MailAddress("someone@elsewhere.test"))
        let draft = MessageDraft(from: Mailbox(anna), to: [Mailbox(anna), Mailbox(outsider)], subject: "two recipients", date: Date(),
                                 messageID: "\(UUID().uuidString)@switchboard.test", text: "x")
        let delivery = try await SMTPClient(server: try Self.smtp(peer.smtpsURL), options: Self.options(peer))
            .send(MessageWriter().write(draft), from: anna, to: [anna, outsider])
        #expect(delivery.accepted == [anna])
        #expect(delivery.refused[outsider]?.kind == .permanentNegative)
        let nobody = await #expect(throws: MailError.self) {
            try await SMTPClient(server: try Self.smtp(peer.smtpsURL), options: Self.options(peer)).send(MessageWriter().write(draft), from: anna, to: [outsider])
        }
        #expect(nobody?.code == .recipientsRefused)
    }

    @Test func idleSeesANewMessage() async throws {
        let peer = try await MailPeer.shared()
        let bob = Self.options(peer, user: "bob@example.test")
        let server = try Self.imap(peer.imapsURL)
        let token = UUID().uuidString.prefix(8)
        // A folder of its own: other tests deliver to bob's inbox meanwhile.
        let folder = MailboxName("Idle \(token)")
        try await IMAPConnection.withConnection(to: server, options: bob) { watcher in
            try await watcher.createFolder(folder)
            let before = try await watcher.select(folder).messageCount
            let started = ContinuousClock.now
            let appender = Task {
                try await Task.sleep(for: .milliseconds(300))
                try await IMAPConnection.withConnection(to: server, options: bob) { writer in
                    let message = MessageDraft(from: Mailbox(MailAddress("anna@example.test")!), to: [Mailbox(MailAddress("bob@example.test")!)],
                                               subject: "idle \(token)", date: Date(), messageID: "\(token)@switchboard.test", text: "new")
                    try await writer.append(MessageWriter().write(message), to: folder)
                }
                return ContinuousClock.now
            }
            var seen: UInt32?
            try await watcher.idle(renewal: .seconds(1)) { event in
                if case .exists(let count) = event, count > before { seen = count; return false }
                return true
            }
            let appended = try await appender.value
            #expect(seen == before + 1)
            print("IDLE: a new message was seen \(ContinuousClock.now - appended) after its APPEND (\(ContinuousClock.now - started) in all)")
            // IDLE ended cleanly: the connection takes commands again.
            #expect(try await watcher.search(.subject("idle \(token)")).count == 1)
        }
    }
}
