import Accounts
public import ArgumentParser
import DAVClient
import HTTPTransport
import Foundation
import SwitchboardCore
public import SyncPlanning
import SyncEngine
import SwitchboardStore

/// `switchboard account add|list|remove`: the accounts the store syncs.
struct AccountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account",
        abstract: "Add, list and remove the groupware accounts Switchboard syncs.",
        subcommands: [Add.self, List.self, Remove.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an account: test the connection, discover its calendars and address books, keep the password sealed.")

        @Argument(help: "A name for the account.")
        var name: String

        @OptionGroup var server: ServerOptions
        @OptionGroup var store: StoreOptions

        @Option(help: "Seconds between scheduled syncs of each collection.")
        var interval = 300

        @Option(help: "What wins when both sides changed an item: remote-wins, local-wins, newest-wins or manual.")
        var policy: ConflictPolicy = .remoteWins

        @Option(help: "The tenant (name) whose API keys reach the account's calendars and address books.")
        var tenant: String?

        @Option(help: """
            dav (any CalDAV/CardDAV/WebDAV server), nextcloud (its OCS API too: signed in and its version read before the account is kept), \
            openproject (user apikey, the API key as password) or zulip (the bot's email, its API key as password).
            """,
                transform: { text in
                    guard let kind = AccountKind(rawValue: text) else { throw ValidationError("--kind is dav, nextcloud, openproject or zulip") }
                    return kind
                })
        var kind: AccountKind = .dav

        @OptionGroup var network: NetworkOptions

        func run() async throws {
            let connection = AccountConnection(name: name, serverURL: try server.url(), username: server.user, password: try server.password(),
                                               syncInterval: interval, conflictPolicy: policy, kind: kind)
            var configuration = ClientConfiguration()
            configuration.additionalTrustRootsFile = server.caFile
            let policy = try network.policy()
            let added = try await store.withStore { store, secrets in
                var connection = connection
                if let tenant {
                    // A tenant's names are its own: the store keeps them as `tenant/name`, as the API does.
                    connection.tenantID = try await store.tenantID(named: tenant)
                    connection.name = TenantScopedName.stored(name, tenantName: tenant)
                }
                let clients = AccountClients(secrets: secrets, configuration: configuration, tenantPolicy: policy)
                do {
                    let (account, collections) = try await clients.connect(connection, in: store)
                    await clients.shutdown()
                    return AccountSummary(account: account, collections: collections)
                } catch {
                    await clients.shutdown()
                    StandardError.write("error: \(error)")
                    throw ExitCode(1)
                }
            }
            try server.print(added) { added.text }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the accounts with their collections.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let summaries = try await store.withStore { store, _ in
                var summaries: [AccountSummary] = []
                for account in try await store.accounts() {
                    summaries.append(AccountSummary(account: account, collections: try await store.collections(accountID: account.id)))
                }
                return summaries
            }
            try output.print(summaries) { summaries.map(\.text).joined(separator: "\n") }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove an account with its collections, synced state and log; its Nextcloud push webhooks are removed from the server first.")

        @Argument(help: "The account's name.")
        var name: String

        @Option(help: "A PEM file of extra trusted certificates.") var caFile: String?
        @OptionGroup var network: NetworkOptions
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let policy = try network.policy()
            try await store.withStore { store, secrets in
                guard let account = try await store.accounts().first(where: { $0.name == name }) else {
                    throw ValidationError("no account named \(name)")
                }
                try await withHub(store: store, secrets: secrets, caFile: caFile, policy: policy, reporting: PushError.self) { hub in
                    if let unreachable = try await hub.push.removeAccount(account) {
                        StandardError.write("warning: the server's push webhooks could not be removed: \(unreachable)")
                    }
                }
            }
            StandardOutput.write(Array("removed \(name)\n".utf8))
        }
    }
}

/// An account as `account add` and `account list` print it (never the password).
struct AccountSummary: Encodable {
    var name: String
    var server: String
    var user: String
    var collections: [Collection]

    struct Collection: Encodable {
        var href: String
        var kind: String
        var displayName: String?
        var enabled: Bool
        var policy: String
        var interval: Int
        var lastSynced: Date?
    }

    init(account: AccountRecord, collections: [CollectionRecord]) {
        name = account.name
        server = account.serverURL
        user = account.username
        self.collections = collections.map {
            Collection(href: $0.href, kind: $0.kind.rawValue, displayName: $0.displayName, enabled: $0.enabled,
                       policy: $0.conflictPolicy.rawValue, interval: $0.syncInterval, lastSynced: $0.lastSyncedAt)
        }
    }

    var text: String {
        var lines = ["\(name)\t\(user) @ \(server)\t\(collections.count) collections"]
        for collection in collections {
            let synced = collection.lastSynced.map { "synced \(ISO8601DateFormatter().string(from: $0))" } ?? "never synced"
            lines.append("  \(collection.kind)\t\(collection.href)\t\(collection.displayName ?? "-")\t\(collection.policy), every \(collection.interval) s\t\(collection.enabled ? synced : "disabled")")
        }
        return lines.joined(separator: "\n")
    }
}

extension ConflictPolicy: ExpressibleByArgument {}
