public import Accounts
import Foundation
import HTTPTransport
import NextcloudOCS
import OpenProjectAPI
public import SwitchboardStore
import ZulipAPI

/// Why a workspace could not be made or archived.
public enum WorkspaceError: Error, Sendable, CustomStringConvertible {
    /// No such workspace, or an account it names is not there (or another tenant's).
    case notFound(String)
    /// The request cannot be carried out as given (no platform named, an account of the wrong kind…).
    case invalid(String)
    /// The workspace is archived: its name is not reused.
    case archived(String)
    /// A step failed; the workspace records it and a run again resumes there.
    case stepFailed(WorkspaceRecord, step: String, PlatformServiceError)
    case store(StoreError)

    public var description: String {
        switch self {
        case .notFound(let what): "not found: \(what)"
        case .invalid(let why): why
        case .archived(let name): "the workspace \(name) is archived"
        case .stepFailed(_, let step, let error): "step \(step) failed: \(error)"
        case .store(let error): error.description
        }
    }
}

/// What a workspace is made of: a name, its members' email addresses, and the accounts
/// (of kinds nextcloud, openproject, zulip; any may be left out) it is made on.
public struct WorkspaceRequest: Sendable, Hashable {
    /// The name the store keeps (a tenant's as `tenant/name`).
    public var storedName: String
    public var members: [String]
    public var nextcloud: AccountRecord?
    public var openProject: AccountRecord?
    public var zulip: AccountRecord?

    public init(storedName: String, members: [String], nextcloud: AccountRecord? = nil, openProject: AccountRecord? = nil, zulip: AccountRecord? = nil) {
        self.storedName = storedName
        self.members = members
        self.nextcloud = nextcloud
        self.openProject = openProject
        self.zulip = zulip
    }
}

/// Makes a workspace on several platforms at once — a Nextcloud group and a folder shared
/// with it, an OpenProject project with its members, a Zulip stream with them subscribed —
/// one step at a time, each recorded before and after it acts, so that a run stopped by a
/// failure (or a crash) resumes where it stopped and makes nothing twice; and archives it by
/// undoing its steps in reverse, removing only what it made.
public struct WorkspaceService: Sendable {
    let store: any WorkspaceStore & SyncStore
    let nextcloud: NextcloudService
    let openProject: OpenProjectService
    let zulip: ZulipService
    let files: FileService

    /// The steps, in the order they run (archiving runs them backwards).
    public static let steps = ["nextcloud.group", "nextcloud.members", "nextcloud.folder", "nextcloud.share",
                               "openproject.project", "openproject.members", "zulip.stream"]

    /// The folder a workspace's files are in, below the Nextcloud account's files.
    public static func folder(of name: String) -> String { "Workspaces/" + name }

    /// A project identifier or group id from a name: lower case letters, digits and `-`,
    /// starting with a letter (OpenProject's rule for identifiers).
    public static func slug(_ name: String) -> String {
        var slug = ""
        for scalar in name.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                slug.unicodeScalars.append(scalar)
            } else if !slug.isEmpty, !slug.hasSuffix("-") {
                slug.append("-")
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        if slug.first.map({ !$0.isLetter }) ?? true { slug = "ws-" + slug }
        return String(slug.prefix(100))
    }

    // MARK: Creating

    /// Creates the workspace, or resumes it where a run stopped; a ready one is answered as
    /// it is. `progress` hears each step as it is recorded.
    public func create(_ request: WorkspaceRequest, tenantID: String?,
                       progress: (WorkspaceStepRecord) -> Void = { _ in }) async throws(WorkspaceError) -> WorkspaceRecord {
        guard request.nextcloud != nil || request.openProject != nil || request.zulip != nil else {
            throw .invalid("name at least one account (nextcloud, openproject or zulip)")
        }
        for (account, kind) in [(request.nextcloud, AccountKind.nextcloud), (request.openProject, .openproject), (request.zulip, .zulip)] {
            if let account, account.kind != kind { throw .invalid("the account \(account.localName) is not of kind \(kind.rawValue)") }
        }
        var workspace: WorkspaceRecord
        if let existing = try await stored({ () throws(StoreError) in try await store.workspace(name: request.storedName) }) {
            guard existing.tenantID == tenantID else { throw .notFound("workspace \(TenantScopedName.shown(request.storedName))") }
            guard existing.state != .archived, existing.state != .archiving else { throw .archived(TenantScopedName.shown(request.storedName)) }
            if existing.state == .ready { return existing }
            workspace = existing
        } else {
            workspace = WorkspaceRecord(name: request.storedName, tenantID: tenantID, members: request.members, nextcloudAccountID: request.nextcloud?.id,
                                        openProjectAccountID: request.openProject?.id, zulipAccountID: request.zulip?.id)
        }
        workspace.state = .provisioning
        try await save(workspace)
        let name = TenantScopedName.shown(workspace.name)
        for step in Self.steps where workspace.step(step)?.status != .done {
            guard let account = account(for: step, in: request) else { continue }
            let resumed = workspace.step(step)?.status == .started
            workspace.record(WorkspaceStepRecord(name: step, status: .started, resource: workspace.step(step)?.resource))
            try await save(workspace)
            let outcome: Result<(String?, Bool, String?), PlatformServiceError>
            do {
                outcome = .success(try await run(step, name: name, members: workspace.members, account: account, done: workspace, resumed: resumed))
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(let (resource, createdHere, note)):
                let record = WorkspaceStepRecord(name: step, status: .done, resource: resource, createdHere: createdHere, note: note)
                workspace.record(record)
                try await save(workspace)
                progress(record)
            case .failure(let error):
                let record = WorkspaceStepRecord(name: step, status: .failed, resource: workspace.step(step)?.resource,
                                                 createdHere: workspace.step(step)?.createdHere ?? false, note: error.description)
                workspace.record(record)
                workspace.state = .failed
                try await save(workspace)
                progress(record)
                throw .stepFailed(workspace, step: step, error)
            }
        }
        workspace.state = .ready
        try await save(workspace)
        return workspace
    }

    private func account(for step: String, in request: WorkspaceRequest) -> AccountRecord? {
        switch step.split(separator: ".").first {
        case "nextcloud": request.nextcloud
        case "openproject": request.openProject
        default: request.zulip
        }
    }

    /// Runs one step; answers what it made or found, whether it made it, and a note. A step
    /// `resumed` after a run stopped inside it takes what it finds as its own.
    private func run(_ step: String, name: String, members: [String], account: AccountRecord, done: WorkspaceRecord,
                     resumed: Bool) async throws(PlatformServiceError) -> (String?, Bool, String?) {
        let slug = Self.slug(name)
        switch step {
        case "nextcloud.group":
            return try await nextcloud.call(account) { ocs throws(PlatformError) in
                if try await ocs.groups(search: slug).contains(slug) { return (slug, resumed, nil) }
                try await ocs.createGroup(slug, displayName: name)
                return (slug, true, nil)
            }
        case "nextcloud.members":
            let group = done.step("nextcloud.group")?.resource ?? slug
            return try await nextcloud.call(account) { ocs throws(PlatformError) in
                let (ids, missing) = try await Self.nextcloudUsers(members, ocs)
                let already = Set(try await ocs.members(ofGroup: group))
                var added: [String] = []
                for id in ids where !already.contains(id) {
                    try await ocs.addUser(id, toGroup: group)
                    added.append(id)
                }
                return (added.joined(separator: ","), !added.isEmpty, missing.isEmpty ? nil : "not on Nextcloud: " + missing.joined(separator: ", "))
            }
        case "nextcloud.folder":
            let folder = Self.folder(of: name)
            guard account.filesURL != nil else { return (nil, false, "the account has no files: the folder is not made") }
            do {
                _ = try await files.item(account, path: folder)
                return (folder, resumed, nil)
            } catch {
                guard case .notFound = error else { throw Self.upstream(error) }
            }
            do {
                if (try? await files.item(account, path: "Workspaces")) == nil { _ = try await files.makeFolder(account, path: "Workspaces") }
                _ = try await files.makeFolder(account, path: folder)
            } catch {
                throw Self.upstream(error)
            }
            return (folder, true, nil)
        case "nextcloud.share":
            let group = done.step("nextcloud.group")?.resource ?? slug
            let folder = Self.folder(of: name)
            return try await nextcloud.call(account) { ocs throws(PlatformError) in
                let existing = try await ocs.shares(path: folder).first { $0.shareType == 1 && $0.shareWith == group }
                if let existing { return (existing.id, resumed, nil) }
                let share = try await ocs.createShare(NewNextcloudShare(path: folder, kind: .group(group), permissions: .all, label: name))
                return (share.id, true, nil)
            }
        case "openproject.project":
            return try await openProject.call(account) { client throws(PlatformError) in
                if let existing = try await client.projects().first(where: { $0.identifier == slug }) { return (String(existing.id), resumed, nil) }
                let project = try await client.createProject(name: name, identifier: slug, description: "Workspace \(name)")
                return (String(project.id), true, nil)
            }
        case "openproject.members":
            guard let project = done.step("openproject.project")?.resource.flatMap({ Int($0) }) else { return (nil, false, "no project") }
            return try await openProject.call(account) { client throws(PlatformError) in
                let users = try await client.users()
                let role = try await client.role(named: "Member")
                let present = Set(try await client.memberships(project: project).compactMap(\.principal.id))
                var added: [String] = []
                var missing: [String] = []
                for email in members {
                    guard let user = users.first(where: { $0.email?.lowercased() == email.lowercased() || $0.login?.lowercased() == email.lowercased() }) else {
                        missing.append(email)
                        continue
                    }
                    if present.contains(user.id) { continue }
                    added.append(String(try await client.addMember(project: project, principal: user.id, roles: [role.id]).id))
                }
                return (added.joined(separator: ","), !added.isEmpty, missing.isEmpty ? nil : "not on OpenProject: " + missing.joined(separator: ", "))
            }
        default:
            return try await zulip.call(account) { client throws(PlatformError) in
                let existed = try await client.streams().first { $0.name == name }
                let known = Set(try await client.users().filter(\.isActive).map { $0.email.lowercased() })
                let (present, missing) = (members.filter { known.contains($0.lowercased()) }, members.filter { !known.contains($0.lowercased()) })
                try await client.subscribe(to: name, description: "Workspace \(name)", inviteOnly: true)
                if !present.isEmpty { try await client.subscribe(present, to: name) }
                let id = try await client.streamID(named: name)
                return (String(id), existed == nil || resumed, missing.isEmpty ? nil : "not on Zulip: " + missing.joined(separator: ", "))
            }
        }
    }

    /// The Nextcloud user ids of `emails` (a user search, each candidate's email compared),
    /// and the emails with none.
    static func nextcloudUsers(_ emails: [String], _ ocs: OCSClient) async throws(PlatformError) -> ([String], [String]) {
        var ids: [String] = []
        var missing: [String] = []
        for email in emails {
            var found: String?
            for candidate in try await ocs.users(search: email) where try await ocs.user(candidate).email?.lowercased() == email.lowercased() {
                found = candidate
                break
            }
            if let found { ids.append(found) } else { missing.append(email) }
        }
        return (ids, missing)
    }

    private static func upstream(_ error: FileServiceError) -> PlatformServiceError {
        .upstream(PlatformError(.server, platform: "Nextcloud", method: "WebDAV", url: "", detail: error.description))
    }

    // MARK: Archiving

    /// Undoes a workspace's done steps in reverse: the share and the group it made are
    /// deleted, the members it added removed, its project and stream archived (their content
    /// kept), its folder deleted only while empty. What it found there is left alone.
    public func archive(_ workspace: WorkspaceRecord, progress: (WorkspaceStepRecord) -> Void = { _ in }) async throws(WorkspaceError) -> WorkspaceRecord {
        guard workspace.state != .archived else { return workspace }
        let accounts = try await accounts(of: workspace)
        var workspace = workspace
        workspace.state = .archiving
        try await save(workspace)
        for step in Self.steps.reversed() {
            guard let recorded = workspace.step(step), recorded.status == .done || recorded.status == .failed || recorded.status == .started,
                  let account = account(for: step, in: accounts) else { continue }
            let outcome: Result<String?, PlatformServiceError>
            do {
                outcome = .success(try await undo(recorded, account: account, workspace: workspace))
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(let note):
                let record = WorkspaceStepRecord(name: step, status: .undone, resource: recorded.resource, createdHere: recorded.createdHere, note: note)
                workspace.record(record)
                try await save(workspace)
                progress(record)
            case .failure(let error):
                var failed = recorded
                failed.note = "archiving: \(error)"
                failed.at = Date()
                workspace.record(failed)
                workspace.state = .failed
                try await save(workspace)
                progress(failed)
                throw .stepFailed(workspace, step: step, error)
            }
        }
        workspace.state = .archived
        try await save(workspace)
        return workspace
    }

    private func undo(_ step: WorkspaceStepRecord, account: AccountRecord, workspace: WorkspaceRecord) async throws(PlatformServiceError) -> String? {
        guard let resource = step.resource, !resource.isEmpty else { return nil }
        switch step.name {
        case "zulip.stream":
            guard step.createdHere, let id = Int(resource) else { return "found there: left alone" }
            try await zulip.call(account) { client throws(PlatformError) in try await client.archiveStream(id) }
        case "openproject.members":
            try await openProject.call(account) { client throws(PlatformError) in
                for id in resource.split(separator: ",").compactMap({ Int($0) }) {
                    do throws(PlatformError) {
                        try await client.removeMembership(id)
                    } catch where error.code == .notFound {}
                }
            }
        case "openproject.project":
            guard step.createdHere, let id = Int(resource) else { return "found there: left alone" }
            _ = try await openProject.call(account) { client throws(PlatformError) in try await client.setProject(id, active: false) }
        case "nextcloud.share":
            guard step.createdHere else { return "found there: left alone" }
            try await nextcloud.call(account) { ocs throws(PlatformError) in
                do throws(PlatformError) {
                    try await ocs.deleteShare(resource)
                } catch where error.code == .notFound {}
            }
        case "nextcloud.folder":
            guard step.createdHere else { return "found there: left alone" }
            do {
                guard try await files.list(account, path: resource).allSatisfy({ $0.path == resource || $0.path == resource + "/" }) else {
                    return "not empty: kept"
                }
                try await files.delete(account, path: resource)
            } catch {
                throw Self.upstream(error)
            }
        case "nextcloud.members":
            let group = workspace.step("nextcloud.group")?.resource ?? ""
            try await nextcloud.call(account) { ocs throws(PlatformError) in
                for id in resource.split(separator: ",") {
                    do throws(PlatformError) {
                        try await ocs.removeUser(String(id), fromGroup: group)
                    } catch where error.code == .notFound {}
                }
            }
        default:
            guard step.createdHere else { return "found there: left alone" }
            try await nextcloud.call(account) { ocs throws(PlatformError) in try await ocs.deleteGroup(resource) }
        }
        return nil
    }

    /// The accounts a workspace was made on, as they are now.
    private func accounts(of workspace: WorkspaceRecord) async throws(WorkspaceError) -> WorkspaceRequest {
        func find(_ id: String?) async throws(WorkspaceError) -> AccountRecord? {
            guard let id else { return nil }
            guard let account = try await stored({ () throws(StoreError) in try await store.account(id: id) }) else {
                throw .notFound("the account \(id) the workspace was made on")
            }
            return account
        }
        return WorkspaceRequest(storedName: workspace.name, members: workspace.members, nextcloud: try await find(workspace.nextcloudAccountID),
                                openProject: try await find(workspace.openProjectAccountID), zulip: try await find(workspace.zulipAccountID))
    }

    /// Every workspace of a tenant (`nil`: the operator's own).
    public func list(tenantID: String?) async throws(WorkspaceError) -> [WorkspaceRecord] {
        try await stored { () throws(StoreError) in try await store.workspaces() }.filter { $0.tenantID == tenantID }
    }

    /// A workspace of a tenant by id or stored name.
    public func workspace(_ idOrName: String, tenantID: String?) async throws(WorkspaceError) -> WorkspaceRecord {
        let found = try await stored { () throws(StoreError) -> WorkspaceRecord? in
            if let byID = try await store.workspace(id: idOrName) { return byID }
            return try await store.workspace(name: idOrName)
        }
        guard let found, found.tenantID == tenantID else { throw .notFound("workspace \(TenantScopedName.shown(idOrName))") }
        return found
    }

    // MARK: Store

    private func save(_ workspace: WorkspaceRecord) async throws(WorkspaceError) {
        try await stored { () throws(StoreError) in try await store.saveWorkspace(workspace) }
    }

    private func stored<Value>(_ body: () async throws(StoreError) -> Value) async throws(WorkspaceError) -> Value {
        do { return try await body() } catch { throw .store(error) }
    }
}
