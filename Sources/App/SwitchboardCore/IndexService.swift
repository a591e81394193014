public import Foundation
import DAVClient
import IndexPlanning
public import Indexing
public import SwitchboardStore
import Synchronization
public import TextEmbedding

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
    /// Files that could not be read (``IndexService/errors(_:)`` lists them all).
    public var failedFiles: Int
    /// The first 100 of them, with why.
    public var unreadable: [IndexedFile]
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

/// How a search ranks passages.
public enum SearchMode: String, Sendable, CaseIterable, Codable {
    /// Both lists' scores combined, meaning weighted 0.7 and the words 0.3.
    case hybrid
    /// The words (BM25 in SQLite, `ts_rank_cd` in PostgreSQL).
    case keyword
    /// The meaning: the passages whose vectors are closest to the question's.
    case vector
}

/// What a search looks in and for.
public struct SearchRequest: Sendable {
    public var query: String
    public var k: Int
    /// `nil`: hybrid when an embedding model is set, else keyword.
    public var mode: SearchMode?
    /// Only below this folder (a path below the account's files).
    public var folder: String?
    /// Only files read as these formats (`pdf`, `docx`, `odt`, `html`, `markdown`, `text`).
    public var formats: [String]
    public var modifiedAfter: Date?
    public var modifiedBefore: Date?

    public init(query: String, k: Int = 10, mode: SearchMode? = nil, folder: String? = nil, formats: [String] = [], modifiedAfter: Date? = nil,
                modifiedBefore: Date? = nil) {
        self.query = query
        self.k = k
        self.mode = mode
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
    /// A vector search without an embedding model, or the model failed.
    case embeddings(String)

    public var description: String {
        switch self {
        case .unknownIndex(let name): "no index \(name)"
        case .invalid(let field, let why): "\(field): \(why)"
        case .duplicateName(let name): "an index named \(name) exists"
        case .running(let name): "the index \(name) is being run"
        case .files(let error): error.description
        case .run(let error): "the run stopped: \(error.description)"
        case .store(let error): error.description
        case .embeddings(let why): why
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
    let model = EmbeddingModelSetting()
    let vectors = VectorCache()

    init(store: any AppStore, files: FileService) {
        self.store = store
        self.files = files
        runs = RunningIndexes()
        queue = IndexQueue()
    }

    /// Embeds chunks with `provider` from now on (runs store vectors, searches may rank by
    /// meaning); `nil` for keyword search only.
    public func useEmbeddings(_ provider: (any EmbeddingProvider)?) {
        model.provider = provider
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

    public func status(_ index: FileIndexRecord) async throws(IndexServiceError) -> IndexStatus {
        try await storing { () throws(StoreError) in
            let files = try await store.indexedFiles(indexID: index.id)
            let unreadable = files.filter { $0.error != nil }
            return IndexStatus(index: index, files: files.count, chunks: try await store.chunkCount(indexID: index.id),
                               failedFiles: unreadable.count, unreadable: Array(unreadable.prefix(100)),
                               lastRun: try await store.indexRuns(indexID: index.id, limit: 1).first, running: runs.contains(index.id),
                               queued: queue.contains(index.id))
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
            return try await IndexRunner(store: store, embeddings: model.provider).run(index, client: client, filesRoot: root, only: only, progress: progress)
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

    /// Queues runs of the account's indexes for the files and folders `paths` names (paths
    /// below the account's files, as Nextcloud's file events give them): each index whose
    /// roots hold one lists the folders they are in (so that a file gone is seen gone).
    /// Returns the indexes queued.
    @discardableResult
    public func filesChanged(accountID: String, paths: [String]) async throws(IndexServiceError) -> [FileIndexRecord] {
        // Paths from outside: only those that stay within the account's files, in their plain form.
        let paths = paths.compactMap { try? RemotePath($0).description }
        let folders = Set(paths.map { $0.split(separator: "/").dropLast().joined(separator: "/") })
        guard !folders.isEmpty else { return [] }
        let indexes = try await allIndexes().filter { $0.accountID == accountID }
        var queued: [FileIndexRecord] = []
        for index in indexes {
            let roots = index.roots
            let inside = folders.filter { folder in roots.contains { $0.isEmpty || folder == $0 || folder.hasPrefix($0 + "/") } }
            // A change to a root's own parent (the root renamed or deleted) runs the whole index.
            let aboveRoots = paths.contains { path in roots.contains { !$0.isEmpty && ($0 == path || $0.hasPrefix(path + "/")) } }
            if aboveRoots {
                enqueue(index)
            } else if !inside.isEmpty {
                enqueue(index, only: inside.sorted())
            } else {
                continue
            }
            queued.append(index)
        }
        return queued
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
        let provider = model.provider
        let mode = request.mode ?? (provider == nil ? .keyword : .hybrid)
        // Each list takes more than k, so that fusing and filtering still leave k.
        let depth = max(50, request.k * 5)
        var hits: [ChunkHit]
        switch mode {
        case .keyword:
            hits = try await storing { () throws(StoreError) in try await store.searchChunks(query, filter: filter, limit: request.k) }
        case .vector:
            guard let provider else { throw .embeddings("vector search needs an embedding model (--embedding-model)") }
            hits = try await marked(Array(try await nearest(request.query, provider: provider, indexes: indexes, filter: filter, limit: depth)
                .prefix(request.k)), query: query)
        case .hybrid:
            guard let provider else { throw .embeddings("hybrid search needs an embedding model (--embedding-model)") }
            // Both lists at once: the words in the store, the meaning in memory.
            let store = store
            async let keywordResult = Self.result { () throws(StoreError) in try await store.rankChunks(query, filter: filter, limit: depth) }
            let vector = try await nearest(request.query, provider: provider, indexes: indexes, filter: filter, limit: depth)
            let keyword = try await keywordResult.mapError(IndexServiceError.store).get()
            hits = try await marked(Array(Self.fused(keyword, vector).prefix(request.k)), query: query)
        }
        return hits.map { hit in
            SearchHit(index: names[hit.indexID] ?? hit.indexID, indexID: hit.indexID, path: hit.path, page: hit.page, headingPath: hit.headingPath,
                      score: hit.score, snippet: hit.snippet, text: hit.text)
        }
    }

    /// Vectors for `texts` from the indexes' embedding model, which `model` must name (the
    /// application's own use of the model: `POST /v1/embeddings`).
    public func embed(_ texts: [String], model requested: String) async throws(IndexServiceError) -> (model: String, embedded: EmbeddedTexts) {
        guard let provider = model.provider else { throw .embeddings("this server has no embedding model (--embedding-model)") }
        guard requested == provider.model else { throw .invalid(field: "model", "this server embeds with \(provider.model)") }
        guard (1...256).contains(texts.count) else { throw .invalid(field: "input", "1 to 256 texts") }
        do {
            return (provider.model, try await provider.embedCounting(texts))
        } catch {
            throw .embeddings("the embedding model failed: \(error)")
        }
    }

    /// `hits` with the question's words marked in the snippets of those that hold any.
    private func marked(_ hits: [ChunkHit], query: FullTextQuery) async throws(IndexServiceError) -> [ChunkHit] {
        hits.withSnippets(try await storing { () throws(StoreError) in try await store.markedSnippets(query, seqs: hits.map(\.seq)) })
    }

    /// The chunks whose vectors are closest to the question's, best first (their scores the cosine).
    private func nearest(_ question: String, provider: any EmbeddingProvider, indexes: [FileIndexRecord], filter: ChunkFilter,
                         limit: Int) async throws(IndexServiceError) -> [ChunkHit] {
        let vector: [Float]
        do {
            guard let first = try await provider.embed([question]).first else { throw EmbeddingModelError("no vector for the question") }
            vector = first
        } catch {
            throw .embeddings("the embedding model failed: \(error)")
        }
        var candidates: [(seq: Int64, score: Float)] = []
        // Filters apply to the candidates afterwards: take more when there are filters.
        let wanted = filter.folder == nil && filter.formats.isEmpty && filter.modifiedAfter == nil && filter.modifiedBefore == nil ? limit : limit * 10
        for index in indexes {
            let loaded = try await storing { () throws(StoreError) in try await vectors.vectors(of: index.id, model: provider.model, dimensions: provider.dimensions, in: store) }
            candidates += loaded.matrix.nearest(to: vector, k: wanted).map { (loaded.seqs[$0.row], $0.score) }
        }
        candidates.sort { $0.score > $1.score }
        candidates = Array(candidates.prefix(wanted))
        let scores = Dictionary(candidates.map { ($0.seq, $0.score) }, uniquingKeysWith: { first, _ in first })
        let rows = try await storing { () throws(StoreError) in try await store.chunks(seqs: candidates.map(\.seq), filter: filter) }
        return rows.map { hit in
            var hit = hit
            hit.score = Double(scores[hit.seq] ?? 0)
            return hit
        }.sorted { $0.score > $1.score || ($0.score == $1.score && $0.seq < $1.seq) }.prefix(limit).map { $0 }
    }

    /// The weight of meaning in hybrid search; the words have the rest.
    static let vectorWeight = 0.7

    /// A convex combination of the two lists' scores, each scaled to 0…1 by its list's lowest
    /// and highest (a chunk missing from a list scores 0 there): `0.7 × vector + 0.3 × keyword`.
    /// Reciprocal rank fusion was tried first and lost to vector search alone on the labelled
    /// set (nDCG@10 0.52 against 0.67): a chunk that both lists rank in the middle beat one that
    /// meaning ranks first, and the words rank many such middling passages; scores keep how far
    /// ahead the first is (Bruch et al. 2023 found the same).
    static func fused(_ keyword: [ChunkHit], _ vector: [ChunkHit]) -> [ChunkHit] {
        var scores: [Int64: Double] = [:]
        var hits: [Int64: ChunkHit] = [:]
        for (list, weight) in [(keyword, 1 - vectorWeight), (vector, vectorWeight)] {
            guard let highest = list.map(\.score).max(), let lowest = list.map(\.score).min() else { continue }
            for hit in list {
                let scaled = highest > lowest ? (hit.score - lowest) / (highest - lowest) : 1
                scores[hit.seq, default: 0] += weight * scaled
                if hits[hit.seq] == nil { hits[hit.seq] = hit }
            }
        }
        return hits.values.map { hit in
            var hit = hit
            hit.score = scores[hit.seq] ?? 0
            return hit
        }.sorted { $0.score > $1.score || ($0.score == $1.score && $0.seq < $1.seq) }
    }

    /// The store's answer as a value (what `async let` can carry with its error's type).
    static func result<Value>(_ body: () async throws(StoreError) -> Value) async -> Result<Value, StoreError> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    private func storing<Value>(_ body: () async throws(StoreError) -> Value) async throws(IndexServiceError) -> Value {
        do { return try await body() } catch { throw .store(error) }
    }
}

/// The embedding model the indexes use, set once the process has loaded it.
final class EmbeddingModelSetting: Sendable {
    private let current = Mutex<(any EmbeddingProvider)?>(nil)

    var provider: (any EmbeddingProvider)? {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }
}

/// Each index's vectors in memory, for exact search: read again from the store only when the
/// index's version (its chunks' change count) or the model differs.
final class VectorCache: Sendable {
    struct Loaded: Sendable {
        var version: Int64
        var model: String
        var seqs: [Int64]
        var matrix: VectorMatrix
    }

    private let loaded = Mutex<[String: Loaded]>([:])

    func vectors(of indexID: String, model: String, dimensions: Int, in store: any FileIndexStore) async throws(StoreError) -> Loaded {
        let version = try await store.indexVersion(indexID: indexID)
        if let cached = loaded.withLock({ $0[indexID] }), cached.version == version, cached.model == model { return cached }
        var matrix = VectorMatrix(dimensions: dimensions)
        var seqs: [Int64] = []
        for (seq, vector) in try await store.chunkVectors(indexID: indexID, model: model) where matrix.append(vector) { seqs.append(seq) }
        let fresh = Loaded(version: version, model: model, seqs: seqs, matrix: matrix)
        loaded.withLock { $0[indexID] = fresh }
        return fresh
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
