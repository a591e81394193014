import Foundation
import SwitchboardTestSupport
import Testing

/// `switchboard workspace …` as an operator runs it: a line per step, a failed step resumed
/// by running the command again, and the archive undoing it.
@Suite struct WorkspaceCommandTests {
    @Test func aWorkspaceIsMadeStepByStepAndArchived() async throws {
        let (nextcloud, openProject, zulip) = (try await Peer.named("nextcloud-fake"), try await Peer.named("openproject-fake"), try await Peer.named("zulip-fake"))
        let cli = try CommandLineHome()
        defer { cli.remove() }
        func add(_ name: String, _ kind: String, _ fake: Peer, _ user: String, _ password: String) throws {
            let file = cli.home.appendingPathComponent("\(name)-password").path
            try Data("\(password)\n".utf8).write(to: URL(fileURLWithPath: file))
            try cli.run(["account", "add", name, "--kind", kind, "--server", fake.baseURL.absoluteString, "--user", user, "--password-file", file])
        }
        try add("cloud", "nextcloud", nextcloud, "admin", "admin-secret")
        try add("op", "openproject", openProject, "apikey", "op-admin-key")
        try add("chat", "zulip", zulip, "bot@zulip.test", "zulip-bot-key")
        let name = "cli-" + UUID().uuidString.prefix(8).lowercased()
        let create = ["workspace", "create", name, "--member", "anna@zulip.test", "--nextcloud", "cloud", "--openproject", "op", "--zulip", "chat"]

        try await PlatformFake.inject(openProject, prefix: "/api/v3/projects", #"{"status": 500, "method": "POST", "contains": "\#(name)"}"#)
        let failed = try cli.attempt(create)
        #expect(failed.status == 1 && failed.stdout.hasPrefix("nextcloud.group\tdone\t\(name)\n") && failed.stdout.contains("openproject.project\tfailed"),
                "\(failed.stdout)\(failed.stderr)")
        try await PlatformFake.clearFaults(openProject, contains: name)
        let resumed = try cli.run(create).stdout
        #expect(resumed.hasPrefix("openproject.project\tdone\t") && resumed.hasSuffix("\(name): ready\n"), "\(resumed)")
        #expect(try cli.run(["workspace", "show", name]).stdout.hasPrefix("\(name): ready\nnextcloud.group\tdone\t\(name)\n"))
        #expect(try cli.run(["workspace", "list"]).stdout.contains("\(name)\tready\tanna@zulip.test\n"))
        let archived = try cli.run(["workspace", "archive", name]).stdout
        #expect(archived.hasPrefix("zulip.stream\tundone\t") && archived.hasSuffix("\(name): archived\n"), "\(archived)")
    }
}
