public import DAVClient
import DAVXML
public import Foundation
import Crypto
import IndexPlanning
public import SwitchboardStore
public import TextExtraction
import TextEmbedding

/// How far a run has come, for a progress bar.
public struct IndexProgress: Sendable, Hashable {
    public enum Phase: String, Sendable, Hashable {
        case listing, reading, finished
    }

    public var phase: Phase
    /// Files read (or failed) so far, of `total` to read.
    public var done: Int
    public var total: Int
    /// The file just finished.
    public var path: String?
}

/// Why a run stopped before its end. What it did until then stays done: the next run goes on
/// from there.
public struct IndexRunError: Error, Sendable, CustomStringConvertible {
    public var description: String
    /// The run as far as it got (its `failure` set).
    public var run: IndexRunRecord
}

/// Brings a knowledge index up to its account's files, the way a sync client would: per
/// root, one request when the server says nothing changed below it (an unchanged root ETag,
/// where the server is seen to change folder ETags up the tree), a descent into the folders
/// whose ETag changed there, else the whole tree in one `Depth: infinity` listing or a walk.
/// Then the files new or changed are downloaded, read (``DocumentReader``), cut into chunks
/// (``Chunker``) and stored, each file in one transaction with its record, so a run stopped
/// anywhere is taken up by the next without a chunk lost or doubled. Moves (a Nextcloud file
/// id at a new path) keep their chunks; files gone are removed; a file that cannot be read is
/// recorded with its error and the run goes on.
public struct IndexRunner: Sendable {
    let store: any FileIndexStore
    public var reader: DocumentReader
    public var chunker: Chunker
    /// Files downloaded and read at the same time.
    public var concurrency: Int
    /// Embeds the chunks' texts, when vectors are wanted; a text with a vector of the
    /// provider's model already is not embedded again.
    public var embeddings: (any EmbeddingProvider)?

    public init(store: any FileIndexStore, reader: DocumentReader = DocumentReader(), chunker: Chunker = Chunker(), concurrency: Int = 3,
                embeddings: (any EmbeddingProvider)? = nil) {
        self.store = store
        self.reader = reader
        self.chunker = chunker
        self.concurrency = max(1, concurrency)
        self.embeddings = embeddings
    }

    /// Runs `index` over the files `client` reaches under `filesRoot` (an href ending in `/`).
    /// `only`, when given, limits the run to these folders or files below the roots (a
    /// webhook's paths): the rest of the tree is neither listed nor changed.
    @discardableResult
    public func run(_ index: FileIndexRecord, client: DAVClient, filesRoot: String, only: [String]? = nil,
                    progress: (@Sendable (IndexProgress) -> Void)? = nil) async throws(IndexRunError) -> IndexRunRecord
    {
        var run = IndexRunRecord(indexID: index.id)
        let selection = FileSelection(includes: index.includes.compactMap(PathGlob.init), excludes: index.excludes.compactMap(PathGlob.init))
        do {
            try await store.saveIndexRun(run)
            let states = Dictionary(try await store.indexRoots(indexID: index.id).map { ($0.root, $0) }, uniquingKeysWith: { first, _ in first })
            let folders = try await store.indexFolders(indexID: index.id)
            let known = try await store.indexedFiles(indexID: index.id)
            for root in Self.normalizedRoots(index.roots) {
                let targets = only.map { Self.targets($0, under: root) } ?? [root]
                for target in targets {
                    progress?(IndexProgress(phase: .listing, done: 0, total: 0, path: target))
                    let crawl: RootCrawl
                    do throws(DAVError) {
                        crawl = try await RootCrawl.list(
                            target, root: root, state: target == root ? states[root] : nil, folders: folders, client: client, filesRoot: filesRoot)
                    } catch where error.code == .notFound && target != root {
                        // A webhook's path that is gone by now: remove what was under it.
                        crawl = RootCrawl.gone(target, root: root)
                    } catch {
                        throw ListingFailed(target: target, error: error)
                    }
                    run.requests += crawl.requests
                    try await apply(crawl, index: index, selection: selection, known: known, folders: folders, client: client,
                                    filesRoot: filesRoot, run: &run, progress: progress)
                }
            }
            // Chunks a stopped run or a run without a model left without vectors.
            try await embedMissing(index, run: &run)
            run.finishedAt = Date()
            try await store.saveIndexRun(run)
            progress?(IndexProgress(phase: .finished, done: run.read + run.failed, total: run.read + run.failed, path: nil))
            return run
        } catch {
            run.failure = error is CancellationError || Task.isCancelled ? "stopped before its end" : "\(error)"
            try? await store.saveIndexRun(run)
            throw IndexRunError(description: run.failure ?? "", run: run)
        }
    }

    /// A root or path that could not be listed: the run stops there.
    struct ListingFailed: Error, CustomStringConvertible {
        var target: String
        var error: DAVError
        var description: String { "listing \(target.isEmpty ? "/" : target): \(error)" }
    }

    private func apply(_ crawl: RootCrawl, index: FileIndexRecord, selection: FileSelection, known: [IndexedFile], folders: [String: String],
                       client: DAVClient, filesRoot: String, run: inout IndexRunRecord,
                       progress: (@Sendable (IndexProgress) -> Void)?) async throws
    {
        let below = { (path: String) in crawl.scope.isEmpty || path == crawl.scope || path.hasPrefix(crawl.scope + "/") }
        let knownHere = known.filter { below($0.path) }
        if case .nothing = crawl.coverage {
            run.unchanged += knownHere.count
            return
        }
        let listed = crawl.files.filter { selection.selects(Self.relative($0.path, to: crawl.root)) && Self.format(of: $0) != nil }
        let plan = CrawlPlan(known: knownHere.map { KnownFile(path: $0.path, etag: $0.etag, fileID: $0.fileID, size: $0.size) },
                             listed: listed.map(\.listed), covered: crawl.covers)
        run.listed += listed.count
        run.unchanged += plan.unchanged
        let entries = Dictionary(listed.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let knownByPath = Dictionary(knownHere.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        for move in plan.moves {
            guard let entry = entries[move.to] else { continue }
            let before = knownByPath[move.from]
            try await store.moveIndexedFile(indexID: index.id, from: move.from, to: entry.record(format: before?.format, chunks: before?.chunks ?? 0))
            run.moved += 1
        }
        try await store.removeIndexedFiles(indexID: index.id, paths: plan.remove)
        run.removed += plan.remove.count
        let toRead = plan.read.compactMap { entries[$0.path] }
        progress?(IndexProgress(phase: .reading, done: 0, total: toRead.count, path: nil))
        var done = 0
        var next = toRead.makeIterator()
        try await withThrowingTaskGroup(of: (ListedEntry, Outcome).self) { group in
            for _ in 0..<concurrency {
                guard let entry = next.next() else { break }
                group.addTask { (entry, await self.read(entry, maxBytes: index.maxFileBytes, client: client, filesRoot: filesRoot)) }
            }
            while let (entry, outcome) = try await group.next() {
                // Stopped: what is read is kept, the rest waits for the next run.
                try Task.checkCancellation()
                switch outcome {
                case .chunks(let format, let chunks):
                    try await store.replaceIndexedFile(indexID: index.id, entry.record(format: format, chunks: chunks.count), chunks: chunks)
                    run.read += 1
                    run.chunks += chunks.count
                    run.embedded += try await embed(Dictionary(chunks.map { ($0.contentHash, $0.text) }, uniquingKeysWith: { first, _ in first }),
                                                indexID: index.id)
                case .failed(let format, let why, let retry):
                    var record = entry.record(format: format, chunks: 0)
                    record.error = why
                    // A file that could not be fetched is tried again next run; one that
                    // could not be read waits until it changes.
                    if retry { record.etag = nil }
                    try await store.replaceIndexedFile(indexID: index.id, record, chunks: [])
                    run.failed += 1
                }
                run.requests += 1
                done += 1
                progress?(IndexProgress(phase: .reading, done: done, total: toRead.count, path: entry.path))
                if let entry = next.next() {
                    group.addTask { (entry, await self.read(entry, maxBytes: index.maxFileBytes, client: client, filesRoot: filesRoot)) }
                }
            }
        }
        // The folders' ETags are kept only now that everything below them is read: a run
        // stopped before this descends into them again.
        // A webhook's path below the root says nothing of the root's state.
        guard crawl.scope == crawl.root else { return }
        let changed = plan.read.map(\.path) + plan.remove + plan.moves.map(\.to)
        let state = IndexRootState(root: crawl.root, etag: crawl.rootETag, propagatesETags: crawl.propagation(previous: folders, changedFiles: changed),
                                   listing: crawl.listing)
        try await store.saveCrawlState(indexID: index.id, root: state, folders: crawl.folderETags, removingFolders: crawl.goneFolders(previous: folders))
    }

    /// Embeds the texts (by hash) that have no vector of the provider's model yet; how many it embedded.
    private func embed(_ texts: [String: String], indexID: String) async throws -> Int {
        guard let embeddings, !texts.isEmpty else { return 0 }
        let known = try await store.embeddings(model: embeddings.model, hashes: Array(texts.keys))
        let missing = texts.filter { known[$0.key] == nil }.sorted { $0.key < $1.key }
        guard !missing.isEmpty else { return 0 }
        let vectors = try await embeddings.embed(missing.map(\.value))
        guard vectors.count == missing.count else { throw EmbeddingModelError("the model gave \(vectors.count) vectors for \(missing.count) texts") }
        try await store.saveEmbeddings(model: embeddings.model, Dictionary(zip(missing.map(\.key), vectors), uniquingKeysWith: { first, _ in first }),
                                       indexID: indexID)
        return missing.count
    }

    /// Embeds the index's chunks that have no vector yet, a batch at a time.
    private func embedMissing(_ index: FileIndexRecord, run: inout IndexRunRecord) async throws {
        guard let embeddings else { return }
        while true {
            try Task.checkCancellation()
            let texts = try await store.chunkHashesWithoutEmbedding(indexID: index.id, model: embeddings.model, limit: 256)
            guard !texts.isEmpty else { return }
            let embedded = try await embed(texts, indexID: index.id)
            run.embedded += embedded
            guard embedded > 0 else { return }
        }
    }

    enum Outcome: Sendable {
        case chunks(format: String, [IndexedChunk])
        /// `retry`: the file could not be fetched (not a fault of its content).
        case failed(format: String?, String, retry: Bool)
    }

    /// Downloads one file to a temporary file, reads and chunks it.
    func read(_ entry: ListedEntry, maxBytes: Int64, client: DAVClient, filesRoot: String) async -> Outcome {
        guard let format = Self.format(of: entry) else { return .failed(format: nil, "not a format the index reads", retry: false) }
        if let size = entry.listed.size, size > maxBytes { return .failed(format: format.rawValue, "larger than \(maxBytes) bytes", retry: false) }
        let local = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-index-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: local) }
        do {
            try await client.download(entry.href, to: local, range: nil)
        } catch {
            return .failed(format: format.rawValue, "download: \(error)", retry: true)
        }
        var reader = self.reader
        reader.limits.maxInputBytes = Int(min(Int64(reader.limits.maxInputBytes), maxBytes))
        let text: ExtractedText
        do {
            text = try await reader.read(local, format: format)
        } catch {
            return .failed(format: format.rawValue, error.description, retry: false)
        }
        let chunks = chunker.chunks(text).map { chunk in
            IndexedChunk(position: chunk.index, text: chunk.text, headingPath: chunk.headingPath, page: chunk.page,
                         byteRange: text.utf8Range(of: chunk.blocks), contentHash: Self.hash(chunk.text))
        }
        if chunks.isEmpty, let problem = text.problems.first { return .failed(format: format.rawValue, problem, retry: false) }
        return .chunks(format: format.rawValue, chunks)
    }

    static func hash(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func format(of entry: ListedEntry) -> DocumentFormat? {
        DocumentFormat(fileName: entry.path.split(separator: "/").last.map(String.init) ?? "", mediaType: entry.contentType)
    }

    /// The roots as paths below the files root, without leading or trailing slashes, each once.
    static func normalizedRoots(_ roots: [String]) -> [String] {
        var seen: Set<String> = []
        return roots.map { $0.split(separator: "/").joined(separator: "/") }.filter { seen.insert($0).inserted }
    }

    /// Of the paths a webhook named, those below `root`.
    static func targets(_ paths: [String], under root: String) -> [String] {
        Set(paths.map { $0.split(separator: "/").joined(separator: "/") }.filter { root.isEmpty || $0 == root || $0.hasPrefix(root + "/") }).sorted()
    }

    static func relative(_ path: String, to root: String) -> String {
        root.isEmpty ? path : String(path.dropFirst(min(path.count, root.count + 1)))
    }
}

/// A file as the listing showed it, with what the engine needs beside the plan's view.
struct ListedEntry: Sendable {
    var listed: ListedFile
    var href: String
    var contentType: String?
    var modified: Date?

    var path: String { listed.path }

    func record(format: String?, chunks: Int) -> IndexedFile {
        IndexedFile(path: listed.path, etag: listed.etag, fileID: listed.fileID, size: listed.size, modified: modified, format: format, chunks: chunks)
    }
}
