import Accounts
import Crypto
import Foundation
import HTTPTransport
import NextcloudOCS
import OpenProjectAPI
import Scheduling
import SwitchboardCore
import SwitchboardStore
import SwitchboardTestSupport
import Testing
import Webhooks
import ZulipAPI

/// Workspaces across the three stand-ins: made step by step, each step failing in turn and a
/// run again completing it with nothing made twice, and archived by undoing exactly what
/// was made.
@Suite struct WorkspaceServiceTests {
    struct World {
        let hub: Hub
        let nextcloud: AccountRecord
        let openProject: AccountRecord
        let zulip: AccountRecord
        let fakes: (nextcloud: Peer, openProject: Peer, zulip: Peer)
        /// A member on all three platforms (the same email).
        let member: String
        let openProjectMemberID: Int

        func request(_ name: String) -> WorkspaceRequest {
            WorkspaceRequest(storedName: name, members: [member, "nobody@example.test"], nextcloud: nextcloud, openProject: openProject, zulip: zulip)
        }

        func ocs<Value: Sendable>(_ body: (OCSClient) async throws(PlatformError) -> Value) async throws -> Value {
            try await hub.nextcloud.call(nextcloud, body)
        }

        func op<Value: Sendable>(_ body: (OpenProjectClient) async throws(PlatformError) -> Value) async throws -> Value {
            try await hub.openProject.call(openProject, body)
        }

        func chat<Value: Sendable>(_ body: (ZulipClient) async throws(PlatformError) -> Value) async throws -> Value {
            try await hub.zulip.call(zulip, body)
        }
    }

    func withWorld(_ body: (World) async throws -> Void) async throws {
        let fakes = (try await Peer.named("nextcloud-fake"), try await Peer.named("openproject-fake"), try await Peer.named("zulip-fake"))
        try await StoreDriver.sqlite.withStore(isolated: true) { store in
            let secrets = try SecretBox(key: SymmetricKey(size: .bits256))
            let clients = AccountClients(secrets: secrets)
            let webhooks = WebhookService(store: store, secrets: secrets, networkPolicy: NetworkPolicy())
            let hub = Hub(store: store, bookings: BookingService(store: store, clients: clients), webhooks: webhooks)
            do {
                func add(_ kind: AccountKind, _ fake: Peer, _ user: String, _ password: String) async throws -> AccountRecord {
                    try await clients.connect(AccountConnection(name: kind.rawValue, serverURL: fake.baseURL, username: user, password: password, kind: kind),
                                              in: store).0
                }
                let nextcloud = try await add(.nextcloud, fakes.0, "admin", "admin-secret")
                let openProject = try await add(.openproject, fakes.1, "apikey", "op-admin-key")
                let zulip = try await add(.zulip, fakes.2, "bot@zulip.test", "zulip-bot-key")
                let member = Fixtures.unique("m").lowercased() + "@example.test"
                let login = member.replacingOccurrences(of: "@", with: "-").replacingOccurrences(of: ".", with: "-")
                try await hub.nextcloud.call(nextcloud) { ocs throws(PlatformError) in _ = try await ocs.createUser(NewNextcloudUser(id: login, email: member)) }
                let opUser = try await hub.openProject.call(openProject) { client throws(PlatformError) in
                    try await client.createUser(NewOpenProjectUser(login: login, email: member, firstName: "M", lastName: "Ember"))
                }
                _ = try await hub.zulip.call(zulip) { client throws(PlatformError) in try await client.createUser(email: member, fullName: "Member", password: "pw-12345678") }
                try await body(World(hub: hub, nextcloud: nextcloud, openProject: openProject, zulip: zulip, fakes: fakes, member: member,
                                     openProjectMemberID: opUser.id))
            } catch {
                await webhooks.shutdown()
                await clients.shutdown()
                throw error
            }
            await webhooks.shutdown()
            await clients.shutdown()
        }
        for fake in [fakes.0, fakes.1, fakes.2] {
            let violations = try await PlatformFake.violations(fake)
            #expect(violations.isEmpty, "\(violations)")
        }
    }

    /// Nothing made twice, however many runs it took.
    func expectOnce(_ world: World, _ name: String) async throws {
        let slug = WorkspaceService.slug(name)
        #expect(try await world.ocs { ocs throws(PlatformError) in try await ocs.groups(search: slug) } == [slug])
        #expect(try await world.ocs { ocs throws(PlatformError) in try await ocs.members(ofGroup: slug) }.count == 1)
        let shares = try await world.ocs { ocs throws(PlatformError) in try await ocs.shares(path: WorkspaceService.folder(of: name)) }
        #expect(shares.count == 1 && shares.first?.shareWith == slug)
        let projects = try await world.op { client throws(PlatformError) in try await client.projects() }.filter { $0.identifier == slug }
        #expect(projects.count == 1)
        let project = try #require(projects.first)
        let members = try await world.op { client throws(PlatformError) in try await client.memberships(project: project.id) }
        #expect(members.map(\.principal.id) == [world.openProjectMemberID])
        #expect(try await world.chat { client throws(PlatformError) in try await client.streams() }.filter { $0.name == name }.count == 1)
    }

    @Test func eachStepFailingInTurnIsResumedWithNothingMadeTwice() async throws {
        try await withWorld { world in
            // Each step's fault is narrowed to this workspace's own write (the suites share the stand-ins);
            // the text is put in JSON as it is (the member's link ends with an escaped quote).
            let failures: [(step: String, fake: Peer, prefix: String, contains: (String) -> String)] = [
                ("nextcloud.group", world.fakes.nextcloud, "/ocs/v2.php/cloud/groups", { WorkspaceService.slug($0) }),
                ("nextcloud.members", world.fakes.nextcloud, "/ocs/v2.php/cloud/users/", { WorkspaceService.slug($0) }),
                ("nextcloud.share", world.fakes.nextcloud, "/ocs/v2.php/apps/files_sharing", { "Workspaces/" + $0 }),
                ("openproject.project", world.fakes.openProject, "/api/v3/projects", { WorkspaceService.slug($0) }),
                ("openproject.members", world.fakes.openProject, "/api/v3/memberships", { _ in "/api/v3/users/\(world.openProjectMemberID)\\\"" }),
                ("zulip.stream", world.fakes.zulip, "/api/v1/users/me/subscriptions", { $0 }),
            ]
            for failure in failures {
                let name = Fixtures.unique("ws").lowercased()
                try await PlatformFake.inject(failure.fake, prefix: failure.prefix, #"{"status": 500, "method": "POST", "contains": "\#(failure.contains(name))"}"#)
                var heard: [String] = []
                let failed = await thrownError(WorkspaceError.self) { _ = try await world.hub.workspaces.create(world.request(name), tenantID: nil) }
                guard case .stepFailed(let record, let step, _) = failed else {
                    Issue.record("\(failure.step): \(String(describing: failed))")
                    continue
                }
                #expect(step == failure.step && record.state == .failed)
                #expect(record.steps.filter { $0.status == .done }.map(\.name) == Array(WorkspaceService.steps.prefix { $0 != failure.step }))
                try await PlatformFake.clearFaults(failure.fake, contains: failure.contains(name).replacingOccurrences(of: "\\\"", with: "\""))

                let done = try await world.hub.workspaces.create(world.request(name), tenantID: nil) { step in heard.append(step.name) }
                #expect(done.state == .ready && done.steps.allSatisfy { $0.status == .done })
                #expect(heard == Array(WorkspaceService.steps.drop { $0 != failure.step }), "\(failure.step): \(heard)")
                #expect(done.step("openproject.members")?.note == "not on OpenProject: nobody@example.test")
                try await expectOnce(world, name)
                // A third run changes nothing.
                #expect(try await world.hub.workspaces.create(world.request(name), tenantID: nil).steps == done.steps)

                let archived = try await world.hub.workspaces.archive(done)
                #expect(archived.state == .archived && archived.steps.allSatisfy { $0.status == .undone })
                let slug = WorkspaceService.slug(name)
                #expect(try await world.ocs { ocs throws(PlatformError) in try await ocs.groups(search: slug) }.isEmpty)
                #expect(try await world.ocs { ocs throws(PlatformError) in try await ocs.shares(path: WorkspaceService.folder(of: name)) }.isEmpty)
                #expect(try await world.op { client throws(PlatformError) in try await client.projects() }.first { $0.identifier == slug }?.active == false)
                #expect(try await world.chat { client throws(PlatformError) in try await client.streams() }.allSatisfy { $0.name != name })
            }
        }
    }

    @Test func archivingAPartialWorkspaceRemovesExactlyWhatItMade() async throws {
        try await withWorld { world in
            let name = Fixtures.unique("partial").lowercased()
            let slug = WorkspaceService.slug(name)
            // The group was there before: found, not made, so it stays.
            try await world.ocs { ocs throws(PlatformError) in try await ocs.createGroup(slug, displayName: "Existing") }
            try await PlatformFake.inject(world.fakes.openProject, prefix: "/api/v3/projects", #"{"status": 500, "method": "POST", "contains": "\#(slug)"}"#)
            let failed = await thrownError(WorkspaceError.self) { _ = try await world.hub.workspaces.create(world.request(name), tenantID: nil) }
            guard case .stepFailed(let partial, "openproject.project", _) = failed else {
                Issue.record("\(String(describing: failed))")
                return
            }
            try await PlatformFake.clearFaults(world.fakes.openProject, contains: slug)
            #expect(partial.step("nextcloud.group")?.createdHere == false && partial.step("nextcloud.share")?.createdHere == true)

            let archived = try await world.hub.workspaces.archive(partial)
            #expect(archived.state == .archived)
            #expect(archived.step("nextcloud.group")?.note == "found there: left alone")
            #expect(try await world.ocs { ocs throws(PlatformError) in try await ocs.groups(search: slug) } == [slug])
            #expect(try await world.ocs { ocs throws(PlatformError) in try await ocs.members(ofGroup: slug) }.isEmpty)
            #expect(try await world.ocs { ocs throws(PlatformError) in try await ocs.shares(path: WorkspaceService.folder(of: name)) }.isEmpty)
            #expect(try await world.op { client throws(PlatformError) in try await client.projects() }.allSatisfy { $0.identifier != slug })
            #expect(try await world.chat { client throws(PlatformError) in try await client.streams() }.allSatisfy { $0.name != name })
            // An archived workspace's name is not made again.
            let again = await thrownError(WorkspaceError.self) { _ = try await world.hub.workspaces.create(world.request(name), tenantID: nil) }
            guard case .archived = again else {
                Issue.record("\(String(describing: again))")
                return
            }
            try await world.ocs { ocs throws(PlatformError) in try await ocs.deleteGroup(slug) }
        }
    }
}
