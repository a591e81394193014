import Accounts
import ArgumentParser
import DAVClient
import HTTPTransport
import Foundation
import SyncEngine
import SwitchboardStore
#if canImport(Glibc)
import Glibc
import SwitchboardCore
#endif

/// `switchboard sync`: sync accounts' collections once, or show the sync log.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sync collections both ways, or show the sync log.",
        subcommands: [Run.self, Log.self],
        defaultSubcommand: Run.self
    )

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Sync every enabled collection (or the chosen ones) once, both ways.",
            discussion: """
                The local side is the store itself, or with --to-dir a folder per collection \
                (DIR/ACCOUNT/COLLECTION) of .ics/.vcf files, one per item, that a person or a \
                script can edit between runs. Exits with 1 when a collection failed.
                """
        )

        @Option(help: "Only this account.")
        var account: String?

        @Option(help: "Only the collection with this href.")
        var collection: String?

        @Option(help: "Keep each collection as a folder of files under this directory.")
        var toDir: String?

        @Flag(help: "Carry out a run the mass-delete guard refused.")
        var force = false

        @Option(help: "A PEM file of certificates to trust besides the system's (a self-signed server).")
        var caFile: String?

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var network: NetworkOptions

        func run() async throws {
            let policy = try network.policy()
            let summary = try await store.withStore { store, secrets in
                let accounts = try await store.accounts().filter { account == nil || $0.name == account }
                if let account, accounts.isEmpty { throw ValidationError("no account named \(account)") }
                return try await withHub(store: store, secrets: secrets, caFile: caFile, policy: policy, reporting: SyncError.self) { hub in
                    let clients = hub.clients
                    var summary = SyncSummary()
                    let progress = ProgressDisplay(enabled: !output.json && isatty(2) == 1)
                    for account in accounts {
                        let collections = try await store.collections(accountID: account.id)
                            .filter { collection == nil ? $0.enabled : $0.href == collection }
                        for record in collections {
                            let run: SyncRunRecord
                            do {
                                let replica: any LocalReplica = try toDir.map { directory in
                                    let folder = URL(fileURLWithPath: directory).appendingPathComponent(account.name)
                                        .appendingPathComponent(Self.folderName(record.href))
                                    return try DirectoryReplica(directory: folder, fileExtension: record.kind == .calendar ? "ics" : "vcf")
                                } ?? StoreReplica(store: store, collectionID: record.id)
                                let synchronizer = CollectionSynchronizer(
                                    client: try clients.client(for: account), store: store, replica: replica, options: SyncOptions(force: force))
                                run = await synchronizer.sync(record) { progress.show($0, href: record.href) }
                            } catch {
                                var failed = SyncRunRecord(collectionID: record.id, finishedAt: Date())
                                failed.failure = "\(error)"
                                run = failed
                            }
                            progress.clear()
                            // Runs of the store's own copy are the application's changes: their events go out as the server's do.
                            if toDir == nil { await hub.recordEvents(of: run) }
                            summary.add(run, account: account.name, href: record.href)
                            if !output.json { StandardError.write(summary.collections.last!.line) }
                        }
                    }
                    return summary
                }
            }
            try output.print(summary) { summary.totalLine }
            if summary.collections.contains(where: { $0.failure != nil }) { throw ExitCode(1) }
        }

        /// A folder name for a collection: the last segment of its href.
        static func folderName(_ href: String) -> String {
            let segment = href.split(separator: "/").last.map(String.init) ?? "collection"
            let decoded = segment.removingPercentEncoding ?? segment
            return decoded.isEmpty || decoded.hasPrefix(".") ? "collection-" + decoded : decoded.replacingOccurrences(of: "/", with: "_")
        }
    }

    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the latest sync runs with their per-item errors.")

        @Option(help: "Only the collection with this href.")
        var collection: String?

        @Option(help: "How many runs.")
        var limit = 20

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let entries = try await store.withStore { store, _ in
                let collections = try await store.collections(accountID: nil)
                let hrefs = Dictionary(collections.map { ($0.id, $0.href) }, uniquingKeysWith: { first, _ in first })
                let chosen = collection.flatMap { href in collections.first { $0.href == href }?.id }
                if let collection, chosen == nil { throw ValidationError("no collection with href \(collection)") }
                return try await store.runs(collectionID: chosen, limit: limit).map { LogEntry(run: $0, href: hrefs[$0.collectionID] ?? "?") }
            }
            try output.print(entries) { entries.map(\.text).joined(separator: "\n") }
        }
    }
}

/// What `switchboard sync` reports: one line per collection and the totals.
struct SyncSummary: Encodable {
    var collections: [Entry] = []
    var totals = SyncRunRecord.Counts()

    struct Entry: Encodable {
        var account: String
        var href: String
        var method: String?
        var counts: SyncRunRecord.Counts
        var failure: String?
        var itemErrors: [SyncRunRecord.ItemError]

        var line: String {
            let status = failure.map { "failed: \($0)" } ?? "ok"
            return "\(account) \(href): \(status); " + CountsText(counts).text + (method.map { " (\($0))" } ?? "")
                + itemErrors.map { "\n  \($0.href ?? $0.localID ?? "?"): \($0.message)" }.joined()
        }
    }

    mutating func add(_ run: SyncRunRecord, account: String, href: String) {
        collections.append(Entry(account: account, href: href, method: run.method, counts: run.counts, failure: run.failure,
                                 itemErrors: run.itemErrors))
        totals.downloaded += run.counts.downloaded
        totals.uploaded += run.counts.uploaded
        totals.deletedLocally += run.counts.deletedLocally
        totals.deletedRemotely += run.counts.deletedRemotely
        totals.merged += run.counts.merged
        totals.conflicts += run.counts.conflicts
        totals.errors += run.counts.errors
        totals.requests += run.counts.requests
    }

    var totalLine: String {
        let failed = collections.filter { $0.failure != nil }.count
        return "synced \(collections.count) collections" + (failed > 0 ? " (\(failed) failed)" : "") + ": " + CountsText(totals).text
    }
}

/// Counts as words.
struct CountsText {
    let counts: SyncRunRecord.Counts
    init(_ counts: SyncRunRecord.Counts) { self.counts = counts }

    var text: String {
        "\(counts.downloaded) downloaded, \(counts.uploaded) uploaded, "
            + "\(counts.deletedLocally + counts.deletedRemotely) deleted (\(counts.deletedLocally) here, \(counts.deletedRemotely) there), "
            + "\(counts.merged) merged, \(counts.conflicts) conflicts, \(counts.errors) errors, \(counts.requests) requests"
    }
}

/// One run of the sync log.
struct LogEntry: Encodable {
    var run: SyncRunRecord
    var href: String

    var text: String {
        let started = ISO8601DateFormatter().string(from: run.startedAt)
        let duration = run.finishedAt.map { String(format: "%.2f s", $0.timeIntervalSince(run.startedAt)) } ?? "unfinished"
        let status = run.failure.map { "failed: \($0)" } ?? "ok"
        return "\(started) \(href) [\(duration)] \(status); " + CountsText(run.counts).text + (run.method.map { " (\($0))" } ?? "")
            + run.itemErrors.map { "\n  \($0.href ?? $0.localID ?? "?"): \($0.message)" }.joined()
    }
}

/// A one-line progress bar on a terminal's standard error; silent otherwise.
struct ProgressDisplay: Sendable {
    let enabled: Bool

    func show(_ progress: SyncProgress, href: String) {
        guard enabled else { return }
        let width = 30
        let filled = progress.total > 0 ? width * progress.done / progress.total : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let counter = progress.total > 0 ? " \(progress.done)/\(progress.total)" : ""
        FileHandle.standardError.write(Data("\r\u{1B}[K[\(bar)] \(progress.phase.rawValue)\(counter) \(href)".utf8))
    }

    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
