import Foundation
import SwitchboardTestSupport
import Testing

/// `switchboard account add --kind nextcloud` and `switchboard nextcloud …` as an operator
/// runs them, against the stand-in that checks each exchange against Nextcloud's documents.
@Suite struct NextcloudCommandTests {
    @Test func anAdministratorProvisionsUsersGroupsAndShares() async throws {
        let fake = try await Peer.named("nextcloud-fake")
        let cli = try CommandLineHome()
        defer { cli.remove() }
        let adminPassword = cli.home.appendingPathComponent("admin-password").path
        try Data("admin-secret\n".utf8).write(to: URL(fileURLWithPath: adminPassword))
        // The wrong password: nothing kept.
        #expect(try cli.attempt(["account", "add", "cloud", "--kind", "nextcloud", "--server", fake.baseURL.absoluteString, "--user", "admin",
                                 "--password-file", cli.password]).status == 1)
        try cli.run(["account", "add", "cloud", "--kind", "nextcloud", "--server", fake.baseURL.absoluteString, "--user", "admin",
                     "--password-file", adminPassword])
        func nextcloud(_ arguments: String...) -> [String] { ["nextcloud"] + arguments + ["--account", "cloud"] }

        let user = "u-" + UUID().uuidString.prefix(8).lowercased()
        let group = "g-" + UUID().uuidString.prefix(8).lowercased()
        try cli.run(nextcloud("groups", "create", group, "--display-name", "Praxis"))
        #expect(try cli.run(nextcloud("users", "create", user, "--email", "\(user)@example.test", "--display-name", "Dr. Ada", "--group", group))
            .stdout == "\(user)\n")
        #expect(try cli.run(nextcloud("users", "list", "--search", user)).stdout == "\(user)\n")
        let shown = try cli.run(nextcloud("users", "show", user, "--json")).stdout
        let decoded = try JSONSerialization.jsonObject(with: Data(shown.utf8)) as? [String: Any]
        #expect(decoded?["displayName"] as? String == "Dr. Ada" && decoded?["groups"] as? [String] == [group], "\(shown)")
        #expect(try cli.run(nextcloud("groups", "members", group)).stdout == "\(user)\n")
        #expect(try cli.run(nextcloud("sharees", group)).stdout == "group\t\(group)\tPraxis\texact\n")
        try cli.run(nextcloud("users", "disable", user))
        #expect(try cli.run(nextcloud("users", "show", user)).stdout.contains("\tdisabled\t"))
        #expect(try cli.attempt(nextcloud("users", "create", user)).stderr.contains("Nextcloud 102"))

        let share = try cli.run(nextcloud("shares", "create", "Praxis/\(group)", "--group", group, "--permissions", "1", "--expires", "2027-03-31"))
            .stdout
        #expect(share.contains("\tgroup\t\(group)\t/Praxis/\(group)\t1\t2027-03-31 00:00:00"), "\(share)")
        let link = try cli.run(nextcloud("shares", "create", "Praxis/\(group)", "--public", "--json")).stdout
        #expect(link.contains("\"url\" : \"http"), "\(link)")
        #expect(try cli.attempt(nextcloud("shares", "create", "x", "--user", "a", "--public")).stderr.contains("one of"))
        #expect(try cli.run(nextcloud("shares", "list", "--path", "Praxis/\(group)")).stdout.split(separator: "\n").count == 2)

        try cli.run(nextcloud("users", "delete", user))
        try cli.run(nextcloud("groups", "delete", group))
        #expect(try cli.attempt(nextcloud("users", "show", user)).stderr.contains("notFound"))
        let violations = try await PlatformFake.violations(fake)
        #expect(violations.isEmpty, "\(violations)")
    }
}
