import ArgumentParser
import Foundation
import Logging
import PostgresStore
import SQLiteStore
import SwitchboardStore

/// Where Switchboard keeps its state: `$SWITCHBOARD_HOME` (default `~/.switchboard`) holds
/// the SQLite store and the key that seals passwords, unless a PostgreSQL URL and a key
/// are given.
struct StoreOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "A PostgreSQL URL (postgres://user:password@host:port/database[?sslmode=verify-full&sslrootcert=ca.pem]) for a store several processes share.",
        discussion: "Else SWITCHBOARD_DATABASE_URL; else the SQLite file switchboard.sqlite in SWITCHBOARD_HOME."))
    var databaseURL: String?

    @Option(help: ArgumentHelp(
        "A file holding the base64 256-bit key that seals passwords.",
        discussion: "Else SWITCHBOARD_SECRET_KEY; else SWITCHBOARD_HOME/secret.key, made with mode 0600 on first use."))
    var keyFile: String?

    /// `$SWITCHBOARD_HOME`, or `~/.switchboard`.
    static var home: URL {
        if let home = ProcessInfo.processInfo.environment["SWITCHBOARD_HOME"], !home.isEmpty {
            return URL(fileURLWithPath: home)
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".switchboard")
    }

    /// Runs `body` with the store and the box that opens its secrets; store and key
    /// errors are printed and exit with 1.
    func withStore<Result: Sendable>(_ body: (SQLStore, SecretBox) async throws -> Result) async throws -> Result {
        let environment = ProcessInfo.processInfo.environment
        let home = Self.home
        do {
            let secrets = try SecretBox(key: try SecretBox.loadKey(
                environment: keyFile == nil ? environment : [:],
                keyFile: keyFile.map { URL(fileURLWithPath: $0) } ?? home.appendingPathComponent("secret.key")))
            if let url = databaseURL ?? environment["SWITCHBOARD_DATABASE_URL"] {
                var logger = Logger(label: "switchboard.store")
                logger.logLevel = .error
                return try await PostgresSQLDatabase.withStore(configuration: try PostgresSQLDatabase.configuration(url: url), logger: logger) { store in
                    try await body(store, secrets)
                }
            }
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let path = home.appendingPathComponent("switchboard.sqlite").path
            // Personal data and sealed passwords: the store keeps its files the owner's only.
            return try await body(try SQLiteDatabase.store(path: path), secrets)
        } catch let error as SecretError {
            StandardError.write("error: \(error)")
            throw ExitCode(1)
        } catch let error as StoreError {
            StandardError.write("error: \(error)")
            throw ExitCode(1)
        }
    }
}
