public import Foundation
import DAVClient
import IndexPlanning
public import Indexing
public import SwitchboardStore
import Synchronization

/// What an operator or a tenant asks for when adding an index.
public struct IndexDefinition: Sendable, Hashable {
    public var name: String
    /// Folders below the account's files (`Leitlinien`, `""` for all of them).
    public var roots: [String]
    public var includes: [String]
    public var excludes: [String]
    public var maxFileBytes: Int64

    public init(name: String, roots: [String], includes: [String] = [], excludes: [String] = [], maxFileBytes: Int64 = 64 << 20) {
        self.name = name
        self.roots = roots
        self.includes = includes
        self.excludes = excludes
        self.maxFileBytes = maxFileBytes
    }
}

/// An index with what it holds and how its last run went.
public struct IndexStatus: Sendable, Encodable {
    public var index: FileIndexRecord
    public var files: Int
    public var chunks: Int
    /// Files that could not be read (``IndexService/errors(_:)`` lists them).
    public var failedFiles: Int
    /// The latest run, finished or not.
    public var lastRun: IndexRunRecord?
    public var running: Bool
    /// A background run is waiting (``IndexService/enqueue(_:only:)``).
    public var queued: Bool
}

/// A passage found by a search, with where to cite it.
public struct SearchHit: Sendable {
    /// The index's name as its owner knows it.
    public var index: String
    public var indexID: String
    public var path: String
    public var page: Int?
    public var headingPath: [String]
    public var score: Double
    public var snippet: Snippet
    /// The whole passage.
    public var text: String
}

/// What a search looks in and for.
public struct SearchRequest: Sendable {
    public var query: String
    public var k: Int
    /// Only below this folder (a path below the account's files).
    public var folder: String?
    /// Only files read as these formats (`pdf`, `docx`, `odt`, `html`, `markdown`, `text`).
    public var formats: [String]
    public var modifiedAfter: Date?
    public var modifiedBefore: Date?

    public init(query: String, k: Int = 10, folder: String? = nil, formats: [String] = [], modifiedAfter: Date? = nil, modifiedBefore: Date? = nil) {
        self.query = query
        self.k = k
        self.folder = folder
        self.formats = formats
        self.modifiedAfter = modifiedAfter
        self.modifiedBefore = modifiedBefore
    }
}

/// Why an index operation failed.
public enum IndexServiceError: Error, Sendable, CustomStringConvertible {
    case unknownIndex(String)
    case invalid(field: String, String)
    case duplicateName(String)
    /// A run of this index is going on (in this process).
    case running(String)
    case files(FileServiceError)
    case run(IndexRunError)
    case store(StoreError)

    public var description: String {
        switch self {
        case .unknownIndex(let name): "no index \(name)"
        case .invalid(let field, let why): "\(field): \(why)"
        case .duplicateName(let name): "an index named \(name) exists"
        case .running(let name): "the index \(name) is being run"
        case .files(let error): error.description
        case .run(let error): "the run stopped: \(error.description)"
        case .store(let error): error.description
        }
    }
}

/// Knowledge indexes over accounts' files: defined, run (crawled, read, chunked), reported
/// and searched. Callers pass records they resolved under their own access rules (the API:
/// the tenant's), and search only the indexes they may read.
public struct IndexService: Sendable {
    let store: any AppStore
    let files: FileService
    let runs: RunningIndexes
    let queue: IndexQueue

    init(store: any AppStore, files: FileService) {
        self.store = store
        self.files = files
        runs = RunningIndexes()
        queue = IndexQueue()
    }

    /// The most roots, globs and characters of a name an index takes.
    public static let maxRoots = 50
    public static let maxGlobs = 100

    /// Adds an index of `account`'s files, named `storedName` (a tenant's scoped already).
    public func add(_ definition: IndexDefinition, storedName: String, account: AccountRecord) async throws(IndexServiceError) -> FileIndexRecord {
        guard account.filesURL != nil else { throw .files(.noFiles(account.name)) }
        guard !definition.name.isEmpty, definition.name.count <= 100, !definition.name.contains("/"),
              !definition.name.unicodeScalars.contains(where: { $0.value < 0x20 })
        else { throw .invalid(field: "name", "1 to 100 characters, no slash or control characters") }
        guard (1...Self.maxRoots).contains(definition.roots.count) else { throw .invalid(field: "roots", "1 to \(Self.maxRoots) folders") }
        var roots: [String] = []
        for root in definition.roots {
            do {
                roots.append(try RemotePath(root).description)
            } catch {
                throw .invalid(field: "roots", "\(root): \(error.description)")
            }
        }
        for (field, globs) in [("includes", definition.includes), ("excludes", definition.excludes)] {
            guard globs.count <= Self.maxGlobs else { throw .invalid(field: field, "at most \(Self.maxGlobs) globs") }
            if let bad = globs.first(where: { PathGlob($0) == nil }) {
                throw .invalid(field: field, "\(bad.prefix(40)): a glob of 1 to \(PathGlob.maxLength) characters")
            }
        }
        guard definition.maxFileBytes > 0 else { throw .invalid(field: "maxFileBytes", "more than 0") }
        let record = FileIndexRecord(name: storedName, accountID: account.id, tenantID: account.tenantID, roots: Array(Set(roots)).sorted(),
                                     includes: definition.includes, excludes: definition.excludes, maxFileBytes: definition.maxFileBytes)
        do {
            try await store.saveFileIndex(record)
        } catch where error.code == .constraint {
            throw .duplicateName(definition.name)
        } catch {
            throw .store(error)
        }
        return record
    }

    /// The indexes of the tenant (`nil`: the operator's own), by name.
    public func indexes(tenantID: String?) async throws(IndexServiceError) -> [FileIndexRecord] {
        try await storing { () throws(StoreError) in try await store.fileIndexes() }.filter { $0.tenantID == tenantID }
    }

    /// Every index of the store (the operator's view), by name.
    public func allIndexes() async throws(IndexServiceError) -> [FileIndexRecord] {
        try await storing { () throws(StoreError) in try await store.fileIndexes() }
    }

    /// The index the store keeps under `storedName` (a tenant's as `tenant/name`), or with that id.
    public func index(storedName: String) async throws(IndexServiceError) -> FileIndexRecord {
        guard let found = try await allIndexes().first(where: { $0.name == storedName || $0.id == storedName }) else { throw .unknownIndex(storedName) }
        return found
    }

    /// The index named `name` (as its owner knows it) of the tenant (`nil`: the operator's).
    public func index(named name: String, tenantID: String?) async throws(IndexServiceError) -> FileIndexRecord {
        guard let found = try await indexes(tenantID: tenantID).first(where: { $0.localName == name || $0.id == name }) else {
            throw .unknownIndex(name)
        }
        return found
    }

    public func status(_ index: FileIndexRecord) async throws(IndexServiceError) -> IndexStatus {
        try await storing { () throws(StoreError) in
            let files = try await store.indexedFiles(indexID: index.id)
            return IndexStatus(index: index, files: files.count, chunks: try await store.chunkCount(indexID: index.id),
                               failedFiles: files.count { $0.error != nil }, lastRun: try await store.indexRuns(indexID: index.id, limit: 1).first,
                               running: runs.contains(index.id), queued: queue.contains(index.id))
        }
    }

    /// The files that could not be read, with why.
    public func errors(_ index: FileIndexRecord) async throws(IndexServiceError) -> [IndexedFile] {
        try await storing { () throws(StoreError) in try await store.indexedFiles(indexID: index.id) }.filter { $0.error != nil }
    }

    public func remove(_ index: FileIndexRecord) async throws(IndexServiceError) {
        guard try await storing({ () throws(StoreError) in try await store.deleteFileIndex(id: index.id) }) else { throw .unknownIndex(index.name) }
    }

    /// Runs the index over `account`'s files (the index's own account): the whole of its roots,
    /// or only the paths `only` names (a webhook's). One run of an index at a time.
    @discardableResult
    public func run(_ index: FileIndexRecord, account: AccountRecord, only: [String]? = nil,
                    progress: (@Sendable (IndexProgress) -> Void)? = nil) async throws(IndexServiceError) -> IndexRunRecord {
        guard account.id == index.accountID else { throw .unknownIndex(index.name) }
        let (client, root): (DAVClient, String)
        do { (client, root) = try files.filesClient(account) } catch { throw .files(error) }
        guard runs.begin(index.id) else { throw .running(index.localName) }
        defer { runs.end(index.id) }
        do {
            return try await IndexRunner(store: store).run(index, client: client, filesRoot: root, only: only, progress: progress)
        } catch {
            throw .run(error)
        }
    }

    /// Asks for a background run of the index (its whole roots, or only the paths `only`
    /// names); runs asked for while one waits are merged into it. ``processQueue(onFinish:)``
    /// takes them.
    public func enqueue(_ index: FileIndexRecord, only: [String]? = nil) {
        queue.add(index.id, paths: only)
    }

    /// Runs the queued runs one after another until the task is cancelled, telling
    /// `onFinish` how each went.
    public func processQueue(onFinish: @Sendable (String, Result<IndexRunRecord, IndexServiceError>) -> Void) async {
        for await id in queue.ids {
            guard let paths = queue.take(id) else { continue }
            let result: Result<IndexRunRecord, IndexServiceError>
            do throws(IndexServiceError) {
                guard let index = try await storing({ () throws(StoreError) in try await store.fileIndex(id: id) }) else { continue }
                guard let account = try await storing({ () throws(StoreError) in try await store.account(id: index.accountID) }) else { continue }
                result = .success(try await run(index, account: account, only: paths))
            } catch {
                result = .failure(error)
            }
            onFinish(id, result)
            if Task.isCancelled { return }
        }
    }

    /// The passages of `indexes` that answer `request` best, best first.
    public func search(_ request: SearchRequest, in indexes: [FileIndexRecord]) async throws(IndexServiceError) -> [SearchHit] {
        guard (1...100).contains(request.k) else { throw .invalid(field: "k", "1 to 100") }
        guard request.query.count <= 1_000 else { throw .invalid(field: "q", "at most 1,000 characters") }
        guard let query = FullTextQuery(request.query) else { throw .invalid(field: "q", "no words to look for") }
        var folder: String?
        if let requested = request.folder {
            do { folder = try RemotePath(requested).description } catch { throw .invalid(field: "folder", error.description) }
        }
        let names = Dictionary(indexes.map { ($0.id, $0.localName) }, uniquingKeysWith: { first, _ in first })
        let filter = ChunkFilter(indexIDs: indexes.map(\.id), folder: folder, formats: request.formats, modifiedAfter: request.modifiedAfter,
                                 modifiedBefore: request.modifiedBefore)
        let hits = try await storing { () throws(StoreError) in try await store.searchChunks(query, filter: filter, limit: request.k) }
        return hits.map { hit in
            SearchHit(index: names[hit.indexID] ?? hit.indexID, indexID: hit.indexID, path: hit.path, page: hit.page, headingPath: hit.headingPath,
                      score: hit.score, snippet: hit.snippet, text: hit.text)
        }
    }

    private func storing<Value>(_ body: () async throws(StoreError) -> Value) async throws(IndexServiceError) -> Value {
        do { return try await body() } catch { throw .store(error) }
    }
}

/// Background runs asked for and not yet begun: per index, its whole roots or the paths named.
final class IndexQueue: Sendable {
    private let waiting = Mutex<[String: Set<String>?]>([:])
    let ids: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation

    init() {
        (ids, continuation) = AsyncStream.makeStream(of: String.self)
    }

    /// Queues a run of `id`: of `paths` only, or of everything (`nil`), merged into one waiting.
    func add(_ id: String, paths: [String]?) {
        let isNew = waiting.withLock { waiting in
            let before = waiting[id]
            // (updateValue: assigning a nil through the subscript would remove the entry.)
            switch (before, paths) {
            case (nil, _): waiting.updateValue(paths.map(Set.init), forKey: id)
            case (let wanted??, let more?): waiting.updateValue(wanted.union(more), forKey: id)
            default: waiting.updateValue(nil, forKey: id)
            }
            return before == nil
        }
        if isNew { continuation.yield(id) }
    }

    /// The run queued for `id` (`.some(nil)`: everything), taken off the queue.
    func take(_ id: String) -> [String]?? {
        waiting.withLock { $0.removeValue(forKey: id) }.map { $0.map { $0.sorted() } }
    }

    func contains(_ id: String) -> Bool { waiting.withLock { $0[id] != nil } }
}

/// The indexes being run in this process.
final class RunningIndexes: Sendable {
    private let ids = Mutex<Set<String>>([])

    func begin(_ id: String) -> Bool { ids.withLock { $0.insert(id).inserted } }
    func end(_ id: String) { _ = ids.withLock { $0.remove(id) } }
    func contains(_ id: String) -> Bool { ids.withLock { $0.contains(id) } }
}

extension FileIndexRecord {
    /// The name its tenant knows it by.
    public var localName: String { TenantScopedName.shown(name) }
}
