public import DAVClient
public import HTTPTransport
public import Foundation
import Synchronization
public import SwitchboardStore

/// DAV clients for the store's accounts: one connection pool per account, its password
/// opened from the sealed copy only when the pool is made, and kept by account id so a
/// request for a known account reads nothing. Shut down once at the end.
/// A tenant's accounts reach only what `tenantPolicy` allows; the operator's reach anything.
public final class AccountClients: Sendable {
    let secrets: SecretBox
    let baseConfiguration: ClientConfiguration
    /// The addresses a tenant's accounts may reach.
    public let tenantPolicy: NetworkPolicy
    private let clients = Mutex<[String: DAVClient]>([:])

    /// Clients configured like `configuration`, with each account's credentials.
    public init(secrets: SecretBox, configuration: ClientConfiguration = ClientConfiguration(), tenantPolicy: NetworkPolicy = NetworkPolicy()) {
        self.secrets = secrets
        baseConfiguration = configuration
        self.tenantPolicy = tenantPolicy
    }

    /// The client for `account`.
    public func client(for account: AccountRecord) throws(AccountError) -> DAVClient {
        guard let url = URL(string: account.serverURL) else {
            throw AccountError(.unusable, detail: "account \(account.name) has an invalid server URL")
        }
        return try clients.withLock { (clients) throws(AccountError) -> DAVClient in
            if let existing = clients[account.id] { return existing }
            let transport = try makeTransport(for: account, user: account.username, sealedPassword: account.sealedPassword, origin: url)
            let created = DAVClient(baseURL: url, transport: transport)
            clients[account.id] = created
            return created
        }
    }

    /// The client for the account with this id: the one made before, or one made from the
    /// account as `store` holds it (one lookup by id).
    public func client(forAccountID id: String, in store: any SyncStore) async throws(AccountError) -> DAVClient {
        if let known = clients.withLock({ $0[id] }) { return known }
        let account: AccountRecord?
        do {
            account = try await store.account(id: id)
        } catch {
            throw AccountError(store: error)
        }
        guard let account else { throw AccountError(.unknown, detail: "account \(id) is gone") }
        return try client(for: account)
    }

    /// Forgets the account's client and closes its pool (after the account was removed or
    /// its password changed).
    public func forget(accountID: String) async {
        guard let client = clients.withLock({ $0.removeValue(forKey: accountID) }) else { return }
        await client.transport.shutdown()
    }

    /// A transport of its own to `account`'s server, for another API there (Nextcloud's
    /// OCS): the same trust and network policy, signed in as `user` with the password
    /// sealed in `sealedPassword` (the store's key), which goes to `origin` (scheme, host
    /// and port) only. The caller shuts it down.
    public func makeTransport(for account: AccountRecord, user: String, sealedPassword: [UInt8]?, origin: URL) throws(AccountError) -> HTTPTransport {
        var configuration = baseConfiguration
        configuration.credentialOrigin = origin
        if account.tenantID != nil { configuration.networkPolicy = tenantPolicy }
        if let sealedPassword {
            do {
                configuration.credentials = .basic(user: user, password: try secrets.open(sealedPassword))
            } catch {
                throw AccountError(.unusable, detail: "account \(account.name): \(error)")
            }
        }
        return HTTPTransport(configuration: configuration)
    }

    /// Opens a secret sealed by ``seal(_:)``.
    public func open(_ sealed: [UInt8]) throws(AccountError) -> String {
        do {
            return try secrets.open(sealed)
        } catch {
            throw AccountError(.unusable, detail: "a sealed secret cannot be opened: \(error)")
        }
    }

    /// Seals a password the way the store keeps account passwords.
    public func seal(_ password: String) throws(AccountError) -> [UInt8] {
        do {
            return try secrets.seal(password)
        } catch {
            throw AccountError(.unusable, detail: "the password cannot be sealed: \(error)")
        }
    }

    /// The mail accounts, sealed with the same key and held to the same tenant policy.
    public var mailAccounts: MailAccounts { MailAccounts(secrets: secrets, tenantPolicy: tenantPolicy) }

    /// Closes every pool.
    public func shutdown() async {
        let all = clients.withLock { clients in
            defer { clients = [:] }
            return Array(clients.values)
        }
        for client in all { await client.transport.shutdown() }
    }
}
