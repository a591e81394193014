public import Accounts
import DAVClient
import Foundation
public import HTTPTransport
public import NextcloudOCS
public import SwitchboardStore

/// Why a platform call (Nextcloud, OpenProject, Zulip) failed: the account is of another
/// kind or cannot be used, or the server refused or failed (``PlatformError`` says which,
/// with the platform's own code).
public enum PlatformServiceError: Error, Sendable, CustomStringConvertible {
    /// The account is not of the platform's kind.
    case wrongKind(account: String, expected: AccountKind)
    case account(AccountError)
    case upstream(PlatformError)

    public var description: String {
        switch self {
        case .wrongKind(let name, let kind): "the account \(name) is not a \(kind.rawValue) account (add it with kind \(kind.rawValue))"
        case .account(let error): error.description
        case .upstream(let error): error.description
        }
    }
}

extension AccountClients {
    /// Runs `operation` with the account's pooled transport (the one its DAV client uses:
    /// its credentials held to the account's origin, and to the tenants' network policy when
    /// the account is a tenant's), kept open for the next call and closed with the clients.
    func platformCall<Value>(_ account: AccountRecord, kind: AccountKind, root: URL?,
                             _ operation: (HTTPTransport, URL) async throws(PlatformError) -> Value) async throws(PlatformServiceError) -> Value {
        guard account.kind == kind else { throw .wrongKind(account: account.name, expected: kind) }
        guard let root else {
            throw .account(AccountError(.unusable, detail: "account \(account.name): \(account.serverURL) is not a URL"))
        }
        let transport: HTTPTransport
        do {
            transport = try client(for: account).transport
        } catch {
            throw .account(error)
        }
        do {
            return try await operation(transport, root)
        } catch {
            throw .upstream(error)
        }
    }
}

/// Nextcloud's platform APIs for an account on a Nextcloud: users, groups and shares (the
/// account's own credentials: provisioning needs an administrator's or a group
/// sub-administrator's app password). The OCS API is found beside the account's DAV URL.
public struct NextcloudService: Sendable {
    let clients: AccountClients

    /// Creates the user and answers it as the server then describes it.
    public func createUser(_ account: AccountRecord, _ user: NewNextcloudUser) async throws(PlatformServiceError) -> NextcloudUser {
        try await call(account) { ocs throws(PlatformError) in
            try await ocs.createUser(user)
            return try await ocs.user(user.userid)
        }
    }

    /// Sets the fields given (each a call, as the provisioning API takes one field at a time),
    /// then the enabled state when given; answers the user as changed.
    public func changeUser(_ account: AccountRecord, _ id: String, fields: [(NextcloudUserField, String)],
                           enabled: Bool?) async throws(PlatformServiceError) -> NextcloudUser {
        try await call(account) { ocs throws(PlatformError) in
            for (field, value) in fields { try await ocs.editUser(id, field, to: value) }
            if let enabled { try await ocs.setUser(id, enabled: enabled) }
            return try await ocs.user(id)
        }
    }

    /// Runs `operation` with an OCS client of `account`'s server, its credentials held to
    /// that server (and to the tenants' network policy when the account is a tenant's).
    public func call<Value>(_ account: AccountRecord, _ operation: (OCSClient) async throws(PlatformError) -> Value) async throws(PlatformServiceError) -> Value {
        try await clients.platformCall(account, kind: .nextcloud, root: PushSubscriptions.ocsRoot(ofDAV: account.serverURL)) { transport, root throws(PlatformError) in
            try await operation(OCSClient(baseURL: root, transport: transport))
        }
    }
}
