import HTTPTransport
import SwitchboardStore
import Foundation
import OpenProjectAPI
import SwitchboardAPI
import SwitchboardCore

/// Projects, work packages and time on the OpenProject of one of the tenant's accounts.
extension APIHandler {
    func listOpenProjectProjects(_ input: Operations.ListOpenProjectProjects.Input) async throws -> Operations.ListOpenProjectProjects.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let account = try await account(input.path.accountId, of: try Principal.requiring(.read))
            let projects = try await platformCall { () throws(PlatformServiceError) in
                try await hub.openProject.call(account) { client throws(PlatformError) in try await client.projects() }
            }
            return .ok(.init(body: .json(projects.map(Self.project))))
        }
    }

    func createOpenProjectProject(_ input: Operations.CreateOpenProjectProject.Input) async throws -> Operations.CreateOpenProjectProject.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            let account = try await account(input.path.accountId, of: principal)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            let project = try await platformCall { () throws(PlatformServiceError) in
                try await hub.openProject.call(account) { client throws(PlatformError) in
                    try await client.createProject(name: body.name, identifier: body.identifier, description: body.description ?? "", isPublic: body._public ?? false)
                }
            }
            audit("openproject.project.create", principal, target: "\(account.id)/\(project.id)")
            return .created(.init(body: .json(Self.project(project))))
        }
    }

    func listOpenProjectWorkPackages(_ input: Operations.ListOpenProjectWorkPackages.Input) async throws -> Operations.ListOpenProjectWorkPackages.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let account = try await account(input.path.accountId, of: try Principal.requiring(.read))
            let query = input.query
            let packages = try await platformCall { () throws(PlatformServiceError) in
                try await hub.openProject.workPackages(account, project: query.project, status: query.status ?? "all", subject: query.subject, limit: query.limit)
            }
            return .ok(.init(body: .json(packages.map(Self.workPackage))))
        }
    }

    func createOpenProjectWorkPackage(_ input: Operations.CreateOpenProjectWorkPackage.Input) async throws -> Operations.CreateOpenProjectWorkPackage.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.book)
            let account = try await account(input.path.accountId, of: principal)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            let created = try await platformCall { () throws(PlatformServiceError) in
                try await hub.openProject.createWorkPackage(account, project: body.project, subject: body.subject, type: body._type, description: body.description,
                                                            dueDate: body.dueDate)
            }
            audit("openproject.work-package.create", principal, target: "\(account.id)/\(created.id)")
            return .created(.init(body: .json(Self.workPackage(created))))
        }
    }

    func getOpenProjectWorkPackage(_ input: Operations.GetOpenProjectWorkPackage.Input) async throws -> Operations.GetOpenProjectWorkPackage.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let account = try await account(input.path.accountId, of: try Principal.requiring(.read))
            let id = input.path.workPackageId
            let package = try await platformCall { () throws(PlatformServiceError) in
                try await hub.openProject.call(account) { client throws(PlatformError) in try await client.workPackage(id) }
            }
            return .ok(.init(body: .json(Self.workPackage(package))))
        }
    }

    func changeOpenProjectWorkPackage(_ input: Operations.ChangeOpenProjectWorkPackage.Input) async throws -> Operations.ChangeOpenProjectWorkPackage.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.book)
            let account = try await account(input.path.accountId, of: principal)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            let id = input.path.workPackageId
            let edit = WorkPackageEdit(lockVersion: body.lockVersion, subject: body.subject, description: body.description, status: body.status,
                                       dueDate: body.dueDate, percentageDone: body.percentageDone)
            let changed = try await platformCall { () throws(PlatformServiceError) in try await hub.openProject.changeWorkPackage(account, id, edit) }
            audit("openproject.work-package.change", principal, target: "\(account.id)/\(id)")
            return .ok(.init(body: .json(Self.workPackage(changed))))
        }
    }

    func commentOnOpenProjectWorkPackage(_ input: Operations.CommentOnOpenProjectWorkPackage.Input) async throws -> Operations.CommentOnOpenProjectWorkPackage.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.book)
            let account = try await account(input.path.accountId, of: principal)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            let id = input.path.workPackageId
            _ = try await platformCall { () throws(PlatformServiceError) in
                try await hub.openProject.call(account) { client throws(PlatformError) in try await client.comment(on: id, body.text) }
            }
            audit("openproject.work-package.comment", principal, target: "\(account.id)/\(id)")
            return .noContent(.init())
        }
    }

    func logOpenProjectTime(_ input: Operations.LogOpenProjectTime.Input) async throws -> Operations.LogOpenProjectTime.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.book)
            let account = try await account(input.path.accountId, of: principal)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            let entry = try await platformCall { () throws(PlatformServiceError) in
                try await hub.openProject.logTime(account, workPackage: body.workPackage, hours: body.hours, spentOn: body.spentOn, comment: body.comment ?? "")
            }
            audit("openproject.time.log", principal, target: "\(account.id)/\(body.workPackage)")
            return .created(.init(body: .json(.init(id: entry.id, workPackage: entry.workPackage?.id, hours: entry.hours, spentOn: entry.spentOn,
                                                    comment: entry.comment))))
        }
    }

    func listOpenProjectRelations(_ input: Operations.ListOpenProjectRelations.Input) async throws -> Operations.ListOpenProjectRelations.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let account = try await account(input.path.accountId, of: try Principal.requiring(.read))
            let id = input.path.workPackageId
            let relations = try await platformCall { () throws(PlatformServiceError) in
                try await hub.openProject.call(account) { client throws(PlatformError) in try await client.relations(of: id) }
            }
            return .ok(.init(body: .json(relations.map(Self.relation))))
        }
    }

    func relateOpenProjectWorkPackages(_ input: Operations.RelateOpenProjectWorkPackages.Input) async throws -> Operations.RelateOpenProjectWorkPackages.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.book)
            let account = try await account(input.path.accountId, of: principal)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            let id = input.path.workPackageId
            let relation = try await platformCall { () throws(PlatformServiceError) in
                try await hub.openProject.call(account) { client throws(PlatformError) in try await client.relate(id, to: body.to, type: body._type.rawValue) }
            }
            audit("openproject.relation.create", principal, target: "\(account.id)/\(relation.id)")
            return .created(.init(body: .json(Self.relation(relation))))
        }
    }

    func deleteOpenProjectRelation(_ input: Operations.DeleteOpenProjectRelation.Input) async throws -> Operations.DeleteOpenProjectRelation.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.book)
            let account = try await account(input.path.accountId, of: principal)
            let id = input.path.relationId
            try await platformCall { () throws(PlatformServiceError) in
                try await hub.openProject.call(account) { client throws(PlatformError) in try await client.deleteRelation(id) }
            }
            audit("openproject.relation.delete", principal, target: "\(account.id)/\(id)")
            return .noContent(.init())
        }
    }

    func listOpenProjectVersions(_ input: Operations.ListOpenProjectVersions.Input) async throws -> Operations.ListOpenProjectVersions.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let account = try await account(input.path.accountId, of: try Principal.requiring(.read))
            let project = input.path.projectId
            let versions = try await platformCall { () throws(PlatformServiceError) in
                try await hub.openProject.call(account) { client throws(PlatformError) in try await client.versions(of: project) }
            }
            return .ok(.init(body: .json(versions.map(Self.version))))
        }
    }

    func createOpenProjectVersion(_ input: Operations.CreateOpenProjectVersion.Input) async throws -> Operations.CreateOpenProjectVersion.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            let account = try await account(input.path.accountId, of: principal)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            let project = input.path.projectId
            let version = try await platformCall { () throws(PlatformServiceError) in
                try await hub.openProject.call(account) { client throws(PlatformError) in
                    try await client.createVersion(in: project, name: body.name, startDate: body.startDate, endDate: body.endDate)
                }
            }
            audit("openproject.version.create", principal, target: "\(account.id)/\(version.id)")
            return .created(.init(body: .json(Self.version(version))))
        }
    }

    func listOpenProjectAttachments(_ input: Operations.ListOpenProjectAttachments.Input) async throws -> Operations.ListOpenProjectAttachments.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let account = try await account(input.path.accountId, of: try Principal.requiring(.read))
            let id = input.path.workPackageId
            let attachments = try await platformCall { () throws(PlatformServiceError) in
                try await hub.openProject.call(account) { client throws(PlatformError) in try await client.attachments(of: id) }
            }
            return .ok(.init(body: .json(attachments.map(Self.attachment))))
        }
    }

    func attachToOpenProjectWorkPackage(_ input: Operations.AttachToOpenProjectWorkPackage.Input) async throws -> Operations.AttachToOpenProjectWorkPackage.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.book)
            let account = try await account(input.path.accountId, of: principal)
            guard case .any(let stream) = input.body else { throw Problem.invalid("body", "send the file") }
            let bytes = try await Self.bytes(of: stream, upTo: Self.attachmentLimit)
            let (id, name) = (input.path.workPackageId, input.query.fileName)
            let type = input.query.contentType ?? "application/octet-stream"
            let attachment = try await platformCall { () throws(PlatformServiceError) in
                try await hub.openProject.call(account) { client throws(PlatformError) in
                    try await client.attach(to: id, fileName: name, contentType: type, bytes: bytes)
                }
            }
            audit("openproject.attachment.create", principal, target: "\(account.id)/\(attachment.id)")
            return .created(.init(body: .json(Self.attachment(attachment))))
        }
    }

    /// The most an attachment sent through the API may hold (the server's body limit applies first).
    static let attachmentLimit = 64 << 20

    static func relation(_ relation: OpenProjectRelation) -> Components.Schemas.OpenProjectRelation {
        .init(id: relation.id, _type: relation.type, from: relation.from?.id, to: relation.to?.id)
    }

    static func version(_ version: OpenProjectVersion) -> Components.Schemas.OpenProjectVersion {
        .init(id: version.id, name: version.name, status: version.status, startDate: version.startDate, endDate: version.endDate)
    }

    static func attachment(_ attachment: OpenProjectAttachment) -> Components.Schemas.OpenProjectAttachment {
        .init(id: attachment.id, fileName: attachment.fileName, contentType: attachment.contentType, size: attachment.fileSize.map(Int.init))
    }

    static func project(_ project: OpenProjectProject) -> Components.Schemas.OpenProjectProject {
        .init(id: project.id, identifier: project.identifier, name: project.name, active: project.active, _public: project.isPublic,
              description: project.description)
    }

    static func workPackage(_ package: OpenProjectWorkPackage) -> Components.Schemas.OpenProjectWorkPackage {
        .init(id: package.id, subject: package.subject, lockVersion: package.lockVersion, description: package.description, project: package.project.id,
              _type: package.type.title ?? "", status: package.status.title ?? "", priority: package.priority?.title, assignee: package.assignee?.title,
              startDate: package.startDate, dueDate: package.dueDate, percentageDone: package.percentageDone)
    }
}
