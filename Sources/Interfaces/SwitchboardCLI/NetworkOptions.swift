import ArgumentParser
import DAVClient
import HTTPTransport
import Foundation

/// Which internal addresses tenants' accounts (and webhooks) may reach: none by default;
/// `--allow-network` and `SWITCHBOARD_ALLOW_NETWORK` (comma-separated) add ranges.
struct NetworkOptions: ParsableArguments {
    @Option(name: .customLong("allow-network"),
            help: "An internal address or CIDR range tenants' servers may use (e.g. 127.0.0.1 for a local test server); repeatable. Also SWITCHBOARD_ALLOW_NETWORK.")
    var allowed: [String] = []

    /// The policy from the options and the environment.
    func policy(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> NetworkPolicy {
        try Self.policy(allowing: allowed + Self.ranges(in: environment))
    }

    /// The ranges `SWITCHBOARD_ALLOW_NETWORK` names.
    static func ranges(in environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        (environment["SWITCHBOARD_ALLOW_NETWORK"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// The policy allowing these ranges (addresses or CIDR).
    static func policy(allowing texts: [String]) throws -> NetworkPolicy {
        var ranges: [IPRange] = []
        for text in texts where !text.isEmpty {
            guard let range = IPRange(text) else { throw ValidationError("\(text) is not an address or a CIDR range") }
            ranges.append(range)
        }
        return NetworkPolicy(allowing: ranges)
    }
}
