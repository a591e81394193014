import HTTPTransport
import Accounts
import Foundation
import NextcloudOCS
import SwitchboardAPI
import SwitchboardCore
import SwitchboardStore

/// Users, groups and shares on the Nextcloud of one of the tenant's accounts.
extension APIHandler {
    func listNextcloudUsers(_ input: Operations.ListNextcloudUsers.Input) async throws -> Operations.ListNextcloudUsers.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let account = try await account(input.path.accountId, of: try Principal.requiring(.read))
            let search = input.query.search ?? ""
            let ids = try await nextcloud(account) { ocs throws(PlatformError) in try await ocs.allUsers(search: search) }
            return .ok(.init(body: .json(.init(ids: ids))))
        }
    }

    func createNextcloudUser(_ input: Operations.CreateNextcloudUser.Input) async throws -> Operations.CreateNextcloudUser.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            let account = try await account(input.path.accountId, of: principal)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            let new = NewNextcloudUser(id: body.id, password: body.password ?? "", displayName: body.displayName ?? "", email: body.email ?? "",
                                       groups: body.groups ?? [], quota: body.quota ?? "", language: body.language ?? "")
            let user = try await platformCall { () throws(PlatformServiceError) in try await hub.nextcloud.createUser(account, new) }
            audit("nextcloud.user.create", principal, target: "\(account.id)/\(user.id)")
            return .created(.init(body: .json(Self.user(user))))
        }
    }

    func getNextcloudUser(_ input: Operations.GetNextcloudUser.Input) async throws -> Operations.GetNextcloudUser.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let account = try await account(input.path.accountId, of: try Principal.requiring(.read))
            let id = input.path.userId
            return .ok(.init(body: .json(Self.user(try await nextcloud(account) { ocs throws(PlatformError) in try await ocs.user(id) }))))
        }
    }

    func updateNextcloudUser(_ input: Operations.UpdateNextcloudUser.Input) async throws -> Operations.UpdateNextcloudUser.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            let account = try await account(input.path.accountId, of: principal)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            let id = input.path.userId
            let fields: [(NextcloudUserField, String)] = [(.displayName, body.displayName), (.email, body.email), (.quota, body.quota), (.language, body.language)]
                .compactMap { field, value in value.map { (field, $0) } }
            let user = try await platformCall { () throws(PlatformServiceError) in
                try await hub.nextcloud.changeUser(account, id, fields: fields, enabled: body.enabled)
            }
            audit("nextcloud.user.update", principal, target: "\(account.id)/\(id)")
            return .ok(.init(body: .json(Self.user(user))))
        }
    }

    func deleteNextcloudUser(_ input: Operations.DeleteNextcloudUser.Input) async throws -> Operations.DeleteNextcloudUser.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            let account = try await account(input.path.accountId, of: principal)
            let id = input.path.userId
            try await nextcloud(account) { ocs throws(PlatformError) in try await ocs.deleteUser(id) }
            audit("nextcloud.user.delete", principal, target: "\(account.id)/\(id)")
            return .noContent(.init())
        }
    }

    func listNextcloudGroups(_ input: Operations.ListNextcloudGroups.Input) async throws -> Operations.ListNextcloudGroups.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let account = try await account(input.path.accountId, of: try Principal.requiring(.read))
            let search = input.query.search ?? ""
            let ids = try await nextcloud(account) { ocs throws(PlatformError) in try await ocs.groups(search: search) }
            return .ok(.init(body: .json(.init(ids: ids))))
        }
    }

    func createNextcloudGroup(_ input: Operations.CreateNextcloudGroup.Input) async throws -> Operations.CreateNextcloudGroup.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            let account = try await account(input.path.accountId, of: principal)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            try await nextcloud(account) { ocs throws(PlatformError) in try await ocs.createGroup(body.id, displayName: body.displayName ?? "") }
            audit("nextcloud.group.create", principal, target: "\(account.id)/\(body.id)")
            return .noContent(.init())
        }
    }

    func deleteNextcloudGroup(_ input: Operations.DeleteNextcloudGroup.Input) async throws -> Operations.DeleteNextcloudGroup.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            let account = try await account(input.path.accountId, of: principal)
            let id = input.path.groupId
            try await nextcloud(account) { ocs throws(PlatformError) in try await ocs.deleteGroup(id) }
            audit("nextcloud.group.delete", principal, target: "\(account.id)/\(id)")
            return .noContent(.init())
        }
    }

    func listNextcloudGroupMembers(_ input: Operations.ListNextcloudGroupMembers.Input) async throws -> Operations.ListNextcloudGroupMembers.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let account = try await account(input.path.accountId, of: try Principal.requiring(.read))
            let id = input.path.groupId
            let ids = try await nextcloud(account) { ocs throws(PlatformError) in try await ocs.members(ofGroup: id) }
            return .ok(.init(body: .json(.init(ids: ids))))
        }
    }

    func listNextcloudShares(_ input: Operations.ListNextcloudShares.Input) async throws -> Operations.ListNextcloudShares.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let account = try await account(input.path.accountId, of: try Principal.requiring(.read))
            let path = input.query.path
            let shares = try await nextcloud(account) { ocs throws(PlatformError) in try await ocs.shares(path: path) }
            return .ok(.init(body: .json(shares.map(Self.share))))
        }
    }

    func createNextcloudShare(_ input: Operations.CreateNextcloudShare.Input) async throws -> Operations.CreateNextcloudShare.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            let account = try await account(input.path.accountId, of: principal)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            let kind: ShareKind
            switch (body._type, body.with) {
            case (.link, nil): kind = .publicLink
            case (.link, _): throw Problem.invalid("with", "a link is shared with no one")
            case (_, nil): throw Problem.invalid("with", "name the user, group or address")
            case (.user, let with?): kind = .user(with)
            case (.group, let with?): kind = .group(with)
            case (.email, let with?): kind = .email(with)
            }
            let new = NewNextcloudShare(path: body.path, kind: kind, permissions: body.permissions.map(SharePermissions.init(rawValue:)),
                                        password: body.password ?? "", expires: body.expires, label: body.label ?? "", note: body.note ?? "")
            let share = try await nextcloud(account) { ocs throws(PlatformError) in try await ocs.createShare(new) }
            audit("nextcloud.share.create", principal, target: "\(account.id)/\(share.id)")
            return .created(.init(body: .json(Self.share(share))))
        }
    }

    func deleteNextcloudShare(_ input: Operations.DeleteNextcloudShare.Input) async throws -> Operations.DeleteNextcloudShare.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            let account = try await account(input.path.accountId, of: principal)
            let id = input.path.shareId
            try await nextcloud(account) { ocs throws(PlatformError) in try await ocs.deleteShare(id) }
            audit("nextcloud.share.delete", principal, target: "\(account.id)/\(id)")
            return .noContent(.init())
        }
    }

    func searchNextcloudSharees(_ input: Operations.SearchNextcloudSharees.Input) async throws -> Operations.SearchNextcloudSharees.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let account = try await account(input.path.accountId, of: try Principal.requiring(.read))
            let search = input.query.search
            let found = try await nextcloud(account) { ocs throws(PlatformError) in try await ocs.sharees(search: search) }
            return .ok(.init(body: .json(found.map { sharee in
                .init(label: sharee.label, _type: .init(rawValue: sharee.typeName) ?? .other, with: sharee.shareWith, exact: sharee.exact)
            })))
        }
    }

    private func nextcloud<Value>(_ account: AccountRecord, _ operation: (OCSClient) async throws(PlatformError) -> Value) async throws(Problem) -> Value {
        try await platformCall { () throws(PlatformServiceError) in try await hub.nextcloud.call(account, operation) }
    }

    static func user(_ user: NextcloudUser) -> Components.Schemas.NextcloudUser {
        .init(id: user.id, displayName: user.displayName, email: user.email, enabled: user.enabled, groups: user.groups, language: user.language,
              quotaBytes: user.quota.quota.flatMap { $0 >= 0 ? $0 : nil }, usedBytes: user.quota.used)
    }

    static func share(_ share: NextcloudShare) -> Components.Schemas.NextcloudShare {
        .init(id: share.id, _type: .init(rawValue: share.typeName) ?? .other, with: share.shareWith, path: share.path, permissions: share.permissions,
              expires: share.expiration, url: share.url)
    }
}
