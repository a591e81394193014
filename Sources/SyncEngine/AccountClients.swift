public import DAVClient
import Foundation
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
        var configuration = baseConfiguration
        if account.tenantID != nil { configuration.networkPolicy = tenantPolicy }
        if let sealed = account.sealedPassword {
            do {
                configuration.credentials = .basic(user: account.username, password: try secrets.open(sealed))
            } catch {
                throw SyncError(.account, detail: "account \(account.name): \(error)")
            }
        }
        let transport = try transports.withLock { (transports) throws(SyncError) -> HTTPTransport in
            if let existing = transports[account.id] { return existing }
            do throws(DAVError) {
                let created = try HTTPTransport(configuration: configuration)
                transports[account.id] = created
                return created
            } catch {
                throw SyncError(error)
            }
        }
        return DAVClient(baseURL: url, transport: transport)
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
