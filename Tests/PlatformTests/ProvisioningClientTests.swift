import Foundation
import HTTPTransport
import NextcloudOCS
import SwitchboardTestSupport
import Testing

/// Users, groups and shares through the OCS client against the stateful stand-in, which
/// checks every request and its own answers against Nextcloud's provisioning_api and
/// files_sharing documents.
@Suite struct ProvisioningClientTests {
    let client = WebhookListenersClientTests()

    @Test func usersAreCreatedFoundPagedEditedAndDeleted() async throws {
        let fake = try await Peer.named("nextcloud-fake")
        let id = "u-" + UUID().uuidString.prefix(8).lowercased()
        let group = "g-" + UUID().uuidString.prefix(8).lowercased()
        try await client.withOCS(fake, user: "admin", password: "admin-secret") { ocs in
            try await ocs.createGroup(group, displayName: "Team \(group)")
            #expect(try await ocs.groups(search: group) == [group])
            let created = try await ocs.createUser(NewNextcloudUser(id: id, password: "Secret-\(id)", displayName: "Jürgen + Co", email: "\(id)@example.test",
                                                                     groups: [group], quota: "5 GB"))
            #expect(created == id)
            var user = try await ocs.user(id)
            #expect(user.displayName == "Jürgen + Co" && user.email == "\(id)@example.test" && user.groups == [group] && user.enabled)

            // A taken id: refused with the app's own status.
            let taken = await thrownError(PlatformError.self) { try await ocs.createUser(NewNextcloudUser(id: id)) }
            #expect(taken?.code == .invalid && taken?.vendorCode == "102", "\(String(describing: taken))")

            // The search text reaches the server whole (`+` is not a space to PHP once encoded).
            #expect(try await ocs.users(search: "\(id)@example") == [id])
            // Paging: every user once, in pages of 1.
            let everyone = try await ocs.allUsers(pageSize: 1)
            #expect(Set(everyone).isSuperset(of: ["admin", "anna", id]) && Set(everyone).count == everyone.count)

            try await ocs.editUser(id, .displayName, to: "Jürgen")
            try await ocs.editUser(id, .language, to: "de")
            try await ocs.setUser(id, enabled: false)
            user = try await ocs.user(id)
            #expect(user.displayName == "Jürgen" && user.language == "de" && !user.enabled)
            try await ocs.setUser(id, enabled: true)

            try await ocs.removeUser(id, fromGroup: group)
            #expect(try await ocs.groups(ofUser: id).isEmpty)
            try await ocs.addUser(id, toGroup: group)
            #expect(try await ocs.members(ofGroup: group) == [id])
            try await ocs.setSubadmin(id, of: group, true)
            try await ocs.resendWelcome(id)

            try await ocs.deleteUser(id)
            #expect(await thrownError(PlatformError.self) { _ = try await ocs.user(id) }?.code == .notFound)
            try await ocs.deleteGroup(group)
            #expect(try await ocs.groups(search: group).isEmpty)
        }
        // Not an administrator: sees no one (as Nextcloud answers), may not create anyone.
        try await client.withOCS(fake, user: "anna", password: "secret") { ocs in
            let seen = try await ocs.users()
            #expect(seen.isEmpty)
            #expect(await thrownError(PlatformError.self) { try await ocs.createUser(NewNextcloudUser(id: "x-\(id)")) }?.code == .forbidden)
        }
        try await client.withOCS(fake, user: "admin", password: "wrong") { ocs in
            #expect(await thrownError(PlatformError.self) { _ = try await ocs.users() }?.code == .unauthorized)
        }
        let violations = try await PlatformFake.violations(fake)
        #expect(violations.isEmpty, "\(violations)")
    }

    @Test func idsThatLookLikePathsStayOneSegment() async throws {
        let fake = try await Peer.named("nextcloud-fake")
        try await client.withOCS(fake, user: "admin", password: "admin-secret") { ocs in
            // "../groups" must not reach /cloud/groups, nor "anna/disable" disable anna.
            for id in ["../groups", "anna/disable", "a?b=c", ".."] {
                #expect(await thrownError(PlatformError.self) { _ = try await ocs.user(id) }?.code == .notFound, "\(id)")
            }
            let anna = try await ocs.user("anna")
            #expect(anna.enabled)
        }
        let violations = try await PlatformFake.violations(fake)
        #expect(violations.isEmpty, "\(violations)")
    }

    @Test func sharesAreMadeListedChangedAcceptedAndRemoved() async throws {
        let fake = try await Peer.named("nextcloud-fake")
        let folder = "Projekte/" + UUID().uuidString.prefix(8)
        var shareID = ""
        try await client.withOCS(fake, user: "admin", password: "admin-secret") { ocs in
            let link = try await ocs.createShare(NewNextcloudShare(path: folder, kind: .publicLink, permissions: .read, password: "Link-Secret-1",
                                                                   expires: "2027-01-31", label: "Für Kunden"))
            #expect(link.shareType == 3 && link.url != nil && link.expiration == "2027-01-31 00:00:00" && link.label == "Für Kunden")
            // Whom to share with: "anna" exactly, then other matches.
            let found = try await ocs.sharees(search: "anna")
            #expect(found.first == Sharee(label: "anna", shareType: 0, shareWith: "anna", exact: true), "\(found)")
            let toAnna = try await ocs.createShare(NewNextcloudShare(path: folder, kind: .user("anna"), permissions: [.read, .update]))
            #expect(toAnna.shareWith == "anna" && toAnna.permissions == 3)
            shareID = toAnna.id
            #expect(Set(try await ocs.shares(path: folder).map(\.id)) == [link.id, toAnna.id])
            let changed = try await ocs.updateShare(link.id, permissions: .read, expires: "", note: "bis Ende Januar")
            #expect(changed.expiration == nil && changed.note == "bis Ende Januar")
            #expect(try await ocs.share(link.id).note == "bis Ende Januar")
            try await ocs.deleteShare(link.id)
            #expect(await thrownError(PlatformError.self) { _ = try await ocs.share(link.id) }?.code == .notFound)
            // A recipient that does not exist.
            #expect(await thrownError(PlatformError.self) { _ = try await ocs.createShare(NewNextcloudShare(path: folder, kind: .user("nobody-\(UUID())"))) }?
                .code == .notFound)
        }
        try await client.withOCS(fake, user: "anna", password: "secret") { ocs in
            #expect(try await ocs.pendingShares().map(\.id).contains(shareID))
            try await ocs.acceptShare(shareID)
            #expect(try await !ocs.pendingShares().map(\.id).contains(shareID))
        }
        let violations = try await PlatformFake.violations(fake)
        #expect(violations.isEmpty, "\(violations)")
    }

    @Test func throttledFailingAndDroppedAnswersAreRetried() async throws {
        let fake = try await Peer.named("nextcloud-fake")
        let group = "g-" + UUID().uuidString.prefix(8).lowercased()
        let members = "/ocs/v2.php/cloud/groups/\(group)/users"
        try await client.withOCS(fake, user: "admin", password: "admin-secret") { ocs in try await ocs.createGroup(group) }
        for fault in [#"{"status": 429, "retryAfter": 1}"#, #"{"status": 503}"#, #"{"drop": true}"#] {
            try await PlatformFake.inject(fake, prefix: members, fault)
        }
        var configuration = ClientConfiguration(credentials: .basic(user: "admin", password: "admin-secret"))
        configuration.retry = RetryPolicy(maxAttempts: 4, baseDelay: 0.05, maxDelay: 0.2)
        try await HTTPTransport.withTransport(configuration: configuration) { transport in
            let ocs = OCSClient(baseURL: fake.baseURL, transport: transport)
            // Throttled (Retry-After honoured), failed, dropped: the fourth attempt answers.
            #expect(try await ocs.members(ofGroup: group).isEmpty)
            // Failing more often than the attempts allow: a server error, said so.
            try await PlatformFake.inject(fake, prefix: members, #"{"status": 502, "count": 4}"#)
            let failed = await thrownError(PlatformError.self) { _ = try await ocs.members(ofGroup: group) }
            #expect(failed?.code == .server || failed?.code == .transport, "\(String(describing: failed))")
        }
        let violations = try await PlatformFake.violations(fake)
        #expect(violations.isEmpty, "\(violations)")
    }
}

/// Unified search and user status through the OCS client against the stand-in (core's and
/// user_status's documents).
@Suite struct SearchAndStatusClientTests {
    let client = WebhookListenersClientTests()

    @Test func unifiedSearchPagesByCursor() async throws {
        let fake = try await Peer.named("nextcloud-fake")
        try await client.withOCS(fake, user: "admin", password: "admin-secret") { ocs in
            #expect(try await ocs.searchProviders().map(\.id).contains("users"))
            let first = try await ocs.search("a", provider: "users", limit: 1)
            #expect(first.entries.count == 1 && first.isPaginated && first.cursor != nil)
            let second = try await ocs.search("a", provider: "users", limit: 1, cursor: first.cursor)
            #expect(second.entries.first?.subline != first.entries.first?.subline)
            let rest = try await ocs.search("a", provider: "users", limit: 10_000, cursor: second.cursor)
            #expect(rest.entries.count < 10_000)
            #expect(await thrownError(PlatformError.self) { _ = try await ocs.search("a", provider: "no such") }?.code == .invalid)
        }
        #expect(try await PlatformFake.violations(fake).isEmpty)
    }

    @Test func aUserSetsTheirStatusAndOthersSeeIt() async throws {
        let fake = try await Peer.named("nextcloud-fake")
        try await client.withOCS(fake, user: "anna", password: "secret") { ocs in
            #expect(try await ocs.setStatus(.dnd).status == "dnd")
            let clear = Date(timeIntervalSince1970: 2_000_000_000)
            let message = try await ocs.setStatusMessage("In surgery until 14:00", icon: "🩺", clearAt: clear)
            #expect(message.message == "In surgery until 14:00" && message.icon == "🩺" && message.clearAt == 2_000_000_000)
            #expect(try await ocs.currentStatus().status == "dnd")
        }
        try await client.withOCS(fake, user: "admin", password: "admin-secret") { ocs in
            let seen = try await ocs.status(of: "anna")
            #expect(seen.status == "dnd" && seen.message == "In surgery until 14:00")
            #expect(await thrownError(PlatformError.self) { _ = try await ocs.status(of: "nobody-\(UUID())") }?.code == .notFound)
        }
        try await client.withOCS(fake, user: "anna", password: "secret") { ocs in
            try await ocs.clearStatusMessage()
            _ = try await ocs.setStatus(.invisible)
        }
        try await client.withOCS(fake, user: "admin", password: "admin-secret") { ocs in
            let hidden = try await ocs.status(of: "anna")
            #expect(hidden.status == "offline")
        }
        #expect(try await PlatformFake.violations(fake).isEmpty)
    }
}
