import Foundation
import HTTPTransport
import OpenProjectAPI
import SwitchboardTestSupport
import Testing

/// The OpenProject client against the stateful stand-in, which checks every request and its
/// own answers against OpenProject's API v3 document.
@Suite struct OpenProjectClientTests {
    static let adminKey = "op-admin-key"

    func withClient(key: String = Self.adminKey, retries: Int = 1, _ body: (OpenProjectClient, Peer) async throws -> Void) async throws {
        let fake = try await Peer.named("openproject-fake")
        var configuration = ClientConfiguration(credentials: .basic(user: "apikey", password: key))
        configuration.retry = RetryPolicy(maxAttempts: retries)
        try await HTTPTransport.withTransport(configuration: configuration) { transport in
            try await body(OpenProjectClient(baseURL: fake.baseURL, transport: transport), fake)
        }
        let violations = try await PlatformFake.violations(fake)
        #expect(violations.isEmpty, "\(violations)")
    }

    static func unique(_ prefix: String) -> String { prefix + "-" + UUID().uuidString.prefix(8).lowercased() }

    @Test func projectsAreCreatedListedArchivedAndDeleted() async throws {
        try await withClient { client, _ in
            let identifier = Self.unique("clinic")
            let project = try await client.createProject(name: "Clinic \"North\" & co", identifier: identifier, description: "Guidelines *first*")
            #expect(project.identifier == identifier && project.name == "Clinic \"North\" & co" && project.description == "Guidelines *first*")
            #expect(try await client.projects().contains { $0.id == project.id })

            let taken = await thrownError(PlatformError.self) { _ = try await client.createProject(name: "Again", identifier: identifier) }
            #expect(taken?.code == .invalid && taken?.field == "identifier" && taken?.vendorCode == "PropertyConstraintViolation", "\(String(describing: taken))")

            #expect(try await client.setProject(project.id, active: false).active == false)
            try await client.deleteProject(project.id)
            #expect(await thrownError(PlatformError.self) { _ = try await client.project(project.id) }?.code == .notFound)
        }
    }

    @Test func workPackagesAreFilteredSortedChangedUnderTheirLockVersionAndCommented() async throws {
        try await withClient { client, _ in
            let project = try await client.createProject(name: "Work", identifier: Self.unique("work"))
            let task = try #require(try await client.types().first { $0.name == "Task" })
            let closed = try #require(try await client.statuses().first { $0.isClosed == true })
            let high = try #require(try await client.priorities().first { $0.name == "High" })
            let first = try await client.createWorkPackage(project: project.id, NewWorkPackage(subject: "Order gloves", typeID: task.id, description: "Nitrile, size M"))
            let second = try await client.createWorkPackage(project: project.id, NewWorkPackage(subject: "Order masks", priorityID: high.id, dueDate: "2026-12-24"))
            let third = try await client.createWorkPackage(project: project.id, NewWorkPackage(subject: "Clean room", statusID: closed.id))
            #expect(first.type.title == "Task" && first.description == "Nitrile, size M" && second.priority?.title == "High" && second.dueDate == "2026-12-24")

            // No filter: all three (OpenProject's default of open only is lifted); filters and sort as asked.
            #expect(try await client.workPackages(project: project.id).map(\.id) == [first.id, second.id, third.id])
            let open = WorkPackageQuery(filters: [.init(.status, .open)], sort: [(.id, false)])
            #expect(try await client.workPackages(project: project.id, open).map(\.id) == [second.id, first.id])
            let orders = WorkPackageQuery(filters: [.init(.subject, .contains, ["order"]), .init(.priority, .equals, [String(high.id)])])
            #expect(try await client.workPackages(project: project.id, orders).map(\.id) == [second.id])

            // A change carries the lockVersion it was read at; a stale one is a conflict and changes nothing.
            let changed = try await client.updateWorkPackage(first.id, WorkPackageChange(lockVersion: first.lockVersion, subject: "Order gloves (M)",
                                                                                          statusID: closed.id, percentageDone: 50))
            #expect(changed.subject == "Order gloves (M)" && changed.status.id == closed.id && changed.lockVersion == first.lockVersion + 1)
            let stale = await thrownError(PlatformError.self) {
                _ = try await client.updateWorkPackage(first.id, WorkPackageChange(lockVersion: first.lockVersion, subject: "lost"))
            }
            #expect(stale?.code == .conflict && stale?.vendorCode == "UpdateConflict", "\(String(describing: stale))")
            #expect(try await client.workPackage(first.id).subject == "Order gloves (M)")
            let blank = await thrownError(PlatformError.self) {
                _ = try await client.updateWorkPackage(first.id, WorkPackageChange(lockVersion: changed.lockVersion, subject: ""))
            }
            #expect(blank?.code == .invalid && blank?.field == "subject")

            _ = try await client.comment(on: first.id, "Ordered from <Supplier> & \"Co\"")
            #expect(try await client.activities(of: first.id).map(\.comment) == ["Ordered from <Supplier> & \"Co\""])

            let entry = try await client.logTime(workPackage: first.id, hours: 1.5, spentOn: "2026-12-07", comment: "Call")
            #expect(entry.hours == 1.5 && entry.spentOn == "2026-12-07" && entry.workPackage?.id == first.id)
            _ = try await client.logTime(workPackage: first.id, hours: 0.25, spentOn: "2026-12-08")
            #expect(try await client.timeEntries(workPackage: first.id).map(\.hours).sorted() == [0.25, 1.5])

            try await client.deleteWorkPackage(third.id)
            #expect(await thrownError(PlatformError.self) { _ = try await client.workPackage(third.id) }?.code == .notFound)
            try await client.deleteProject(project.id)
        }
    }

    @Test func everyPageIsFollowedByTheServersOwnLinks() async throws {
        try await withClient { client, fake in
            let project = try await client.createProject(name: "Many", identifier: Self.unique("many"))
            try await seed(fake, project: project.id, count: 2_345)
            var paging = client
            paging.pageSize = 1_000
            let all = try await paging.workPackages(project: project.id)
            #expect(all.count == 2_345 && Set(all.map(\.id)).count == 2_345)
            #expect(try await paging.workPackages(project: project.id, limit: 1_200).count == 1_200)
            try await client.deleteProject(project.id)
        }
    }

    @Test func membersUsersAndPermissions() async throws {
        try await withClient { client, _ in
            let project = try await client.createProject(name: "Team", identifier: Self.unique("team"))
            let login = Self.unique("jo")
            let user = try await client.createUser(NewOpenProjectUser(login: login, email: "\(login)@example.test", firstName: "Jo", lastName: "Doe"))
            #expect(try await client.users(login: login).map(\.id) == [user.id])
            let member = try #require(try await client.roles().first { $0.name == "Member" })
            let membership = try await client.addMember(project: project.id, principal: user.id, roles: [member.id])
            #expect(membership.principal.id == user.id && membership.roles.map(\.id) == [member.id])
            #expect(try await client.memberships(project: project.id).map(\.id) == [membership.id])
            let again = await thrownError(PlatformError.self) { _ = try await client.addMember(project: project.id, principal: user.id, roles: [member.id]) }
            #expect(again?.code == .invalid)
            #expect(try await client.setUser(user.id, locked: true).status == "locked")
            #expect(try await client.setUser(user.id, locked: false).status == "active")
            try await client.removeMembership(membership.id)
            #expect(try await client.memberships(project: project.id).isEmpty)
            try await client.deleteUser(user.id)
            try await client.deleteProject(project.id)
        }
        try await withClient(key: "op-anna-key") { client, _ in
            let me = try await client.currentUser()
            #expect(me.login == "anna")
            #expect(await thrownError(PlatformError.self) { _ = try await client.createProject(name: "No", identifier: "no") }?.code == .forbidden)
        }
        try await withClient(key: "wrong") { client, _ in
            #expect(await thrownError(PlatformError.self) { _ = try await client.root() }?.code == .unauthorized)
        }
    }

    @Test func attachmentsRelationsVersionsAndSavedQueries() async throws {
        try await withClient { client, fake in
            let project = try await client.createProject(name: "Files", identifier: Self.unique("files"))
            let first = try await client.createWorkPackage(project: project.id, NewWorkPackage(subject: "Guideline"))
            let second = try await client.createWorkPackage(project: project.id, NewWorkPackage(subject: "Review"))

            // A file with a name that could break its part header, and bytes of every value.
            let bytes = (0..<3_000).map { UInt8($0 % 256) }
            let attached = try await client.attach(to: first.id, fileName: "Leitlinie \"2026\"\r\n.pdf", contentType: "application/pdf", bytes: bytes,
                                                   description: "Hypertonie")
            // The name travels whole in the JSON metadata; the part header carries it escaped.
            #expect(attached.fileName == "Leitlinie \"2026\"\r\n.pdf" && attached.fileSize == 3_000 && attached.contentType == "application/pdf")
            #expect(try await client.attachments(of: first.id).map(\.id) == [attached.id])
            let local = FileManager.default.temporaryDirectory.appendingPathComponent("attachment-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: local) }
            #expect(try await client.download(attached, to: local) == 3_000)
            #expect(try Data(contentsOf: URL(fileURLWithPath: local)) == Data(bytes))
            try await client.deleteAttachment(attached.id)
            #expect(try await client.attachments(of: first.id).isEmpty)

            let relation = try await client.relate(first.id, to: second.id, type: "blocks")
            #expect(relation.type == "blocks" && relation.to?.id == second.id)
            #expect(try await client.relations(of: second.id).map(\.id) == [relation.id])
            let twice = await thrownError(PlatformError.self) { _ = try await client.relate(second.id, to: first.id, type: "relates") }
            #expect(twice?.code == .conflict)
            try await client.deleteRelation(relation.id)
            #expect(try await client.relations(of: first.id).isEmpty)

            let version = try await client.createVersion(in: project.id, name: "Sprint 1", startDate: "2026-12-07", endDate: "2026-12-18")
            #expect(try await client.versions(of: project.id).map(\.name) == ["Sprint 1"] && version.endDate == "2026-12-18")

            // A query of this project only: the suites share the stand-in, and a query over all
            // projects pages through others' changes (offset pages shift under them).
            let name = Self.unique("query")
            try await PlatformFake.control(fake, "_fake/seed_query", Array(#"{"project": \#(project.id), "name": "\#(name)"}"#.utf8))
            let query = try #require(try await client.savedQueries().first { $0.name == name })
            #expect(try await client.workPackages(savedQuery: query.id).map(\.id) == [first.id, second.id])
            try await client.deleteProject(project.id)
        }
    }

    /// Faults on this test's own project only (the suites share the stand-in).
    @Test func throttlingIsWaitedOutAndFailuresAreTyped() async throws {
        try await withClient(retries: 3) { client, fake in
            let project = try await client.createProject(name: "Faults", identifier: Self.unique("faults"))
            let path = "/api/v3/projects/\(project.id)"
            try await PlatformFake.inject(fake, prefix: path, #"{"status": 429, "retryAfter": 1}"#)
            #expect(try await client.project(project.id).id == project.id)
            try await PlatformFake.inject(fake, prefix: path, #"{"drop": true}"#)
            #expect(try await client.project(project.id).id == project.id)
            // A POST is not repeated after a 500 (the server may have acted): the caller sees it.
            try await PlatformFake.inject(fake, prefix: path + "/work_packages", #"{"status": 500}"#)
            let failed = await thrownError(PlatformError.self) { _ = try await client.createWorkPackage(project: project.id, NewWorkPackage(subject: "x")) }
            #expect(failed?.code == .server && failed?.vendorCode == "InternalServerError", "\(String(describing: failed))")
            #expect(try await client.workPackages(project: project.id).isEmpty)
            try await client.deleteProject(project.id)
        }
    }

    func seed(_ fake: Peer, project: Int, count: Int) async throws {
        try await PlatformFake.control(fake, "_fake/seed", Array(#"{"project": \#(project), "count": \#(count)}"#.utf8))
    }
}
