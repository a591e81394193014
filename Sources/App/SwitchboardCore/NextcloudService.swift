public import Accounts
import Foundation
import HTTPTransport
public import NextcloudOCS
public import SwitchboardStore

/// Why a Nextcloud platform call failed: the account cannot be used, or the server refused
/// or failed (``OCSError`` names which, with Nextcloud's own status).
public enum NextcloudError: Error, Sendable, CustomStringConvertible {
    /// The account is not on a Nextcloud (it was added as `dav`).
    case notNextcloud(String)
    case account(AccountError)
    case ocs(OCSError)

    public var description: String {
        switch self {
        case .notNextcloud(let name): "the account \(name) is not a Nextcloud account (add it with kind nextcloud)"
        case .account(let error): error.description
        case .ocs(let error): error.description
        }
    }
}

/// Nextcloud's platform APIs for an account on a Nextcloud: users, groups and shares (the
/// account's own credentials: provisioning needs an administrator's or a group
/// sub-administrator's app password). The OCS API is found beside the account's DAV URL.
public struct NextcloudService: Sendable {
    let clients: AccountClients

    /// Creates the user and answers it as the server then describes it.
    public func createUser(_ account: AccountRecord, _ user: NewNextcloudUser) async throws(NextcloudError) -> NextcloudUser {
        try await call(account) { ocs throws(OCSError) in
            try await ocs.createUser(user)
            return try await ocs.user(user.userid)
        }
    }

    /// Sets the fields given (each a call, as the provisioning API takes one field at a time),
    /// then the enabled state when given; answers the user as changed.
    public func changeUser(_ account: AccountRecord, _ id: String, fields: [(NextcloudUserField, String)],
                           enabled: Bool?) async throws(NextcloudError) -> NextcloudUser {
        try await call(account) { ocs throws(OCSError) in
            for (field, value) in fields { try await ocs.editUser(id, field, to: value) }
            if let enabled { try await ocs.setUser(id, enabled: enabled) }
            return try await ocs.user(id)
        }
    }

    /// Runs `operation` with an OCS client of `account`'s server, its credentials held to
    /// that server (and to the tenants' network policy when the account is a tenant's).
    public func call<Value>(_ account: AccountRecord, _ operation: (OCSClient) async throws(OCSError) -> Value) async throws(NextcloudError) -> Value {
        guard account.kind == .nextcloud else { throw .notNextcloud(account.name) }
        guard let root = PushSubscriptions.ocsRoot(ofDAV: account.serverURL), let origin = URL(string: account.serverURL) else {
            throw .account(AccountError(.unusable, detail: "account \(account.name): \(account.serverURL) is not a URL"))
        }
        let transport: HTTPTransport
        do {
            transport = try clients.makeTransport(for: account, user: account.username, sealedPassword: account.sealedPassword, origin: origin)
        } catch {
            throw .account(error)
        }
        do {
            let value = try await operation(OCSClient(baseURL: root, transport: transport))
            await transport.shutdown()
            return value
        } catch {
            await transport.shutdown()
            throw .ocs(error)
        }
    }
}
