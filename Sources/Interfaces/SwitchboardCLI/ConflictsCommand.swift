import ArgumentParser
import DAVClient
import Foundation
import SyncEngine
import SwitchboardStore

/// `switchboard conflicts`: list the items both sides changed (the `manual` policy) and
/// resolve them.
struct ConflictsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: "List and resolve items both sides changed (collections with the manual conflict policy).",
        subcommands: [List.self, Resolve.self],
        defaultSubcommand: List.self
    )

    /// A conflict as listed.
    struct Listed: Encodable {
        var id: String
        var collection: String
        var href: String?
        var uid: String?
        var local: String?
        var remote: String?
        var proposal: String?
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the conflicts, with both versions and the merged proposal (--json).")
        @Option(help: "Only the collection with this href.") var collection: String?
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let listed = try await withResolver(store) { resolver, store in
                let collections = try await store.collections(accountID: nil).filter { collection == nil || $0.href == collection }
                let hrefs = Dictionary(uniqueKeysWithValues: collections.map { ($0.id, $0.href) })
                return try await resolver.conflicts(in: collections).map {
                    Listed(id: $0.id, collection: hrefs[$0.collectionID] ?? $0.collectionID, href: $0.href, uid: $0.uid,
                           local: $0.local, remote: $0.remote, proposal: $0.proposal)
                }
            }
            try output.print(listed) {
                listed.map { conflict in
                    let what = conflict.remote == nil ? "deleted on the server, edited here"
                        : conflict.local == nil ? "deleted here, edited on the server"
                        : conflict.proposal == nil ? "both edited the same properties" : "both edited (a merge is proposed)"
                    return "\(conflict.id)\t\(conflict.collection)\t\(conflict.uid ?? "-")\t\(what)"
                }.joined(separator: "\n")
            }
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resolve a conflict: keep the local version, the server's, or a file's (a merged version).",
            discussion: "The chosen version goes to the server with If-Match; a server that changed again meanwhile makes a new conflict.")
        @Argument(help: "The conflict's id (from conflicts list).") var id: String
        @Option(help: ArgumentHelp("local, remote, or the path of a file holding the merged version.", valueName: "local|remote|FILE"))
        var keep: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            guard let (collectionID, localID) = ConflictResolver.item(named: id) else { throw ValidationError("\(id) is not a conflict id") }
            let choice: ConflictChoice = switch keep {
            case "local": .local
            case "remote": .remote
            default: .merged(String(decoding: try InputFile.read(keep), as: UTF8.self))
            }
            let outcome = try await withResolver(store) { resolver, store in
                guard let collection = try await store.collection(id: collectionID) else {
                    throw ValidationError("no collection for conflict \(id)")
                }
                guard let item = try await resolver.resolve(localID, in: collection, keep: choice) else { return "deleted" }
                return ItemWriter.state(of: item).rawValue
            }
            StandardOutput.write(Array("\(id): \(outcome)\n".utf8))
        }
    }
}

/// Runs `body` with a conflict resolver over the store (its clients held to the network
/// policy and shut down after); conflict errors print and exit with 1.
private func withResolver<Result: Sendable>(_ options: StoreOptions, _ body: (ConflictResolver, SQLStore) async throws -> Result)
    async throws -> Result
{
    let policy = try NetworkOptions.policy(allowing: NetworkOptions.ranges())
    return try await options.withStore { store, secrets in
        try await withAccountClients(secrets: secrets, caFile: nil, policy: policy, reporting: ConflictError.self) { clients in
            try await body(ConflictResolver(store: store, clients: clients), store)
        }
    }
}
