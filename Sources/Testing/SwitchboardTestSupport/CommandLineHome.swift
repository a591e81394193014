public import Foundation

/// A `switchboard` home of its own for a test: the built binary run in it, an account
/// password file ("secret"), and the store file it writes. Internal addresses (127.0.0.1)
/// are allowed for tenants' servers.
public struct CommandLineHome: Sendable {
    public let home = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-cli-\(UUID().uuidString)")
    public var password: String { home.appendingPathComponent("password").path }

    public init() throws {
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        try Data("secret\n".utf8).write(to: URL(fileURLWithPath: password))
    }

    /// Runs the CLI with `arguments`; a non-zero exit is thrown with what it printed.
    @discardableResult
    public func run(_ arguments: [String]) throws -> ChildProcess.Result {
        let result = try attempt(arguments)
        guard result.status == 0 else {
            throw PeerError(message: "switchboard \(arguments.prefix(3).joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result
    }

    /// Runs the CLI with `arguments`, whatever its exit status.
    public func attempt(_ arguments: [String]) throws -> ChildProcess.Result {
        try start(arguments).wait()
    }

    /// Starts the CLI with `arguments` without waiting for it (a command that runs until stopped).
    public func start(_ arguments: [String]) throws -> ChildProcess.Running {
        let binary = Bundle.main.bundleURL.appendingPathComponent("switchboard").path
        return try ChildProcess.spawn([binary] + arguments, environment: ["SWITCHBOARD_HOME": home.path, "SWITCHBOARD_ALLOW_NETWORK": "127.0.0.1"],
                                      unset: ["SWITCHBOARD_PASSWORD", "SWITCHBOARD_DATABASE_URL"])
    }

    public func remove() { try? FileManager.default.removeItem(at: home) }
}
