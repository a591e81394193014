import Foundation
import SwitchboardTestSupport
import Testing

/// `switchboard account add --kind openproject` and `switchboard openproject …` as an operator
/// runs them, against the stand-in that checks each exchange against OpenProject's document.
@Suite struct OpenProjectCommandTests {
    @Test func projectsWorkPackagesAndTimeFromTheCommandLine() async throws {
        let fake = try await Peer.named("openproject-fake")
        let cli = try CommandLineHome()
        defer { cli.remove() }
        let key = cli.home.appendingPathComponent("api-key").path
        try Data("op-admin-key\n".utf8).write(to: URL(fileURLWithPath: key))
        // A wrong key: nothing kept.
        #expect(try cli.attempt(["account", "add", "op", "--kind", "openproject", "--server", fake.baseURL.absoluteString, "--user", "apikey",
                                 "--password-file", cli.password]).status == 1)
        try cli.run(["account", "add", "op", "--kind", "openproject", "--server", fake.baseURL.absoluteString, "--user", "apikey", "--password-file", key])
        func openProject(_ arguments: String...) -> [String] { ["openproject"] + arguments + ["--account", "op"] }

        let identifier = "cli-" + UUID().uuidString.prefix(8).lowercased()
        let created = try cli.run(openProject("projects", "create", "Praxis Nord", "--identifier", identifier, "--json")).stdout
        let project = try #require((try JSONSerialization.jsonObject(with: Data(created.utf8)) as? [String: Any])?["id"] as? Int)
        #expect(try cli.run(openProject("projects", "list")).stdout.contains("\(project)\t\(identifier)\tPraxis Nord\n"))

        let gloves = try cli.run(openProject("work-packages", "create", "--project", String(project), "--subject", "Order gloves", "--type", "Task")).stdout
        let id = try #require(Int(gloves.split(separator: "\t").first ?? ""))
        #expect(gloves == "\(id)\tTask\tNew\tOrder gloves\n")
        _ = try cli.run(openProject("work-packages", "create", "--project", String(project), "--subject", "Clean room"))
        #expect(try cli.attempt(openProject("work-packages", "create", "--project", String(project), "--subject", "x", "--type", "Epic"))
            .stderr.contains("no type named Epic"))

        #expect(try cli.run(openProject("work-packages", "update", String(id), "--status", "closed", "--lock-version", "0")).stdout
            == "\(id)\tTask\tClosed\tOrder gloves\n")
        // The version read before that change is stale now: refused, nothing changed.
        let stale = try cli.attempt(openProject("work-packages", "update", String(id), "--subject", "lost", "--lock-version", "0"))
        #expect(stale.status == 1 && stale.stderr.contains("UpdateConflict"), "\(stale.stderr)")
        let open = try cli.run(openProject("work-packages", "list", "--project", String(project), "--status", "open")).stdout
        #expect(open.hasSuffix("\tTask\tNew\tClean room\n") && !open.contains("Order gloves"), "\(open)")
        #expect(try cli.run(openProject("work-packages", "list", "--project", String(project), "--subject", "gloves")).stdout
            == "\(id)\tTask\tClosed\tOrder gloves\n")
        try cli.run(openProject("work-packages", "comment", String(id), "Ordered"))

        let masks = try cli.run(openProject("work-packages", "create", "--project", String(project), "--subject", "Order masks", "--json")).stdout
        let masksID = try #require((try JSONSerialization.jsonObject(with: Data(masks.utf8)) as? [String: Any])?["id"] as? Int)
        #expect(Int(try cli.run(openProject("work-packages", "relate", String(id), "--to", String(masksID), "--type", "blocks")).stdout.dropLast()) != nil)
        let file = cli.home.appendingPathComponent("Lieferschein.txt").path
        try Data("12 boxes".utf8).write(to: URL(fileURLWithPath: file))
        #expect(try cli.run(openProject("work-packages", "attach", String(id), file, "--content-type", "text/plain")).stdout.hasSuffix("\tLieferschein.txt\n"))
        try cli.run(openProject("versions", "create", "Sprint 1", "--project", String(project), "--end", "2026-12-18"))
        #expect(try cli.run(openProject("versions", "list", "--project", String(project))).stdout.hasSuffix("\tSprint 1\topen\t2026-12-18\n"))

        #expect(try cli.run(openProject("time", "log", "--work-package", String(id), "--hours", "1.5", "--on", "2026-12-07")).stdout.hasSuffix("\t1.5 h\t2026-12-07\n"))
        #expect(try cli.attempt(openProject("time", "log", "--work-package", String(id), "--hours", "25")).status != 0)
        #expect(try await PlatformFake.violations(fake).isEmpty)
    }
}
