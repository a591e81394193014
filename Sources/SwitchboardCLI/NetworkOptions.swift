import ArgumentParser
import DAVClient
import Foundation

/// Which internal addresses tenants' accounts (and later webhooks) may reach: none by
/// default; `--allow-network` and `SWITCHBOARD_ALLOW_NETWORK` (comma-separated) add ranges.
struct NetworkOptions: ParsableArguments {
    @Option(name: .customLong("allow-network"),
            help: "An internal address or CIDR range tenants' servers may use (e.g. 127.0.0.1 for a local test server); repeatable. Also SWITCHBOARD_ALLOW_NETWORK.")
    var allowed: [String] = []

    init() {}

    /// Options with these ranges given (what `serve` resolved from its settings, environment included).
    init(allowed: [String]) {
        self.allowed = allowed
        readsEnvironment = false
    }

    /// Whether `SWITCHBOARD_ALLOW_NETWORK` adds to the options (`serve` reads it with its other settings).
    var readsEnvironment = true

    enum CodingKeys: String, CodingKey {
        case allowed
    }

    /// The policy from the options and the environment.
    func policy(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> NetworkPolicy {
        let variable = readsEnvironment ? environment["SWITCHBOARD_ALLOW_NETWORK"] ?? "" : ""
        let fromEnvironment = variable.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var ranges: [IPRange] = []
        for text in fromEnvironment + allowed where !text.isEmpty {
            guard let range = IPRange(text) else { throw ValidationError("\(text) is not an address or a CIDR range") }
            ranges.append(range)
        }
        return NetworkPolicy(allowing: ranges)
    }
}
