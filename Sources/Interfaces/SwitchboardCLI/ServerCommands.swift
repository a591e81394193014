import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Scheduling
import SwitchboardServer
import SyncEngine
import SwitchboardStore
import Webhooks
import SwitchboardCore

/// `switchboard serve`: the HTTP API over the store.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the HTTP API (see /openapi.yaml) over the store until SIGINT or SIGTERM.")

    @Option(help: "A JSON configuration file (docs/configuration.md); the environment and flags override it.")
    var config: String?
    @Option(help: "The address to listen on (default 127.0.0.1).") var host: String?
    @Option(help: "The port to listen on (default 8080).") var port: Int?
    @Option(help: "The largest request body accepted, in bytes (default 65536).") var maxBody: Int?
    @Option(help: "A PEM file of extra trusted certificates for the calendar servers.") var caFile: String?
    @Option(help: "Seconds an availability answer or event list is reused while the store is unchanged (default 1; 0: never).")
    var answerLifetime: Double?
    @Option(help: "Requests a second each API key may make, in bursts of twice that (default 100; 0: no limit).")
    var rateLimit: Double?
    @Option(help: "Log lines as json (one object per line, personal data redacted; the default) or text.")
    var logFormat: LogFormat?
    @Flag(inversion: .prefixedNo, help: "Sync every enabled collection on its interval while serving (default on).")
    var backgroundSync: Bool?
    @Option(name: .customLong("allow-network"),
            help: "An internal address or CIDR range tenants' servers may use (e.g. 127.0.0.1 for a local test server); repeatable.")
    var allowNetwork: [String] = []
    @Option(help: "The OIDC issuer whose access tokens are accepted beside API keys (with --oidc-audience and --oidc-jwks-url).")
    var oidcIssuer: String?
    @Option(help: "The audience access tokens must name.") var oidcAudience: String?
    @Option(name: .customLong("oidc-jwks-url"), help: "Where the issuer publishes its signing keys (JWKS).") var oidcJWKSURL: String?
    @Option(name: .customLong("public-url"), help: "Where calendar servers reach this server (https://switchboard.example.com/), for push.")
    var publicURL: String?
    @Option(help: "The folder of the sentence embedding model (scripts/install-model) for vector and hybrid search, or with --embedding-server the server's model.")
    var embeddingModel: String?
    @Option(help: "An OpenAI-compatible embeddings API (http://127.0.0.1:8081/v1) to embed with instead of the native model.")
    var embeddingServer: String?
    @OptionGroup var store: StoreOptions

    enum LogFormat: String, ExpressibleByArgument, CaseIterable {
        case json, text
    }

    /// The settings in force: file, then environment, then flags.
    func settings(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServeSettings {
        let flags = ServeSettings(host: host, port: port, maxBodyBytes: maxBody, answerLifetimeSeconds: answerLifetime,
                                  rateLimitPerSecond: rateLimit, logFormat: logFormat?.rawValue, backgroundSync: backgroundSync,
                                  allowNetwork: allowNetwork, caFile: caFile, oidcIssuer: oidcIssuer, oidcAudience: oidcAudience,
                                  oidcJWKSURL: oidcJWKSURL, publicURL: publicURL, embeddingModel: embeddingModel,
                                  embeddingServer: embeddingServer)
        return try (config.map(ServeSettings.file) ?? ServeSettings()).overlaid(by: .environment(environment)).overlaid(by: flags)
    }

    func run() async throws {
        let settings = try settings()
        guard let format = LogFormat(rawValue: settings.logFormat ?? "json") else {
            throw ValidationError("logFormat is json or text, not \(settings.logFormat ?? "")")
        }
        if format == .json { LoggingSystem.bootstrap { JSONLogHandler(label: $0) } }
        let rate = settings.rateLimitPerSecond ?? 100
        var configuration = ServerConfiguration(
            host: settings.host ?? "127.0.0.1", port: settings.port ?? 8080, maxBodyBytes: settings.maxBodyBytes ?? 64 * 1024,
            answerLifetime: .seconds(settings.answerLifetimeSeconds ?? 1),
            rateLimit: rate > 0 ? RateLimit(perSecond: rate, burst: max(1, Int(rate * 2))) : nil)
        configuration.oidc = try settings.oidc()
        configuration.publicURL = try settings.reachableURL()
        configuration.metricsToken = settings.metricsToken
        // The settings hold the environment's ranges already.
        let policy = try NetworkOptions.policy(allowing: settings.allowNetwork ?? [])
        try await EmbeddingOptions.withProvider(model: settings.embeddingModel, server: settings.embeddingServer, apiKey: settings.embeddingAPIKey) { embeddings in
            try await store.withStore { store, secrets in
                var logger = Logger(label: "switchboard.server")
                logger.logLevel = .info
                try await withHub(store: store, secrets: secrets, caFile: settings.caFile, policy: policy, reporting: BookingError.self, logger: logger) { hub in
                    hub.indexes.useEmbeddings(embeddings)
                    let sync = settings.backgroundSync ?? true ? SyncService(store: store, clients: hub.clients) : nil
                    try await SwitchboardServer.application(hub: hub, sync: sync, configuration: configuration, logger: logger).runService()
                }
            }
        }
    }
}

/// `switchboard tenants create|list`.
struct TenantsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenants", abstract: "Tenants: each API key and each served resource belongs to one.", subcommands: [Create.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a tenant.")
        @Argument var name: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let tenant = TenantRecord(name: name)
            try await store.withStore { store, _ in try await store.saveTenant(tenant) }
            print(tenant.id)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tenants.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let tenants = try await store.withStore { store, _ in try await store.tenants() }
            try output.print(tenants.map { ["id": $0.id, "name": $0.name] }) { tenants.map { "\($0.name)\t\($0.id)" }.joined(separator: "\n") }
        }
    }
}

/// `switchboard keys create|list|revoke`.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "API keys: made for a tenant with a scope, shown once, stored hashed.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a key; prints it (the only time it is shown).")
        @Option(help: "The tenant's name.") var tenant: String
        @Option(help: "What the key is for.") var name: String
        @Option(help: "read, book (implies read) or admin (implies both).", transform: { text in
            guard let scope = APIScope(rawValue: text) else { throw ValidationError("scope \(text) is not read, book or admin") }
            return scope
        })
        var scope: APIScope = .read
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let made = SecretToken.generate()
            try await store.withStore { store, _ in
                try await store.saveKey(APIKeyRecord(tenantID: try await store.tenantID(named: tenant), name: name, keyHash: made.hash, scope: scope))
            }
            print(made.token)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never the keys themselves).")
        @Option(help: "Only this tenant's.") var tenant: String?
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (keys, tenants) = try await store.withStore { store, _ in
                let tenants = try await store.tenants()
                let wanted = try tenant.map { name in
                    guard let found = tenants.first(where: { $0.name == name }) else { throw ValidationError("no tenant named \(name)") }
                    return found.id
                }
                return (try await store.keys(tenantID: wanted), tenants)
            }
            let names = Dictionary(uniqueKeysWithValues: tenants.map { ($0.id, $0.name) })
            let rows = keys.map { key in
                ["id": key.id, "tenant": names[key.tenantID] ?? key.tenantID, "name": key.name, "scope": key.scope.rawValue,
                 "revoked": key.revokedAt == nil ? "no" : "yes"]
            }
            try output.print(rows) { rows.map { [$0["id"]!, $0["tenant"]!, $0["name"]!, $0["scope"]!, $0["revoked"]!].joined(separator: "\t") }.joined(separator: "\n") }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by id; it opens nothing from now on.")
        @Argument var id: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            guard try await store.withStore({ store, _ in try await store.revokeKey(id: id, at: Date()) }) else {
                throw ValidationError("no unrevoked key \(id)")
            }
        }
    }
}

extension AccessStore {
    /// The id of the tenant with this name, or a usage error naming it.
    func tenantID(named name: String) async throws -> String {
        guard let tenant = try await tenants().first(where: { $0.name == name }) else {
            throw ValidationError("no tenant named \(name) (add it with `switchboard tenants create`)")
        }
        return tenant.id
    }
}
