import Foundation
import SwitchboardAPI
import SwitchboardCore
import SwitchboardStore

/// Workspaces across the tenant's Nextcloud, OpenProject and Zulip accounts.
extension APIHandler {
    func listWorkspaces(_ input: Operations.ListWorkspaces.Input) async throws -> Operations.ListWorkspaces.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.read)
            let workspaces = try await workspaceCall { () throws(WorkspaceError) in try await hub.workspaces.list(tenantID: principal.tenantID) }
            return .ok(.init(body: .json(workspaces.map(Self.workspace))))
        }
    }

    func createWorkspace(_ input: Operations.CreateWorkspace.Input) async throws -> Operations.CreateWorkspace.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            func account(_ id: String?) async throws(Problem) -> AccountRecord? {
                guard let id else { return nil }
                return try await self.account(id, of: principal)
            }
            let tenants = try await call { () throws(StoreError) in try await store.tenants() }
            guard let tenant = tenants.first(where: { $0.id == principal.tenantID }) else { throw Problem.unauthorized }
            let request = WorkspaceRequest(storedName: TenantScopedName.stored(body.name, tenantName: tenant.name), members: body.members,
                                           nextcloud: try await account(body.nextcloudAccountId), openProject: try await account(body.openProjectAccountId),
                                           zulip: try await account(body.zulipAccountId))
            let workspace = try await workspaceCall { () throws(WorkspaceError) in try await hub.workspaces.create(request, tenantID: tenant.id) }
            audit("workspace.create", principal, target: workspace.id)
            return .created(.init(body: .json(Self.workspace(workspace))))
        }
    }

    func getWorkspace(_ input: Operations.GetWorkspace.Input) async throws -> Operations.GetWorkspace.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.read)
            let id = input.path.workspaceId
            let workspace = try await workspaceCall { () throws(WorkspaceError) in try await hub.workspaces.workspace(id, tenantID: principal.tenantID) }
            return .ok(.init(body: .json(Self.workspace(workspace))))
        }
    }

    func archiveWorkspace(_ input: Operations.ArchiveWorkspace.Input) async throws -> Operations.ArchiveWorkspace.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            let id = input.path.workspaceId
            let archived = try await workspaceCall { () throws(WorkspaceError) in
                try await hub.workspaces.archive(try await hub.workspaces.workspace(id, tenantID: principal.tenantID))
            }
            audit("workspace.archive", principal, target: archived.id)
            return .ok(.init(body: .json(Self.workspace(archived))))
        }
    }

    private func workspaceCall<Value>(_ body: () async throws(WorkspaceError) -> Value) async throws(Problem) -> Value {
        do { return try await body() } catch { throw Problem(error) }
    }

    static func workspace(_ workspace: WorkspaceRecord) -> Components.Schemas.Workspace {
        .init(id: workspace.id, name: TenantScopedName.shown(workspace.name), state: .init(rawValue: workspace.state.rawValue) ?? .failed,
              members: workspace.members, steps: workspace.steps.map {
                  .init(name: $0.name, status: .init(rawValue: $0.status.rawValue) ?? .failed, resource: $0.resource, createdHere: $0.createdHere,
                        note: $0.note, at: $0.at)
              })
    }
}

extension Problem {
    init(_ error: WorkspaceError) {
        switch error {
        case .notFound: self.init(status: 404, code: "not_found", title: "Not found", detail: error.description)
        case .invalid: self.init(status: 422, code: "invalid", title: "The workspace cannot be made so", detail: error.description)
        case .archived: self.init(status: 409, code: "workspace_archived", title: "The workspace is archived", detail: error.description)
        case .stepFailed(let workspace, let step, let cause):
            self.init(status: 502, code: "workspace_step_failed", title: "A step of the workspace failed",
                      detail: "workspace \(workspace.id): step \(step) failed (post again to resume): \(cause)")
        case .store(let error): self.init(error)
        }
    }
}
