public import Foundation

/// Where a workspace is in its life.
public enum WorkspaceState: String, Sendable, Hashable, Codable {
    /// Its steps are running, or a run stopped (a crash) before they ended.
    case provisioning
    /// Every step is done.
    case ready
    /// A step failed; a run again resumes from it.
    case failed
    /// Its steps are being undone.
    case archiving
    /// Every step it did is undone.
    case archived
}

/// One step of provisioning a workspace, as recorded: started before it acts, so a run that
/// stops half-way knows a resource found later is its own.
public struct WorkspaceStepRecord: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        case started, done, failed, undone
    }

    /// What the step makes (`nextcloud.group`, `openproject.project`, `zulip.stream`…).
    public var name: String
    public var status: Status
    /// What it made or found: the group's id, the share's, the project's, the stream's; for
    /// member steps the ids it added, comma-separated.
    public var resource: String?
    /// Whether this workspace made the resource (archiving removes it) or found it there
    /// (archiving leaves it alone).
    public var createdHere: Bool
    /// What went wrong, or what was left out (members not found on a platform).
    public var note: String?
    public var at: Date

    public init(name: String, status: Status, resource: String? = nil, createdHere: Bool = false, note: String? = nil, at: Date = Date()) {
        self.name = name
        self.status = status
        self.resource = resource
        self.createdHere = createdHere
        self.note = note
        self.at = at
    }
}

/// A workspace across platforms: a Nextcloud group with a shared folder, an OpenProject
/// project with memberships and a Zulip stream with subscribers, for one set of members,
/// with the record of every step.
public struct WorkspaceRecord: Sendable, Hashable, Codable {
    public var id: String
    /// Unique in a store (a tenant's are `tenant/name`).
    public var name: String
    public var tenantID: String?
    /// The members' email addresses.
    public var members: [String]
    public var nextcloudAccountID: String?
    public var openProjectAccountID: String?
    public var zulipAccountID: String?
    public var state: WorkspaceState
    public var steps: [WorkspaceStepRecord]
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String = UUID().uuidString, name: String, tenantID: String? = nil, members: [String], nextcloudAccountID: String? = nil,
                openProjectAccountID: String? = nil, zulipAccountID: String? = nil, state: WorkspaceState = .provisioning,
                steps: [WorkspaceStepRecord] = [], createdAt: Date = Date(), updatedAt: Date = Date()) {
        self.id = id
        self.name = name
        self.tenantID = tenantID
        self.members = members
        self.nextcloudAccountID = nextcloudAccountID
        self.openProjectAccountID = openProjectAccountID
        self.zulipAccountID = zulipAccountID
        self.state = state
        self.steps = steps
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The step of that name, as last recorded.
    public func step(_ name: String) -> WorkspaceStepRecord? { steps.first { $0.name == name } }

    /// Records a step (replacing the one of its name).
    public mutating func record(_ step: WorkspaceStepRecord) {
        if let index = steps.firstIndex(where: { $0.name == step.name }) { steps[index] = step } else { steps.append(step) }
        updatedAt = step.at
    }
}

/// Workspaces and their steps.
public protocol WorkspaceStore: Sendable {
    /// Writes a workspace (insert or replace by id); a second of the same name is a constraint error.
    func saveWorkspace(_ workspace: WorkspaceRecord) async throws(StoreError)
    func workspace(id: String) async throws(StoreError) -> WorkspaceRecord?
    func workspace(name: String) async throws(StoreError) -> WorkspaceRecord?
    /// Every workspace, by name.
    func workspaces() async throws(StoreError) -> [WorkspaceRecord]
}
