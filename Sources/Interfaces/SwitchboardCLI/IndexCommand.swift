import ArgumentParser
import Foundation
import HTTPTransport
import Indexing
import SwitchboardCore
import SwitchboardStore

/// `switchboard index`: knowledge indexes over accounts' files.
struct IndexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index", abstract: "Knowledge indexes over an account's files: add, run, status, errors, list, remove.",
        subcommands: [Add.self, Run.self, Status.self, Errors.self, List.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an index of folders of an account's files.")
        @Argument(help: "The index's name.") var name: String
        @Option(help: "The account whose files it reads (a tenant's as TENANT/NAME).") var account: String
        @Option(name: .customLong("root"), help: "A folder below the account's files; repeat. The whole of the files when none is given.")
        var roots: [String] = []
        @Option(name: .customLong("include"), help: "Only files matching this glob (`*.pdf`, `guides/**/*.md`); repeat.") var includes: [String] = []
        @Option(name: .customLong("exclude"), help: "Leave out files matching this glob; repeat.") var excludes: [String] = []
        @Option(help: "Files larger than this many MiB are listed but not read.") var maxFileMib: Int64 = 64
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let index = try await withIndexes(store: store) { hub in
                guard let record = try await hub.store.accounts().first(where: { $0.name == account }) else { throw ValidationError("no account named \(account)") }
                // A tenant's account is named TENANT/NAME; its indexes are named alike.
                let stored = record.tenantID == nil ? name : TenantScopedName.stored(name, tenantName: String(record.name.prefix { $0 != "/" }))
                let definition = IndexDefinition(name: name, roots: roots.isEmpty ? [""] : roots, includes: includes, excludes: excludes,
                                                 maxFileBytes: maxFileMib << 20)
                return try await hub.indexes.add(definition, storedName: stored, account: record)
            }
            try output.print(index) { "\(index.name)\t\(index.id)" }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bring an index up to its files: read what is new or changed, drop what is gone. A run stopped midway is taken up by the next.")
        @Argument var name: String
        @OptionGroup var network: NetworkOptions
        @Option(help: "A PEM file of certificates to trust besides the system's.") var caFile: String?
        @OptionGroup var embeddings: EmbeddingOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let policy = try network.policy()
            let run = try await embeddings.withProvider { provider in
                try await withIndexes(store: store, policy: policy, caFile: caFile, embeddings: provider) { hub in
                    let index = try await hub.indexes.index(storedName: name)
                    guard let account = try await hub.store.account(id: index.accountID) else { throw ValidationError("the index's account is gone") }
                    let bar = IndexRunProgress()
                    defer { bar.clear() }
                    return try await hub.indexes.run(index, account: account, progress: bar.report)
                }
            }
            try output.print(run) { Self.summary(run) }
        }

        static func summary(_ run: IndexRunRecord) -> String {
            let seconds = (run.finishedAt ?? Date()).timeIntervalSince(run.startedAt)
            return "\(run.read) read, \(run.moved) moved, \(run.removed) removed, \(run.unchanged) unchanged, \(run.failed) failed; "
                + "\(run.chunks) chunks, \(run.embedded) embedded, \(run.requests) requests, \(String(format: "%.1f", seconds)) s"
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What an index holds and how its last run went.")
        @Argument var name: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let status = try await withIndexes(store: store) { hub in try await hub.indexes.status(try await hub.indexes.index(storedName: name)) }
            try output.print(status) {
                var lines = ["\(status.index.name): \(status.files) files, \(status.chunks) chunks, \(status.failedFiles) unreadable",
                             "roots: \(status.index.roots.map { $0.isEmpty ? "/" : $0 }.joined(separator: ", "))"]
                if let run = status.lastRun {
                    let state = run.failure.map { "stopped: \($0)" } ?? (run.finishedAt == nil ? "running or stopped" : "finished")
                    lines.append("last run \(run.startedAt.formatted(.iso8601)): \(state); \(Run.summary(run))")
                } else {
                    lines.append("never run")
                }
                return lines.joined(separator: "\n")
            }
        }
    }

    struct Errors: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The files an index could not read, with why.")
        @Argument var name: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let files = try await withIndexes(store: store) { hub in try await hub.indexes.errors(try await hub.indexes.index(storedName: name)) }
            try output.print(files) { files.map { "\($0.path)\t\($0.error ?? "")" }.joined(separator: "\n") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every index, by name.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let indexes = try await withIndexes(store: store) { hub in try await hub.indexes.allIndexes() }
            try output.print(indexes) { indexes.map { "\($0.name)\t\($0.roots.map { $0.isEmpty ? "/" : $0 }.joined(separator: ","))" }.joined(separator: "\n") }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an index and everything it holds (the files stay).")
        @Argument var name: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            try await withIndexes(store: store) { hub in try await hub.indexes.remove(try await hub.indexes.index(storedName: name)) }
        }
    }
}

/// `switchboard search`: passages of the indexes that answer a question.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Search the indexes: the passages that answer QUERY best, with where to cite them.")
    @Argument var query: String
    @Option(help: "Only this index (default: all of them).") var index: String?
    @Option(help: "How many passages (1 to 100).") var k = 10
    @Option(help: "hybrid (the default with an embedding model), keyword (the default without) or vector.", transform: { text in
        guard let mode = SearchMode(rawValue: text) else { throw ValidationError("--mode is hybrid, keyword or vector") }
        return mode
    })
    var mode: SearchMode?
    @OptionGroup var embeddings: EmbeddingOptions
    @Option(help: "Only files below this folder.") var folder: String?
    @Option(name: .customLong("type"), help: "Only files of this format (pdf, docx, odt, html, markdown, text); repeat.") var formats: [String] = []
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    /// A hit as `--json` prints it.
    struct Hit: Encodable {
        var index: String
        var path: String
        var page: Int?
        var headings: [String]
        var score: Double
        var snippet: String
        /// UTF-16 offsets `[start, end)` of the matched words in the snippet.
        var highlights: [[Int]]
        var text: String
    }

    func run() async throws {
        let hits = try await embeddings.withProvider { provider in
            try await withIndexes(store: store, embeddings: provider) { hub in
                let indexes = if let index { [try await hub.indexes.index(storedName: index)] } else { try await hub.indexes.allIndexes() }
                return try await hub.indexes.search(SearchRequest(query: query, k: k, mode: mode, folder: folder, formats: formats), in: indexes)
            }
        }
        let shown = hits.map { hit in
            Hit(index: hit.index, path: hit.path, page: hit.page, headings: hit.headingPath, score: hit.score, snippet: hit.snippet.text,
                highlights: hit.snippet.highlights.map { [$0.lowerBound, $0.upperBound] }, text: hit.text)
        }
        try output.print(shown) {
            shown.map { hit in
                let place = [hit.page.map { "p. \($0)" }, hit.headings.isEmpty ? nil : hit.headings.joined(separator: " › ")].compactMap { $0 }.joined(separator: ", ")
                return "\(String(format: "%.3f", hit.score))\t\(hit.path)\(place.isEmpty ? "" : " (\(place))")\n\t\(hit.snippet)"
            }.joined(separator: "\n")
        }
    }
}

/// Runs `body` with the application's index use cases (embedding with `embeddings`, when
/// given); an ``IndexServiceError`` is printed and exits with 1.
private func withIndexes<Result: Sendable>(store: StoreOptions, policy: NetworkPolicy = NetworkPolicy(), caFile: String? = nil,
                                           embeddings: (any EmbeddingProvider)? = nil, _ body: (Hub) async throws -> Result) async throws -> Result {
    try await store.withStore { store, secrets in
        try await withHub(store: store, secrets: secrets, caFile: caFile, policy: policy, reporting: IndexServiceError.self) { hub in
            hub.indexes.useEmbeddings(embeddings)
            return try await body(hub)
        }
    }
}

/// The sentence embedding model a command uses: `--embedding-model DIR` (else
/// `SWITCHBOARD_EMBEDDING_MODEL`) run in this process, or, with `--embedding-server URL`
/// (else `SWITCHBOARD_EMBEDDING_SERVER`), the model of that name on an OpenAI-compatible
/// server; none: keyword search only.
struct EmbeddingOptions: ParsableArguments {
    @Option(help: "The folder of the sentence embedding model (scripts/install-model), or with --embedding-server the server's model; default: $SWITCHBOARD_EMBEDDING_MODEL.")
    var embeddingModel: String?
    @Option(help: "An OpenAI-compatible embeddings API (http://127.0.0.1:8081/v1) to embed with instead; its key from $SWITCHBOARD_EMBEDDING_API_KEY; default: $SWITCHBOARD_EMBEDDING_SERVER.")
    var embeddingServer: String?

    /// Runs `body` with the provider these options name (`nil`: none), connected for its duration.
    func withProvider<Result>(environment: [String: String] = ProcessInfo.processInfo.environment,
                              _ body: ((any EmbeddingProvider)?) async throws -> Result) async throws -> Result {
        try await Self.withProvider(model: embeddingModel ?? environment["SWITCHBOARD_EMBEDDING_MODEL"],
                                    server: embeddingServer ?? environment["SWITCHBOARD_EMBEDDING_SERVER"],
                                    apiKey: environment["SWITCHBOARD_EMBEDDING_API_KEY"], body)
    }

    /// Runs `body` with the native model in the folder `model`, or with `server`'s model of that
    /// name (`apiKey` its bearer token, sent to that server only): the operator's own setting,
    /// so the tenants' network policy does not apply to it.
    static func withProvider<Result>(model: String?, server: String?, apiKey: String?,
                                     _ body: ((any EmbeddingProvider)?) async throws -> Result) async throws -> Result {
        guard let server else {
            return try await body(try model.map(Self.load))
        }
        guard let url = URL(string: server), url.scheme == "http" || url.scheme == "https", url.host() != nil else {
            throw ValidationError("the embedding server is not an http(s) URL: \(server)")
        }
        guard let model, !model.isEmpty else { throw ValidationError("name the embedding server's model (--embedding-model)") }
        var configuration = ClientConfiguration(credentials: apiKey.map { .bearer(token: $0) })
        configuration.credentialOrigin = url
        configuration.requestTimeout = 600
        return try await HTTPTransport.withTransport(configuration: configuration) { transport in
            let provider: RemoteEmbeddings
            do {
                provider = try await RemoteEmbeddings.connect(baseURL: url, model: model, transport: transport)
            } catch {
                throw ValidationError("the embedding server: \(error)")
            }
            return try await body(provider)
        }
    }

    static func load(_ directory: String) throws -> any EmbeddingProvider {
        do {
            return try NativeEmbeddings(directory: directory)
        } catch {
            throw ValidationError("the embedding model: \(error)")
        }
    }
}



/// A run's progress on a terminal: the folder being listed, then files read of those to read.
final class IndexRunProgress: Sendable {
    private let line = ProgressLine()

    @Sendable func report(_ progress: IndexProgress) {
        line.draw(final: progress.phase != .reading || progress.done >= progress.total) {
            switch progress.phase {
            case .listing: "listing \(progress.path.map { $0.isEmpty ? "/" : $0 } ?? "")"
            case .reading, .finished: "\(ProgressLine.bar(progress.done, of: progress.total)) \(progress.done)/\(progress.total) \(progress.path ?? "")"
            }
        }
    }

    func clear() { line.clear() }
}
