import Foundation
import SwitchboardTestSupport
import Testing

/// `switchboard account add --kind zulip` and `switchboard zulip …` as an operator runs them,
/// against the stand-in that checks each exchange against Zulip's document.
@Suite struct ZulipCommandTests {
    @Test func streamsAndMessagesFromTheCommandLine() async throws {
        let fake = try await Peer.named("zulip-fake")
        let cli = try CommandLineHome()
        defer { cli.remove() }
        let key = cli.home.appendingPathComponent("bot-key").path
        try Data("zulip-bot-key\n".utf8).write(to: URL(fileURLWithPath: key))
        #expect(try cli.attempt(["account", "add", "chat", "--kind", "zulip", "--server", fake.baseURL.absoluteString, "--user", "bot@zulip.test",
                                 "--password-file", cli.password]).status == 1)
        try cli.run(["account", "add", "chat", "--kind", "zulip", "--server", fake.baseURL.absoluteString, "--user", "bot@zulip.test", "--password-file", key])
        func zulip(_ arguments: String...) -> [String] { ["zulip"] + arguments + ["--account", "chat"] }

        let stream = "cli-" + UUID().uuidString.prefix(8).lowercased()
        let id = try cli.run(zulip("streams", "create", stream, "--description", "Praxis team", "--member", "anna@zulip.test")).stdout
        #expect(try cli.run(zulip("streams", "list")).stdout.contains("\(id.dropLast())\t\(stream)\tPraxis team\n"))
        let sent = try cli.run(zulip("send", "--stream", stream, "--topic", "Supplies", "--content", "Gloves *ordered*")).stdout
        #expect(Int(sent.dropLast()) != nil)
        try cli.run(zulip("send", "--to", "anna@zulip.test", "--content", "Hi"))
        #expect(try cli.run(zulip("messages", "--stream", stream)).stdout == "\(sent.dropLast())\tbot@zulip.test\tSupplies\tGloves *ordered*\n")
        #expect(try cli.attempt(zulip("send", "--stream", stream, "--content", "no topic")).status != 0)
        let missing = try cli.attempt(zulip("send", "--stream", "none-\(stream)", "--topic", "t", "--content", "x"))
        #expect(missing.status == 1 && missing.stderr.contains("STREAM_DOES_NOT_EXIST"), "\(missing.stderr)")
        try cli.run(zulip("streams", "archive", stream))
        #expect(try !cli.run(zulip("streams", "list")).stdout.contains(stream))
        #expect(try await PlatformFake.violations(fake).isEmpty)
    }
}
