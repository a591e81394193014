import Foundation
import SwitchboardTestSupport
import Testing

/// `switchboard mail …` as a user runs it, against the mail peer.
@Suite struct MailCommandTests {
    @Test func addSendListReadSaveAndRemove() async throws {
        let peer = try await MailPeer.shared()
        let cli = try CommandLineHome()
        defer { cli.remove() }
        try cli.run(["mail", "account", "add", "anna", "--imap", peer.imapURL.absoluteString, "--smtp", peer.smtpsURL.absoluteString,
                     "--user", "anna@example.test", "--password-file", cli.password, "--ca-file", peer.caFile])
        let listed = try cli.run(["mail", "account", "list", "--json"]).stdout
        #expect(listed.contains("\"address\" : \"anna@example.test\"") && !listed.contains("secret"))

        let start = try cli.run(["mail", "changes", "--account", "anna"]).stdout
        let checkpoint = try #require(start.split(separator: "\n").last { $0.hasPrefix("checkpoint: ") }).dropFirst("checkpoint: ".count)
        #expect(start.contains("start"))

        let token = UUID().uuidString.prefix(8).lowercased()
        let attachment = cli.home.appendingPathComponent("Notiz \(token).txt")
        try Data("Zeile eins\nZeile zwei\n".utf8).write(to: attachment)
        let sent = try cli.run(["mail", "send", "--account", "anna", "--to", "anna@example.test", "--subject", "CLI \(token) ✓",
                                "--body", "Hallo aus der Kommandozeile", "--attach", attachment.path]).stdout
        #expect(sent.contains("sent <") && sent.contains("kept in Sent"))

        var line = ""
        for _ in 0..<100 {
            line = try cli.run(["mail", "list", "--account", "anna", "--search", String(token)]).stdout
            if !line.isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(line.contains("CLI \(token) ✓") && line.contains("anna@example.test"))
        let uid = try #require(line.split(separator: "\t").first.map(String.init))

        let changes = try cli.run(["mail", "changes", "--account", "anna", "--since", String(checkpoint)]).stdout
        #expect(changes.contains("\(uid)\t") && changes.contains("CLI \(token) ✓") && !changes.contains("reset"))
        #expect(try cli.attempt(["mail", "changes", "--account", "anna", "--since", "yesterday"]).status != 0)

        let parts = cli.home.appendingPathComponent("parts")
        let read = try cli.run(["mail", "read", "--account", "anna", uid, "--save-parts", parts.path]).stdout
        #expect(read.contains("Subject: CLI \(token) ✓") && read.contains("Hallo aus der Kommandozeile"))
        let saved = try Data(contentsOf: parts.appendingPathComponent("Notiz \(token).txt"))
        #expect(String(decoding: saved, as: UTF8.self) == "Zeile eins\nZeile zwei\n")

        let folders = try cli.run(["mail", "folders", "--account", "anna"]).stdout
        #expect(folders.contains("Sent  (sent)"))

        let unknown = try cli.attempt(["mail", "list", "--account", "nobody"])
        #expect(unknown.status == 1 && unknown.stderr.contains("no mail account nobody"))
        try cli.run(["mail", "account", "remove", "anna"])
        #expect(try cli.run(["mail", "account", "list"]).stdout.isEmpty)
    }

    @Test func watchPrintsALineForEachNewMessage() async throws {
        let peer = try await MailPeer.shared()
        let cli = try CommandLineHome()
        defer { cli.remove() }
        try cli.run(["mail", "account", "add", "bob", "--imap", peer.imapsURL.absoluteString, "--smtp", peer.smtpsURL.absoluteString,
                     "--user", "bob@example.test", "--password-file", cli.password, "--ca-file", peer.caFile])
        let watch = try cli.start(["mail", "watch", "--account", "bob"])
        defer { watch.kill(SIGTERM); _ = watch.wait() }
        // Once it watches, a message sent now is new to it.
        try await Task.sleep(for: .seconds(1))
        let token = UUID().uuidString.prefix(8).lowercased()
        try cli.run(["mail", "send", "--account", "bob", "--to", "bob@example.test", "--subject", "watched \(token)", "--body", "x"])
        var output = ""
        for _ in 0..<100 where !output.contains("watched \(token)") {
            try await Task.sleep(for: .milliseconds(100))
            output = watch.outputSoFar
        }
        #expect(output.contains("watched \(token)") && output.contains("bob@example.test"))
    }

    @Test func aWrongPasswordKeepsNothing() async throws {
        let peer = try await MailPeer.shared()
        let cli = try CommandLineHome()
        defer { cli.remove() }
        let wrong = cli.home.appendingPathComponent("wrong").path
        try Data("nope\n".utf8).write(to: URL(fileURLWithPath: wrong))
        let result = try cli.attempt(["mail", "account", "add", "anna", "--imap", peer.imapsURL.absoluteString, "--smtp", peer.smtpURL.absoluteString,
                                      "--user", "anna@example.test", "--password-file", wrong, "--ca-file", peer.caFile])
        #expect(result.status == 1 && result.stderr.contains("authentication"))
        #expect(try cli.run(["mail", "account", "list"]).stdout.isEmpty)
    }
}
