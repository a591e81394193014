import ArgumentParser
import SwitchboardCore
import SwitchboardStore

/// The platform account (Nextcloud, OpenProject, Zulip) a command works on, and the store
/// and network options to reach it.
struct PlatformAccountOptions: ParsableArguments {
    @Option(help: "The account (its name; a tenant's as TENANT/NAME).") var account: String
    @Option(help: "A PEM file of certificates to trust besides the system's.") var caFile: String?
    @OptionGroup var store: StoreOptions
    @OptionGroup var network: NetworkOptions

    /// Runs `operation` with the hub and the account's record; a platform error is printed
    /// and exits with 1.
    func call<Value: Sendable>(_ operation: (Hub, AccountRecord) async throws(PlatformServiceError) -> Value) async throws -> Value {
        let policy = try network.policy()
        return try await store.withStore { store, secrets in
            guard let record = try await store.accounts().first(where: { $0.name == account }) else {
                throw ValidationError("no account named \(account)")
            }
            return try await withHub(store: store, secrets: secrets, caFile: caFile, policy: policy, reporting: PlatformServiceError.self) { hub in
                try await operation(hub, record)
            }
        }
    }
}
