public import Foundation

/// A knowledge index over some folders of an account's files: which folders (roots), which
/// files in them (globs on the path below the root, and a size limit).
public struct FileIndexRecord: Sendable, Hashable, Codable {
    public var id: String
    /// The operator's name for it, unique in a store (a tenant's are `tenant/name`).
    public var name: String
    public var accountID: String
    public var tenantID: String?
    /// Folders below the account's files root, crawled whole (`""` is the root itself).
    public var roots: [String]
    /// Globs a file's path must match one of (none: every file).
    public var includes: [String]
    /// Globs that leave a file out, before the includes.
    public var excludes: [String]
    /// Files larger than this are listed but not read.
    public var maxFileBytes: Int64
    public var createdAt: Date

    public init(id: String = UUID().uuidString, name: String, accountID: String, tenantID: String? = nil, roots: [String],
                includes: [String] = [], excludes: [String] = [], maxFileBytes: Int64 = 64 << 20, createdAt: Date = Date()) {
        self.id = id
        self.name = name
        self.accountID = accountID
        self.tenantID = tenantID
        self.roots = roots
        self.includes = includes
        self.excludes = excludes
        self.maxFileBytes = maxFileBytes
        self.createdAt = createdAt
    }
}

/// What the last complete crawl of a root learnt about the server: the root's ETag, whether
/// a change below a folder changes the folder's ETag (so an unchanged root means nothing
/// changed), and how the tree was listed.
public struct IndexRootState: Sendable, Hashable {
    public var root: String
    public var etag: String?
    /// `true` once a run saw every folder above a changed file change its ETag; `false` once
    /// one did not; `nil` until a run could tell.
    public var propagatesETags: Bool?
    /// How the tree was last listed (`depth-infinity`, `walk` or `descent`).
    public var listing: String?

    public init(root: String, etag: String? = nil, propagatesETags: Bool? = nil, listing: String? = nil) {
        self.root = root
        self.etag = etag
        self.propagatesETags = propagatesETags
        self.listing = listing
    }
}

/// A file as the index last saw it.
public struct IndexedFile: Sendable, Hashable, Codable {
    /// The path below the account's files root.
    public var path: String
    /// The ETag its chunks were made from (`nil` when it could not be read: the next run tries again).
    public var etag: String?
    public var fileID: String?
    public var size: Int64?
    public var modified: Date?
    /// The format it was read as (`pdf`, `docx`, …).
    public var format: String?
    public var chunks: Int
    /// Why it gave no chunks, when it did not.
    public var error: String?
    public var indexedAt: Date

    public init(path: String, etag: String?, fileID: String? = nil, size: Int64? = nil, modified: Date? = nil, format: String? = nil,
                chunks: Int = 0, error: String? = nil, indexedAt: Date = Date()) {
        self.path = path
        self.etag = etag
        self.fileID = fileID
        self.size = size
        self.modified = modified
        self.format = format
        self.chunks = chunks
        self.error = error
        self.indexedAt = indexedAt
    }
}

/// A passage of a file, as stored for search.
public struct IndexedChunk: Sendable, Hashable {
    /// Its place among the file's chunks, from 0.
    public var position: Int
    public var text: String
    /// The headings above it, outermost first.
    public var headingPath: [String]
    public var page: Int?
    /// Where it is in the file's extracted text, in UTF-8 bytes.
    public var byteRange: Range<Int>
    /// SHA-256 of the text (hex): equal text is embedded once.
    public var contentHash: String

    public init(position: Int, text: String, headingPath: [String], page: Int?, byteRange: Range<Int>, contentHash: String) {
        self.position = position
        self.text = text
        self.headingPath = headingPath
        self.page = page
        self.byteRange = byteRange
        self.contentHash = contentHash
    }
}

/// One run of an index: what it did and what it cost.
public struct IndexRunRecord: Sendable, Hashable, Codable {
    public var id: String
    public var indexID: String
    public var startedAt: Date
    public var finishedAt: Date?
    /// Files the listing covered.
    public var listed = 0
    public var read = 0
    public var moved = 0
    public var removed = 0
    public var unchanged = 0
    public var failed = 0
    /// Chunks written.
    public var chunks = 0
    /// Chunk texts embedded (those with a vector already are not).
    public var embedded = 0
    /// Requests to the server.
    public var requests = 0
    /// Why the run stopped before its end.
    public var failure: String?

    public init(id: String = UUID().uuidString, indexID: String, startedAt: Date = Date()) {
        self.id = id
        self.indexID = indexID
        self.startedAt = startedAt
    }
}

/// The words a full-text search looks for, reduced to letters and digits (each a term of its
/// own, any of which may match; the ranking prefers passages with more of them), so no
/// query syntax of either database reaches it. At most 32 terms of at most 64 characters.
///
/// English stop words ("how", "do", "the", …) are left out, unless the text has no other
/// words: PostgreSQL's `english` configuration drops them from its queries, SQLite's FTS5
/// has no such list and would rank by them (a question's "how do I" matches a third of any
/// documentation).
public struct FullTextQuery: Sendable, Hashable {
    public private(set) var terms: [String]

    /// `nil` when `text` has no letters or digits.
    public init?(_ text: String) {
        var terms: [String] = []
        var seen: Set<String> = []
        for word in text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }) {
            let term = String(word.prefix(64))
            if seen.insert(term).inserted { terms.append(term) }
        }
        let meaningful = terms.filter { !Self.stopWords.contains($0) }
        guard !terms.isEmpty else { return nil }
        self.terms = Array((meaningful.isEmpty ? terms : meaningful).prefix(32))
    }

    /// The English stop words of PostgreSQL's `english` dictionary (Snowball's list).
    static let stopWords: Set<String> = [
        "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself", "yourselves", "he", "him", "his",
        "himself", "she", "her", "hers", "herself", "it", "its", "itself", "they", "them", "their", "theirs", "themselves", "what", "which",
        "who", "whom", "this", "that", "these", "those", "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had",
        "having", "do", "does", "did", "doing", "a", "an", "the", "and", "but", "if", "or", "because", "as", "until", "while", "of", "at",
        "by", "for", "with", "about", "against", "between", "into", "through", "during", "before", "after", "above", "below", "to", "from",
        "up", "down", "in", "out", "on", "off", "over", "under", "again", "further", "then", "once", "here", "there", "when", "where", "why",
        "how", "all", "any", "both", "each", "few", "more", "most", "other", "some", "such", "no", "nor", "not", "only", "own", "same", "so",
        "than", "too", "very", "s", "t", "can", "will", "just", "don", "should", "now",
    ]

    /// A query of some of these terms (not empty).
    init(keeping terms: [String]) {
        self.terms = terms
    }

    /// FTS5's form: each term a quoted string (no operator or column filter can be formed),
    /// any of them (or, with `all`, every one) to match.
    func fts5(all: Bool = false) -> String {
        terms.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: all ? " AND " : " OR ")
    }
    /// The words for `plainto_tsquery`, whose `&` the store turns into `|`.
    var plain: String { terms.joined(separator: " ") }
}

/// Which chunks a search may return.
public struct ChunkFilter: Sendable, Hashable {
    /// The indexes searched (the caller's to read).
    public var indexIDs: [String]
    /// Only files below this folder (a path below the files root, no trailing `/`).
    public var folder: String?
    /// Only files read as one of these formats.
    public var formats: [String]
    public var modifiedAfter: Date?
    public var modifiedBefore: Date?

    public init(indexIDs: [String], folder: String? = nil, formats: [String] = [], modifiedAfter: Date? = nil, modifiedBefore: Date? = nil) {
        self.indexIDs = indexIDs
        self.folder = folder
        self.formats = formats
        self.modifiedAfter = modifiedAfter
        self.modifiedBefore = modifiedBefore
    }
}

/// A passage a search found.
public struct ChunkHit: Sendable, Hashable {
    /// The chunk's number in the store (stable while the chunk is unchanged).
    public var seq: Int64
    public var indexID: String
    public var path: String
    public var position: Int
    public var page: Int?
    public var headingPath: [String]
    public var text: String
    /// The text around the matches, matched words marked.
    public var snippet: Snippet
    /// Higher is better; comparable only within one search.
    public var score: Double
    public var contentHash: String
}

/// A short passage with the words that matched marked.
public struct Snippet: Sendable, Hashable {
    public var text: String
    /// The marked words, as ranges of UTF-16 offsets into ``text`` (as JavaScript counts).
    public var highlights: [Range<Int>]

    public init(text: String, highlights: [Range<Int>]) {
        self.text = text
        self.highlights = highlights
    }

    static let start: Character = "\u{02}"
    static let end: Character = "\u{03}"

    /// Reads a snippet whose matches the database marked with STX … ETX.
    init(marked: String) {
        var text = ""
        var highlights: [Range<Int>] = []
        var offset = 0
        var opened: Int?
        for character in marked {
            if character == Self.start {
                opened = offset
            } else if character == Self.end {
                if let start = opened, start < offset { highlights.append(start..<offset) }
                opened = nil
            } else {
                text.append(character)
                offset += character.utf16.count
            }
        }
        self.init(text: text, highlights: highlights)
    }
}

extension Array where Element == ChunkHit {
    /// These hits with the snippets of ``FileIndexStore/markedSnippets(_:seqs:)`` in place of
    /// theirs where there is one.
    public func withSnippets(_ snippets: [Int64: Snippet]) -> [ChunkHit] {
        map { hit in
            var hit = hit
            if let snippet = snippets[hit.seq] { hit.snippet = snippet }
            return hit
        }
    }
}

/// Knowledge indexes: their definitions, what their runs saw, and their chunks with a
/// full-text index. A file's chunks are replaced with its record in one transaction, so a
/// run stopped anywhere leaves every file either as before or fully re-read.
public protocol FileIndexStore: Sendable {
    /// Writes an index (insert or replace by id); another of the same name is a constraint error.
    func saveFileIndex(_ index: FileIndexRecord) async throws(StoreError)
    func fileIndexes() async throws(StoreError) -> [FileIndexRecord]
    func fileIndex(id: String) async throws(StoreError) -> FileIndexRecord?
    /// Deletes an index with everything it holds; `false` when there was none.
    func deleteFileIndex(id: String) async throws(StoreError) -> Bool

    func indexRoots(indexID: String) async throws(StoreError) -> [IndexRootState]
    /// Each folder's ETag after the last complete run, by path.
    func indexFolders(indexID: String) async throws(StoreError) -> [String: String]
    /// Records a root's state after a complete run, with the ETags of the folders it listed
    /// and without the folders it found gone.
    func saveCrawlState(indexID: String, root: IndexRootState, folders: [String: String], removingFolders: [String]) async throws(StoreError)

    /// Every file the index knows, by path.
    func indexedFiles(indexID: String) async throws(StoreError) -> [IndexedFile]
    /// Replaces a file's record and chunks.
    func replaceIndexedFile(indexID: String, _ file: IndexedFile, chunks: [IndexedChunk]) async throws(StoreError)
    /// Moves a file's record and chunks to `file.path`.
    func moveIndexedFile(indexID: String, from path: String, to file: IndexedFile) async throws(StoreError)
    /// Removes the files' records and chunks.
    func removeIndexedFiles(indexID: String, paths: [String]) async throws(StoreError)

    func saveIndexRun(_ run: IndexRunRecord) async throws(StoreError)
    /// The latest runs, newest first.
    func indexRuns(indexID: String, limit: Int) async throws(StoreError) -> [IndexRunRecord]
    /// How many chunks the index holds.
    func chunkCount(indexID: String) async throws(StoreError) -> Int

    /// The `limit` chunks that match `query` best (BM25 in SQLite, `ts_rank_cd` in PostgreSQL),
    /// their snippets marked.
    func searchChunks(_ query: FullTextQuery, filter: ChunkFilter, limit: Int) async throws(StoreError) -> [ChunkHit]
    /// The same ranking, each snippet the start of the passage: for a list that is fused
    /// with another before its best are shown (``markedSnippets(_:seqs:)`` marks those).
    func rankChunks(_ query: FullTextQuery, filter: ChunkFilter, limit: Int) async throws(StoreError) -> [ChunkHit]
    /// Snippets of the chunks numbered `seqs` with `query`'s words marked, for those that
    /// hold any of them.
    func markedSnippets(_ query: FullTextQuery, seqs: [Int64]) async throws(StoreError) -> [Int64: Snippet]
    /// The chunks numbered `seqs` that `filter` lets through, with their text's start as the
    /// snippet and a score of 0 (a vector search ranks them).
    func chunks(seqs: [Int64], filter: ChunkFilter) async throws(StoreError) -> [ChunkHit]

    /// Counts the changes to the index's chunks (every replace, move or removal adds one):
    /// what was read of them stays valid while it is the same.
    func indexVersion(indexID: String) async throws(StoreError) -> Int64
    /// Keeps vectors of `model` by the hash of the text they embed, for chunks of the index
    /// `indexID` (whose version it counts up).
    func saveEmbeddings(model: String, _ vectors: [String: [Float]], indexID: String) async throws(StoreError)
    /// Of `hashes`, those with a vector of `model`, with it.
    func embeddings(model: String, hashes: [String]) async throws(StoreError) -> [String: [Float]]
    /// The hashes of the index's chunk texts that have no vector of `model` yet.
    func chunkHashesWithoutEmbedding(indexID: String, model: String, limit: Int) async throws(StoreError) -> [String: String]
    /// Every chunk of the index that has a vector of `model`: its number and the vector.
    func chunkVectors(indexID: String, model: String) async throws(StoreError) -> [(seq: Int64, vector: [Float])]
}
