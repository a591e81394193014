import Foundation
import SwitchboardTestSupport
import Testing

/// `switchboard account …` as an operator runs it, against Radicale.
@Suite struct AccountCommandTests {
    /// A tenant's account is named within the tenant, as the API names it: two tenants may
    /// each have a "calendars", and neither takes the other's name.
    @Test func aTenantsAccountIsNamedWithinTheTenant() async throws {
        let peer = try await Peer.named("radicale")
        let cli = try CommandLineHome()
        defer { cli.remove() }
        let clinic = Fixtures.unique("clinic")
        let studio = Fixtures.unique("studio")
        for tenant in [clinic, studio] {
            try cli.run(["tenants", "create", tenant])
            var arguments = ["account", "add", "calendars", "--server", peer.baseURL.absoluteString, "--user", "anna", "--password-file", cli.password,
                             "--tenant", tenant]
            if let certificate = peer.certificateFile { arguments += ["--ca-file", certificate] }
            try cli.run(arguments)
        }
        let listed = try cli.run(["account", "list", "--json"]).stdout
        #expect(listed.contains("\"\(clinic)/calendars\"") && listed.contains("\"\(studio)/calendars\""), "\(listed)")
    }
}
