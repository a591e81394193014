import Accounts
import ArgumentParser
import DAVClient
import Foundation
import SwitchboardCore
import SwitchboardStore
import Synchronization

/// `switchboard files`: an account's files (Nextcloud's, or a plain WebDAV server's).
struct FilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files", abstract: "List, download, upload, move, copy, delete and lock an account's files (WebDAV).",
        subcommands: [List.self, Get.self, Put.self, Move.self, Copy.self, Remove.self, MakeFolder.self, Lock.self, Unlock.self])

    /// The account whose files a command works on.
    struct AccountOptions: ParsableArguments {
        @Option(help: "The account (its name; a tenant's as TENANT/NAME).") var account: String
        @Option(help: "A PEM file of certificates to trust besides the system's.") var caFile: String?
        @OptionGroup var store: StoreOptions
        @OptionGroup var network: NetworkOptions

        /// Runs `body` with the file service and the account; a file error is printed and exits with 1.
        func withFiles<Result: Sendable>(_ body: (FileService, AccountRecord) async throws -> Result) async throws -> Result {
            let policy = try network.policy()
            return try await store.withStore { store, secrets in
                guard let record = try await store.accounts().first(where: { $0.name == account }) else {
                    throw ValidationError("no account named \(account)")
                }
                return try await withAccountClients(secrets: secrets, caFile: caFile, policy: policy, reporting: FileServiceError.self) { clients in
                    try await body(FileService(clients: clients), record)
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List a folder (the root by default): one line per file or folder.")
        @OptionGroup var files: AccountOptions
        @Argument(help: "A folder's path below the account's files.") var path = ""
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let items = try await files.withFiles { service, account in try await service.list(account, path: path) }
            try output.print(items) {
                items.map { item in
                    let size = item.isFolder ? "-" : ByteCountFormatter.string(fromByteCount: item.size ?? 0, countStyle: .file)
                    let modified = item.modified.map { $0.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false)) } ?? ""
                    return "\(item.isFolder ? "d" : "-")\t\(size)\t\(modified)\t\(item.path)\(item.isFolder ? "/" : "")"
                }.joined(separator: "\n")
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Download a file (streamed to disk), or a byte range of it.")
        @OptionGroup var files: AccountOptions
        @Argument(help: "The file's path below the account's files.") var path: String
        @Option(help: "Where to write it (default: its name, here).") var to: String?
        @Option(help: "Only these bytes: FIRST-LAST (0-based, inclusive).") var range: String?

        func run() async throws {
            let byteRange = try range.map { text -> ClosedRange<Int64> in
                let ends = text.split(separator: "-", omittingEmptySubsequences: false).map { Int64($0) }
                guard ends.count == 2, let first = ends[0], let last = ends[1], first >= 0, first <= last else {
                    throw ValidationError("--range takes FIRST-LAST, e.g. 0-1023")
                }
                return first...last
            }
            let target = to ?? (path.split(separator: "/").last.map(String.init) ?? "download")
            let result = try await files.withFiles { service, account in
                var total: Int64 = 0
                if let byteRange { total = byteRange.upperBound - byteRange.lowerBound + 1 } else { total = try await service.item(account, path: path).size ?? 0 }
                let bar = TransferProgress(name: path, total: total)
                defer { bar.clear() }
                return try await service.download(account, path: path, to: target, range: byteRange, progress: bar.report)
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int) ?? 0
            StandardError.write("\(target): \(size) bytes\(result.partial ? " (range)" : "")")
        }
    }

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Upload a local file (streamed from disk).")
        @OptionGroup var files: AccountOptions
        @Argument(help: "The local file.") var file: String
        @Argument(help: "Its path below the account's files.") var path: String
        @Option(help: "Only over this version (an ETag from ls --json).") var ifMatch: String?
        @Flag(help: "Only when nothing is there yet.") var createOnly = false
        @Option(help: "The lock token, when the file is locked.") var lock: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            guard FileManager.default.isReadableFile(atPath: file) else { throw ValidationError("cannot read \(file)") }
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int).map(Int64.init) ?? 0
            let item = try await files.withFiles { service, account in
                let bar = TransferProgress(name: path, total: size)
                defer { bar.clear() }
                return try await service.upload(account, path: path, from: file, ifMatch: ifMatch, createOnly: createOnly, lock: lock,
                                                progress: bar.report)
            }
            try output.print(item) { "\(item.path)\t\(item.size ?? 0) bytes\t\(item.etag ?? "")" }
        }
    }

    /// What `mv` and `cp` take.
    struct TransferArguments: ParsableArguments {
        @OptionGroup var files: AccountOptions
        @Argument var from: String
        @Argument var to: String
        @Flag(help: "Replace what is at the destination.") var overwrite = false

        func run(_ method: DAVClient.TransferMethod) async throws {
            let item = try await files.withFiles { service, account in try await service.transfer(method, account, path: from, to: to, overwrite: overwrite) }
            StandardOutput.write(Array("\(item.path)\n".utf8))
        }
    }

    struct Move: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "mv", abstract: "Move or rename a file or folder.")
        @OptionGroup var arguments: TransferArguments
        func run() async throws { try await arguments.run(.move) }
    }

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cp", abstract: "Copy a file or folder.")
        @OptionGroup var arguments: TransferArguments
        func run() async throws { try await arguments.run(.copy) }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a file, or a folder with everything in it.")
        @OptionGroup var files: AccountOptions
        @Argument var path: String
        @Option(help: "Only this version (an ETag).") var ifMatch: String?
        @Option(help: "The lock token, when it is locked.") var lock: String?

        func run() async throws {
            try await files.withFiles { service, account in try await service.delete(account, path: path, ifMatch: ifMatch, lock: lock) }
        }
    }

    struct MakeFolder: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "mkdir", abstract: "Make a folder (its parent must exist).")
        @OptionGroup var files: AccountOptions
        @Argument var path: String

        func run() async throws {
            _ = try await files.withFiles { service, account in try await service.makeFolder(account, path: path) }
        }
    }

    struct Lock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lock a file for writing; prints the token that unlocks it.")
        @OptionGroup var files: AccountOptions
        @Argument var path: String
        @Option(help: "Who holds the lock (shown to others).") var owner = "switchboard"
        @Option(help: "How long, in seconds.") var seconds = 600

        func run() async throws {
            let lock = try await files.withFiles { service, account in try await service.lock(account, path: path, owner: owner, seconds: seconds) }
            StandardOutput.write(Array("\(lock.token)\n".utf8))
        }
    }

    struct Unlock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Release a lock.")
        @OptionGroup var files: AccountOptions
        @Argument var path: String
        @Argument var token: String

        func run() async throws {
            try await files.withFiles { service, account in try await service.unlock(account, path: path, token: token) }
        }
    }
}

/// A transfer's progress on a terminal: a bar, the bytes so far of the total.
final class TransferProgress: Sendable {
    private let name: String
    private let total: Int64
    private let line = ProgressLine()

    init(name: String, total: Int64) {
        self.name = name
        self.total = total
    }

    /// Draws `done` bytes of the total.
    @Sendable func report(_ done: Int64) {
        line.draw(final: done >= total) {
            let sizes = "\(ByteCountFormatter.string(fromByteCount: done, countStyle: .file)) / \(ByteCountFormatter.string(fromByteCount: total, countStyle: .file))"
            return "\(ProgressLine.bar(done, of: total)) \(sizes) \(name)"
        }
    }

    func clear() { line.clear() }
}

/// One line of progress on standard error, when it is a terminal, redrawn at most ten
/// times a second (and always for the last state).
final class ProgressLine: Sendable {
    private let enabled = isatty(2) == 1
    private let lastDrawn = Mutex<ContinuousClock.Instant?>(nil)

    func draw(final: Bool, _ text: () -> String) {
        guard enabled else { return }
        let now = ContinuousClock.now
        let due = lastDrawn.withLock { last in
            guard final || last.map({ now - $0 >= .milliseconds(100) }) ?? true else { return false }
            last = now
            return true
        }
        guard due else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text())".utf8))
    }

    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    /// `[#####.....]`: `done` of `total` in 30 characters.
    static func bar<Count: BinaryInteger>(_ done: Count, of total: Count) -> String {
        let width = 30
        let filled = total > 0 ? Int(min(done, total) * Count(width) / total) : 0
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
    }
}
