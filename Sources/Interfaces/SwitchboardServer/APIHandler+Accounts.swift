import Accounts
import DAVClient
import Foundation
import Logging
import SwitchboardCore
import SwitchboardAPI
import SyncEngine
import SyncPlanning
import SwitchboardStore

/// The tenant's groupware accounts: connect (tested and discovered first), list, forget.
///
/// Account names are unique per tenant; the store, whose names are unique across it, keeps
/// a tenant's account as `tenant/name` (see docs/decisions.md).
extension APIHandler {
    func listAccounts(_ input: Operations.ListAccounts.Input) async throws -> Operations.ListAccounts.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.read)
            let accounts = try await lookup { () throws(LookupError) in try await hub.tenant(principal.tenantID).accounts() }
            let collections = try await collections(of: principal)
            return .ok(.init(body: .json(accounts.map { account in
                Self.account(account, collections: collections.filter { $0.accountID == account.id })
            })))
        }
    }

    func connectAccount(_ input: Operations.ConnectAccount.Input) async throws -> Operations.ConnectAccount.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            guard !body.name.isEmpty, body.name.count <= 100, !body.name.contains("/") else {
                throw Problem.invalid("name", "1 to 100 characters, no slash")
            }
            guard let url = URL(string: body.url), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
                throw Problem.invalid("url", "an http or https URL")
            }
            let interval = body.syncIntervalSeconds ?? 300
            guard (60...604_800).contains(interval) else { throw Problem.invalid("syncIntervalSeconds", "between 60 and 604800") }
            var policy = ConflictPolicy.remoteWins
            if let asked = body.conflictPolicy {
                guard let known = ConflictPolicy(rawValue: asked.rawValue) else { throw Problem.invalid("conflictPolicy", "unknown policy") }
                policy = known
            }
            let tenants = try await call { () throws(StoreError) in try await store.tenants() }
            guard let tenant = tenants.first(where: { $0.id == principal.tenantID }) else { throw Problem.unauthorized }
            let connection = AccountConnection(name: TenantScopedName.stored(body.name, tenantName: tenant.name), serverURL: url, username: body.username,
                                               password: body.password, tenantID: tenant.id, syncInterval: interval, conflictPolicy: policy,
                                               kind: body.kind.flatMap { AccountKind(rawValue: $0.rawValue) } ?? .dav)
            let (account, collections): (AccountRecord, [CollectionRecord])
            do throws(AccountError) {
                (account, collections) = try await syncer.clients.connect(connection, in: store)
            } catch {
                throw Problem(connecting: error)
            }
            audit("account.connect", principal, target: account.id)
            return .created(.init(body: .json(Self.account(account, collections: collections))))
        }
    }

    func deleteAccount(_ input: Operations.DeleteAccount.Input) async throws -> Operations.DeleteAccount.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            let account = try await account(input.path.accountId, of: principal)
            if let unreachable = try await call({ () throws(PushError) in try await push.removeAccount(account) }) {
                logger.warning("the server's push webhooks could not be removed", metadata: ["account": .string(account.id), "error": .string("\(unreachable)")])
            }
            audit("account.delete", principal, target: account.id)
            return .noContent(.init())
        }
    }

    static func account(_ account: AccountRecord, collections: [CollectionRecord]) -> Components.Schemas.Account {
        return .init(id: account.id, name: account.localName, url: account.serverURL, username: account.username, createdAt: account.createdAt,
                     collections: collections.map(Self.collection), filesUrl: account.filesURL)
    }
}

extension Problem {
    /// Why an account could not be connected, in terms the person connecting it can act on.
    init(connecting error: AccountError) {
        switch (error.code, error.upstream?.code) {
        case (.server, .destinationRefused?):
            self = .invalid("url", "the server's address is not allowed by this installation's network policy")
            code = "destination_refused"
        case (.server, .unauthorized?), (.server, .forbidden?):
            self.init(status: 422, code: "credentials_refused", title: "Credentials refused", detail: "the server refused the user name or password")
        case (.server, _):
            self.init(status: 422, code: "connection_failed", title: "The server could not be connected", detail: error.detail)
        case (.nameTaken, _):
            self.init(status: 409, code: "name_taken", title: "Name taken", detail: error.detail)
        default:
            self.init(SyncError(error))
        }
    }
}
