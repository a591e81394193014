public import DAVClient
public import HTTPTransport
public import Foundation
import Synchronization
public import SyncStore

/// DAV clients for the store's accounts: one connection pool per account, its password
/// opened from the sealed copy only when the pool is made. Shut down once at the end.
/// A tenant's accounts reach only what `tenantPolicy` allows; the operator's reach anything.
public final class AccountClients: Sendable {
    let secrets: SecretBox
    let baseConfiguration: ClientConfiguration
    /// The addresses a tenant's accounts may reach.
    public let tenantPolicy: NetworkPolicy
    private let transports = Mutex<[String: HTTPTransport]>([:])

    /// Clients configured like `configuration`, with each account's credentials.
    public init(secrets: SecretBox, configuration: ClientConfiguration = ClientConfiguration(), tenantPolicy: NetworkPolicy = NetworkPolicy()) {
        self.secrets = secrets
        baseConfiguration = configuration
        self.tenantPolicy = tenantPolicy
    }

    /// The client for `account`.
    public func client(for account: AccountRecord) throws(SyncError) -> DAVClient {
        guard let url = URL(string: account.serverURL) else {
            throw SyncError(.account, detail: "account \(account.name) has an invalid server URL")
        }
        let transport = try transports.withLock { (transports) throws(SyncError) -> HTTPTransport in
            if let existing = transports[account.id] { return existing }
            let created = try makeTransport(for: account, user: account.username, sealedPassword: account.sealedPassword, origin: url)
            transports[account.id] = created
            return created
        }
        return DAVClient(baseURL: url, transport: transport)
    }

    /// A transport of its own to `account`'s server, for another API there (Nextcloud's
    /// OCS): the same trust and network policy, signed in as `user` with the password
    /// sealed in `sealedPassword` (the store's key), which goes to `origin` (scheme, host
    /// and port) only. The caller shuts it down.
    public func makeTransport(for account: AccountRecord, user: String, sealedPassword: [UInt8]?, origin: URL) throws(SyncError) -> HTTPTransport {
        var configuration = baseConfiguration
        configuration.credentialOrigin = origin
        if account.tenantID != nil { configuration.networkPolicy = tenantPolicy }
        if let sealedPassword {
            do {
                configuration.credentials = .basic(user: user, password: try secrets.open(sealedPassword))
            } catch {
                throw SyncError(.account, detail: "account \(account.name): \(error)")
            }
        }
        do {
            return try HTTPTransport(configuration: configuration)
        } catch {
            throw SyncError(DAVError(error))
        }
    }

    /// Seals a password the way the store keeps account passwords.
    public func seal(_ password: String) throws(SyncError) -> [UInt8] {
        do {
            return try secrets.seal(password)
        } catch {
            throw SyncError(.account, detail: "the password cannot be sealed: \(error)")
        }
    }

    /// Closes every pool.
    public func shutdown() async {
        let all = transports.withLock { transports in
            defer { transports = [:] }
            return Array(transports.values)
        }
        for transport in all { await transport.shutdown() }
    }
}
