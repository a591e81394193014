import Accounts
import Crypto
import Foundation
import HTTPTransport
import IMAP
import MIME
import SwitchboardCore
import SwitchboardStore
import SwitchboardTestSupport
import Testing

/// The mail use cases over the store and the mail peer (Dovecot and its relay).
@Suite struct MailServiceTests {
    private func withService(tenantPolicy: NetworkPolicy = NetworkPolicy(),
                             _ body: (MailService, any AppStore, MailPeer) async throws -> Void) async throws {
        let peer = try await MailPeer.shared()
        try await StoreDriver.sqlite.withStore(isolated: true) { store in
            let service = MailService(store: store, accounts: MailAccounts(secrets: try SecretBox(key: .init(size: .bits256)), tenantPolicy: tenantPolicy))
            do {
                try await body(service, store, peer)
            } catch {
                await service.shutdown()
                throw error
            }
            await service.shutdown()
        }
    }

    private func connection(_ peer: MailPeer, name: String, user: String = "anna@example.test", password: String = "secret",
                            tenantID: String? = nil) throws -> MailAccountConnection {
        MailAccountConnection(name: name, imapURL: peer.imapsURL, smtpURL: peer.smtpURL, username: user, password: password,
                              trustedCertificatesPEM: try String(contentsOfFile: peer.caFile, encoding: .utf8), tenantID: tenantID)
    }

    @Test func anAccountIsKeptOnlyWhenBothServersSignItIn() async throws {
        try await withService { service, store, peer in
            let refused = await #expect(throws: MailServiceError.self) {
                try await service.connect(try connection(peer, name: "wrong", password: "nope"))
            }
            #expect(refused?.description.contains("authentication") == true)
            #expect(try await store.mailAccounts().isEmpty)

            let account = try await service.connect(try connection(peer, name: "anna"))
            #expect(account.address == "anna@example.test" && account.sealedPassword != Array("secret".utf8))
            #expect(try await service.accounts(tenantID: nil).map(\.name) == ["anna"])
            let taken = await #expect(throws: MailServiceError.self) { try await service.connect(try connection(peer, name: "anna")) }
            #expect(taken?.description.contains("nameTaken") == true)
            try await service.forget(account)
            #expect(try await service.accounts(tenantID: nil).isEmpty)
        }
    }

    @Test func aTenantsMailServerIsHeldToTheTenantPolicy() async throws {
        try await withService { service, store, peer in
            let tenant = TenantRecord(name: Fixtures.unique("clinic"))
            try await store.saveTenant(tenant)
            let error = await #expect(throws: MailServiceError.self) {
                try await service.connect(try connection(peer, name: "clinic", tenantID: tenant.id))
            }
            #expect(error?.description.contains("destination-refused") == true)
        }
    }

    @Test func sendListReadDownloadFlagThreadAndMove() async throws {
        try await withService { service, _, peer in
            let account = try await service.connect(try connection(peer, name: "anna"))
            let token = UUID().uuidString.prefix(8).lowercased()
            let anna = try #require(MailAddress("anna@example.test"))
            let report = Array("Befund: alles gut. ✓\n".utf8)
            let sent = try await service.send(account, OutgoingMail(
                to: [anna], subject: "Befund \(token) – Übersicht", text: "Hallo Anna,\nanbei der Befund.\n",
                html: "<p>Hallo Anna,</p><p>anbei der <b>Befund</b>.</p>",
                attachments: [Attachment(filename: "Befund \(token).txt", mediaType: "text/plain", data: report)], fromName: "Praxis Süd"))
            #expect(sent.accepted == ["anna@example.test"] && sent.refused.isEmpty)
            #expect(sent.savedIn == "Sent")

            var page: MessagePage?
            for _ in 0..<100 {
                page = try await service.messages(account, folder: "INBOX", search: String(token))
                if page?.messages.isEmpty == false { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let summary = try #require(page?.messages.first)
            #expect(summary.subject == "Befund \(token) – Übersicht")
            #expect(summary.from.first?.contains("Praxis Süd") == true)
            #expect(summary.attachments.map(\.filename) == ["Befund \(token).txt"])

            let message = try await service.message(account, folder: "INBOX", uid: summary.uid)
            #expect(message.text?.contains("anbei der Befund") == true)
            #expect(message.html?.contains("<b>Befund</b>") == true)
            #expect(message.problems.isEmpty)
            let attachment = try #require(message.parts.first { $0.isAttachment })
            let downloaded = try await service.part(account, folder: "INBOX", uid: summary.uid, section: attachment.section)
            #expect(downloaded.bytes == report && downloaded.filename == "Befund \(token).txt")
            await #expect(throws: MailServiceError.self) {
                try await service.part(account, folder: "INBOX", uid: summary.uid, section: "9.9")
            }

            let reply = try await service.send(account, OutgoingMail(to: [anna], subject: "Re: Befund \(token) – Übersicht", text: "Danke",
                                                                     inReplyTo: [String(sent.messageID)]))
            var conversation: [MessageSummary] = []
            for _ in 0..<100 {
                conversation = try await service.thread(account, folder: "INBOX", uid: summary.uid)
                if conversation.count == 2 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(conversation.map(\.messageID) == ["<\(sent.messageID)>", "<\(reply.messageID)>"])

            let flags = try await service.setFlags(account, folder: "INBOX", uid: summary.uid, add: ["\\Flagged", "$Important"], remove: ["\\Seen"])
            #expect(flags.contains("\\Flagged") && flags.contains("$Important") && !flags.contains("\\Seen"))
            await #expect(throws: MailServiceError.self) {
                try await service.setFlags(account, folder: "INBOX", uid: summary.uid, add: ["bad flag)"], remove: [])
            }

            try await service.move(account, folder: "INBOX", uids: [summary.uid], to: "Archive")
            #expect(try await service.messages(account, folder: "Archive", search: String(token)).messages.count == 1)
            let sentCopies = try await service.messages(account, folder: "Sent", search: String(token))
            #expect(sentCopies.messages.count == 2)
            #expect(try await service.folders(account).contains { $0.name == "Archive" && $0.specialUse == "archive" })
        }
    }

    @Test func pagesGoBackwardsByCursor() async throws {
        try await withService { service, _, peer in
            let account = try await service.connect(try connection(peer, name: "bob", user: "bob@example.test"))
            let token = UUID().uuidString.prefix(8).lowercased()
            let bob = try #require(MailAddress("bob@example.test"))
            for index in 0..<5 {
                _ = try await service.send(account, OutgoingMail(to: [bob], subject: "page \(token) \(index)", text: "\(index)"), saveToSent: false)
            }
            var all: [MessageSummary] = []
            for _ in 0..<100 {
                all = try await service.messages(account, folder: "INBOX", search: "page \(token)", limit: 50).messages
                if all.count == 5 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(all.count == 5)
            var seen: [UInt32] = []
            var cursor: UInt32?
            repeat {
                let page = try await service.messages(account, folder: "INBOX", search: "page \(token)", before: cursor, limit: 2)
                seen += page.messages.map(\.uid)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen == all.map(\.uid))
            #expect(seen == seen.sorted(by: >))
        }
    }

    @Test func changesSinceACheckpointAreNewMessagesChangedFlagsAndExpungedUIDs() async throws {
        try await withService { service, _, peer in
            let account = try await service.connect(try connection(peer, name: "bob", user: "bob@example.test"))
            let token = UUID().uuidString.prefix(8).lowercased()
            let bob = try #require(MailAddress("bob@example.test"))
            let start = try await service.changes(account, folder: "INBOX", since: nil)
            #expect(start.reset && start.messages.isEmpty && start.checkpoint.modSeq > 0)

            for index in 0..<2 {
                _ = try await service.send(account, OutgoingMail(to: [bob], subject: "changes \(token) \(index)", text: "\(index)"), saveToSent: false)
            }
            var mine: [MessageSummary] = []
            var latest = start
            for _ in 0..<100 where mine.count < 2 {
                latest = try await service.changes(account, folder: "INBOX", since: start.checkpoint)
                mine = latest.messages.filter { $0.subject?.hasPrefix("changes \(token)") == true }
                if mine.count < 2 { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(!latest.reset && mine.count == 2 && latest.vanished != nil)

            // One message flagged, the other moved away (expunged here).
            _ = try await service.setFlags(account, folder: "INBOX", uid: mine[0].uid, add: ["\\Flagged"], remove: [])
            try await service.move(account, folder: "INBOX", uids: [mine[1].uid], to: "Archive")
            let after = try await service.changes(account, folder: "INBOX", since: latest.checkpoint)
            #expect(after.messages.first { $0.uid == mine[0].uid }?.flags.contains("\\Flagged") == true)
            #expect(!after.messages.contains { $0.uid == mine[1].uid })
            let vanished = try #require(after.vanished.flatMap(SequenceSet.init))
            #expect(vanished.contains(mine[1].uid) && !vanished.contains(mine[0].uid))
            #expect(after.checkpoint.modSeq > latest.checkpoint.modSeq)

            // Nothing since: nothing reported. Another UIDVALIDITY: start again.
            let quiet = try await service.changes(account, folder: "INBOX", since: after.checkpoint)
            #expect(!quiet.messages.contains { $0.subject?.hasPrefix("changes \(token)") == true })
            var renumbered = after.checkpoint
            renumbered.uidValidity &+= 1
            #expect(try await service.changes(account, folder: "INBOX", since: renumbered).reset)
            #expect(MailCheckpoint(token: after.checkpoint.token) == after.checkpoint && MailCheckpoint(token: "v1.1.2") == nil)
        }
    }
}
