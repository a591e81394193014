import Foundation

extension SQLStore: FileIndexStore {
    public func saveFileIndex(_ index: FileIndexRecord) async throws(StoreError) {
        _ = try await database.run([upsert("file_indexes", key: ["id"], try index.row)], operation: "saveFileIndex")
    }

    public func fileIndexes() async throws(StoreError) -> [FileIndexRecord] {
        try await database.read([SQLStatement("SELECT * FROM file_indexes ORDER BY name")], operation: "fileIndexes")[0]
            .map { row throws(StoreError) in try FileIndexRecord(row: row) }
    }

    public func fileIndex(id: String) async throws(StoreError) -> FileIndexRecord? {
        try await database.read([SQLStatement("SELECT * FROM file_indexes WHERE id = ?", [.text(id)])], operation: "fileIndex")[0]
            .first.map { row throws(StoreError) in try FileIndexRecord(row: row) }
    }

    public func deleteFileIndex(id: String) async throws(StoreError) -> Bool {
        let statement = SQLStatement("DELETE FROM file_indexes WHERE id = ? RETURNING id", [.text(id)])
        return try await !database.run([statement], operation: "deleteFileIndex")[0].isEmpty
    }

    // MARK: Crawl state

    public func indexRoots(indexID: String) async throws(StoreError) -> [IndexRootState] {
        try await database.read([SQLStatement("SELECT * FROM index_roots WHERE index_id = ? ORDER BY root", [.text(indexID)])],
                                operation: "indexRoots")[0].map { row throws(StoreError) in
            IndexRootState(root: try row.text("root"), etag: try row.optionalText("etag"),
                           propagatesETags: try row.optionalInteger("propagates_etags").map { $0 != 0 }, listing: try row.optionalText("listing"))
        }
    }

    public func indexFolders(indexID: String) async throws(StoreError) -> [String: String] {
        let rows = try await database.read([SQLStatement("SELECT path, etag FROM index_folders WHERE index_id = ?", [.text(indexID)])],
                                           operation: "indexFolders")[0]
        var folders: [String: String] = [:]
        for row in rows { folders[try row.text("path")] = try row.optionalText("etag") }
        return folders
    }

    public func saveCrawlState(indexID: String, root: IndexRootState, folders: [String: String], removingFolders: [String]) async throws(StoreError) {
        var statements = [upsert("index_roots", key: ["index_id", "root"], [
            ("index_id", .text(indexID)), ("root", .text(root.root)), ("etag", root.etag.map(SQLValue.text) ?? .null),
            ("propagates_etags", root.propagatesETags.map(SQLValue.bool) ?? .null), ("listing", root.listing.map(SQLValue.text) ?? .null),
        ])]
        for path in removingFolders {
            statements.append(SQLStatement("DELETE FROM index_folders WHERE index_id = ? AND path = ?", [.text(indexID), .text(path)]))
        }
        for (path, etag) in folders.sorted(by: { $0.key < $1.key }) {
            statements.append(upsert("index_folders", key: ["index_id", "path"], [("index_id", .text(indexID)), ("path", .text(path)), ("etag", .text(etag))]))
        }
        _ = try await database.run(statements, operation: "saveCrawlState")
    }

    // MARK: Files and chunks

    public func indexedFiles(indexID: String) async throws(StoreError) -> [IndexedFile] {
        try await database.read([SQLStatement("SELECT * FROM index_files WHERE index_id = ? ORDER BY path", [.text(indexID)])],
                                operation: "indexedFiles")[0].map { row throws(StoreError) in try IndexedFile(row: row) }
    }

    public func replaceIndexedFile(indexID: String, _ file: IndexedFile, chunks: [IndexedChunk]) async throws(StoreError) {
        var statements = [
            SQLStatement("DELETE FROM index_chunks WHERE index_id = ? AND path = ?", [.text(indexID), .text(file.path)]),
            upsert("index_files", key: ["index_id", "path"], file.row(indexID: indexID)),
            Self.bumpVersion(indexID),
        ]
        for chunk in chunks {
            let row = try chunk.row(indexID: indexID, path: file.path, fileID: file.fileID)
            statements.append(SQLStatement(
                "INSERT INTO index_chunks (\(row.map(\.column).joined(separator: ", "))) VALUES (\(Self.placeholders(row.count)))", row.map(\.value)))
        }
        _ = try await database.run(statements, operation: "replaceIndexedFile")
    }

    public func moveIndexedFile(indexID: String, from path: String, to file: IndexedFile) async throws(StoreError) {
        _ = try await database.run([
            SQLStatement("DELETE FROM index_chunks WHERE index_id = ? AND path = ?", [.text(indexID), .text(file.path)]),
            SQLStatement("DELETE FROM index_files WHERE index_id = ? AND path = ?", [.text(indexID), .text(file.path)]),
            SQLStatement("UPDATE index_chunks SET path = ? WHERE index_id = ? AND path = ?", [.text(file.path), .text(indexID), .text(path)]),
            SQLStatement("DELETE FROM index_files WHERE index_id = ? AND path = ?", [.text(indexID), .text(path)]),
            upsert("index_files", key: ["index_id", "path"], file.row(indexID: indexID)),
            Self.bumpVersion(indexID),
        ], operation: "moveIndexedFile")
    }

    public func removeIndexedFiles(indexID: String, paths: [String]) async throws(StoreError) {
        guard !paths.isEmpty else { return }
        // In batches, each a transaction of its own: a removal done is done.
        for batch in stride(from: 0, to: paths.count, by: 200).map({ paths[$0..<min($0 + 200, paths.count)] }) {
            let binds = [SQLValue.text(indexID)] + batch.map(SQLValue.text)
            let list = Self.placeholders(batch.count)
            _ = try await database.run([
                SQLStatement("DELETE FROM index_chunks WHERE index_id = ? AND path IN (\(list))", binds),
                SQLStatement("DELETE FROM index_files WHERE index_id = ? AND path IN (\(list))", binds),
                Self.bumpVersion(indexID),
            ], operation: "removeIndexedFiles")
        }
    }

    private static func bumpVersion(_ indexID: String) -> SQLStatement {
        SQLStatement("UPDATE file_indexes SET version = version + 1 WHERE id = ?", [.text(indexID)])
    }

    public func indexVersion(indexID: String) async throws(StoreError) -> Int64 {
        let rows = try await database.read([SQLStatement("SELECT version FROM file_indexes WHERE id = ?", [.text(indexID)])], operation: "indexVersion")[0]
        return try rows.first?.integer("version") ?? -1
    }

    // MARK: Embeddings

    public func saveEmbeddings(model: String, _ vectors: [String: [Float]], indexID: String) async throws(StoreError) {
        guard !vectors.isEmpty else { return }
        let statements = vectors.sorted { $0.key < $1.key }.map { hash, vector in
            SQLStatement("INSERT INTO embeddings (model, content_hash, vector) VALUES (?, ?, ?) ON CONFLICT (model, content_hash) DO NOTHING",
                         [.text(model), .text(hash), .bytes(Self.bytes(vector))])
        }
        _ = try await database.run(statements + [Self.bumpVersion(indexID)], operation: "saveEmbeddings")
    }

    public func embeddings(model: String, hashes: [String]) async throws(StoreError) -> [String: [Float]] {
        var found: [String: [Float]] = [:]
        let unique = Array(Set(hashes))
        for batch in stride(from: 0, to: unique.count, by: 500).map({ unique[$0..<min($0 + 500, unique.count)] }) {
            let statement = SQLStatement("SELECT content_hash, vector FROM embeddings WHERE model = ? AND content_hash IN (\(Self.placeholders(batch.count)))",
                                         [.text(model)] + batch.map(SQLValue.text))
            for row in try await database.read([statement], operation: "embeddings")[0] {
                found[try row.text("content_hash")] = Self.floats(try row.optionalBytes("vector") ?? [])
            }
        }
        return found
    }

    public func chunkHashesWithoutEmbedding(indexID: String, model: String, limit: Int) async throws(StoreError) -> [String: String] {
        let statement = SQLStatement("""
            SELECT c.content_hash, MIN(c.text) AS text FROM index_chunks c
            WHERE c.index_id = ? AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.model = ? AND e.content_hash = c.content_hash)
            GROUP BY c.content_hash LIMIT ?
            """, [.text(indexID), .text(model), .integer(Int64(limit))])
        var texts: [String: String] = [:]
        for row in try await database.read([statement], operation: "chunkHashesWithoutEmbedding")[0] {
            texts[try row.text("content_hash")] = try row.text("text")
        }
        return texts
    }

    public func chunkVectors(indexID: String, model: String) async throws(StoreError) -> [(seq: Int64, vector: [Float])] {
        let statement = SQLStatement("""
            SELECT c.seq, e.vector FROM index_chunks c JOIN embeddings e ON e.model = ? AND e.content_hash = c.content_hash
            WHERE c.index_id = ? ORDER BY c.seq
            """, [.text(model), .text(indexID)])
        return try await database.read([statement], operation: "chunkVectors")[0].map { row throws(StoreError) in
            (try row.integer("seq"), Self.floats(try row.optionalBytes("vector") ?? []))
        }
    }

    /// A vector as little-endian `Float32` bytes.
    static func bytes(_ vector: [Float]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(vector.count * 4)
        for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        return bytes
    }

    static func floats(_ bytes: [UInt8]) -> [Float] {
        stride(from: 0, to: bytes.count - bytes.count % 4, by: 4).map { offset in
            Float(bitPattern: UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24)
        }
    }

    // MARK: Runs

    public func saveIndexRun(_ run: IndexRunRecord) async throws(StoreError) {
        _ = try await database.run([upsert("index_runs", key: ["id"], run.row)], operation: "saveIndexRun")
    }

    public func indexRuns(indexID: String, limit: Int) async throws(StoreError) -> [IndexRunRecord] {
        let statement = SQLStatement("SELECT * FROM index_runs WHERE index_id = ? ORDER BY started_at DESC LIMIT ?", [.text(indexID), .integer(Int64(limit))])
        return try await database.read([statement], operation: "indexRuns")[0].map { row throws(StoreError) in try IndexRunRecord(row: row) }
    }

    public func chunkCount(indexID: String) async throws(StoreError) -> Int {
        let rows = try await database.read([SQLStatement("SELECT COUNT(*) AS n FROM index_chunks WHERE index_id = ?", [.text(indexID)])],
                                           operation: "chunkCount")[0]
        return Int(try rows.first?.integer("n") ?? 0)
    }

    // MARK: Search

    public func searchChunks(_ query: FullTextQuery, filter: ChunkFilter, limit: Int) async throws(StoreError) -> [ChunkHit] {
        let ranked = try await rankChunks(query, filter: filter, limit: limit)
        return ranked.withSnippets(try await markedSnippets(query, seqs: ranked.map(\.seq)))
    }

    public func rankChunks(_ query: FullTextQuery, filter: ChunkFilter, limit: Int) async throws(StoreError) -> [ChunkHit] {
        guard !filter.indexIDs.isEmpty, limit > 0 else { return [] }
        switch try await selective(query) {
        case .any(let words):
            return try await rankedChunks(words, all: false, filter: filter, limit: limit)
        case .common(let words, let rarest):
            // Only common words: the passages with all of them, else those with the rarest.
            let all = try await rankedChunks(words, all: true, filter: filter, limit: limit)
            return all.count >= limit ? all : try await rankedChunks(rarest, all: false, filter: filter, limit: limit)
        }
    }

    public func markedSnippets(_ query: FullTextQuery, seqs: [Int64]) async throws(StoreError) -> [Int64: Snippet] {
        guard !seqs.isEmpty else { return [:] }
        let statement: SQLStatement
        switch database.dialect {
        case .sqlite:
            statement = SQLStatement("""
                SELECT rowid AS seq, snippet(index_chunk_text, 0, char(2), char(3), '…', 24) AS marked
                FROM index_chunk_text WHERE index_chunk_text MATCH ? AND rowid IN (\(Self.placeholders(seqs.count)))
                """, [.text(query.fts5())] + seqs.map(SQLValue.integer))
        case .postgres:
            statement = SQLStatement("""
                WITH q AS (SELECT replace(plainto_tsquery('english', ?)::text, ' & ', ' | ')::tsquery AS query)
                SELECT c.seq, ts_headline('english', c.text, q.query, ?) AS marked
                FROM index_chunks c CROSS JOIN q WHERE c.seq IN (\(Self.placeholders(seqs.count))) AND c.search @@ q.query
                """, [.text(query.plain), .text("StartSel=\u{02}, StopSel=\u{03}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \"")]
                    + seqs.map(SQLValue.integer))
        }
        var snippets: [Int64: Snippet] = [:]
        for row in try await database.read([statement], operation: "markedSnippets")[0] {
            snippets[try row.integer("seq")] = Snippet(marked: try row.text("marked"))
        }
        return snippets
    }

    /// How many of the best full-text matches SQLite ranks before the filter applies: ranking
    /// in the full-text index alone, then reading only these chunks, halves a search over
    /// many matches (joining every match to its chunk and file cost as much as ranking).
    static let rankingWindow = 400

    /// The `limit` chunks with any (or `all`) of the words, best first, their snippets the
    /// start of their text.
    private func rankedChunks(_ query: FullTextQuery, all: Bool, filter: ChunkFilter, limit: Int) async throws(StoreError) -> [ChunkHit] {
        let (conditions, binds) = self.conditions(filter)
        let (numberedConditions, numberedBinds) = self.conditions(filter, numbered: true)
        let chunkColumns = Self.chunkColumns
        switch database.dialect {
        case .sqlite:
            // bm25 is lower for better matches; a heading match counts twice a body match.
            let window = max(Self.rankingWindow, limit * 4)
            let best = try await database.read([SQLStatement("""
                SELECT rowid AS seq, -bm25(index_chunk_text, 1.0, 2.0) AS score FROM index_chunk_text
                WHERE index_chunk_text MATCH ? ORDER BY bm25(index_chunk_text, 1.0, 2.0) LIMIT ?
                """, [.text(query.fts5(all: all)), .integer(Int64(window))])], operation: "searchChunks")[0].map { row throws(StoreError) in
                (seq: try row.integer("seq"), score: try row.real("score"))
            }
            // Which of them the filter lets through (numbers only), then the chunks of the best of those.
            let passing = try await database.read([SQLStatement("""
                SELECT c.seq FROM index_chunks c JOIN index_files f ON f.index_id = c.index_id AND f.path = c.path
                WHERE c.seq IN (\(Self.placeholders(best.count))) AND \(numberedConditions)
                """, best.map { SQLValue.integer($0.seq) } + numberedBinds)], operation: "searchChunks")[0].map { row throws(StoreError) in try row.integer("seq") }
            if passing.count >= limit || best.count < window {
                let kept = Set(passing)
                let top = Array(best.filter { kept.contains($0.seq) }.prefix(limit))
                let scores = Dictionary(top.map { ($0.seq, $0.score) }, uniquingKeysWith: { first, _ in first })
                return try await chunks(seqs: top.map(\.seq), filter: filter).map { hit in
                    var hit = hit
                    hit.score = scores[hit.seq] ?? 0
                    return hit
                }.sorted { $0.score > $1.score || ($0.score == $1.score && $0.seq < $1.seq) }
            }
            // The filter left too few of the best: rank every match that passes it.
            let statement = SQLStatement("""
                SELECT \(chunkColumns), -bm25(index_chunk_text, 1.0, 2.0) AS score
                FROM index_chunk_text JOIN index_chunks c ON c.seq = index_chunk_text.rowid
                JOIN index_files f ON f.index_id = c.index_id AND f.path = c.path
                WHERE index_chunk_text MATCH ? AND \(conditions)
                ORDER BY bm25(index_chunk_text, 1.0, 2.0) LIMIT ?
                """, [.text(query.fts5(all: all))] + binds + [.integer(Int64(limit))])
            return try await database.read([statement], operation: "searchChunks")[0].map { row throws(StoreError) in
                try Self.hit(row, snippet: Self.start(of: try row.text("text")), score: try row.real("score"))
            }
        case .postgres:
            // plainto_tsquery ANDs the words; unless all must match, any of them may, ranked by how many and how close.
            let statement = SQLStatement("""
                WITH q AS (SELECT \(all ? "plainto_tsquery('english', ?)" : "replace(plainto_tsquery('english', ?)::text, ' & ', ' | ')::tsquery") AS query)
                SELECT \(chunkColumns), ts_rank_cd(c.search, q.query, 1)::float8 AS score
                FROM index_chunks c CROSS JOIN q
                JOIN index_files f ON f.index_id = c.index_id AND f.path = c.path
                WHERE c.search @@ q.query AND \(conditions)
                ORDER BY score DESC, c.seq LIMIT ?
                """, [.text(query.plain)] + binds + [.integer(Int64(limit))])
            return try await database.read([statement], operation: "searchChunks")[0].map { row throws(StoreError) in
                try Self.hit(row, snippet: Self.start(of: try row.text("text")), score: try row.real("score"))
            }
        }
    }

    public func chunks(seqs: [Int64], filter: ChunkFilter) async throws(StoreError) -> [ChunkHit] {
        guard !seqs.isEmpty, !filter.indexIDs.isEmpty else { return [] }
        let (conditions, binds) = self.conditions(filter, numbered: true)
        let statement = SQLStatement("""
            SELECT \(Self.chunkColumns) FROM index_chunks c JOIN index_files f ON f.index_id = c.index_id AND f.path = c.path
            WHERE c.seq IN (\(Self.placeholders(seqs.count))) AND \(conditions)
            """, seqs.map(SQLValue.integer) + binds)
        return try await database.read([statement], operation: "chunks")[0].map { row throws(StoreError) in
            try Self.hit(row, snippet: Self.start(of: try row.text("text")), score: 0)
        }
    }

    /// A passage's first 30 words, as the snippet of a hit without marked words.
    static func start(of text: String) -> Snippet {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        return Snippet(text: words.prefix(30).joined(separator: " ") + (words.count > 30 ? " …" : ""), highlights: [])
    }

    private static func hit(_ row: SQLRow, snippet: Snippet, score: Double) throws(StoreError) -> ChunkHit {
        ChunkHit(seq: try row.integer("seq"), indexID: try row.text("index_id"), path: try row.text("path"), position: Int(try row.integer("position")),
                 page: try row.optionalInteger("page").map { Int($0) }, headingPath: try strings(try row.text("heading_path")),
                 text: try row.text("text"), snippet: snippet, score: score, contentHash: try row.text("content_hash"))
    }

    /// The chunks a store must hold before common words are left out of a search.
    static let pruningThreshold = 5_000

    /// The words a search ranks by. In a store of many chunks, words that more than half of
    /// them hold are left out when rarer ones are asked for too: FTS5's BM25 gives such a
    /// word no weight (its IDF, ln((N − n + ½) / (n + ½)), is below zero and taken as 10⁻⁶),
    /// so leaving it out changes no ranking, while ranking every passage that has one costs a
    /// scan of most of the store. (A quarter was tried first: in technical documentation the
    /// words a question is about — "argument", "function", "class" — are in a third of the
    /// passages, and leaving them out ranked by the question's incidental words.) A question
    /// of common words only asks for all of them (``Selection/common(_:rarest:)``). Each
    /// word is counted up to the half, in one read.
    private func selective(_ query: FullTextQuery) async throws(StoreError) -> Selection {
        guard query.terms.count > 1 else { return .any(query) }
        let total = try await database.read([SQLStatement("SELECT COUNT(*) AS n FROM index_chunks")], operation: "searchTerms")[0].first?.integer("n") ?? 0
        guard total >= Self.pruningThreshold else { return .any(query) }
        let cap = Int64(total / 2 + 1)
        let statements = query.terms.map { term in
            switch database.dialect {
            case .sqlite:
                SQLStatement("SELECT COUNT(*) AS n FROM (SELECT 1 FROM index_chunk_text WHERE index_chunk_text MATCH ? LIMIT ?) AS t",
                             [.text(FullTextQuery(keeping: [term]).fts5()), .integer(cap)])
            case .postgres:
                SQLStatement("SELECT COUNT(*) AS n FROM (SELECT 1 FROM index_chunks WHERE search @@ plainto_tsquery('english', ?) LIMIT ?) AS t",
                             [.text(term), .integer(cap)])
            }
        }
        let counts = try await database.read(statements, operation: "searchTerms").map { rows throws(StoreError) in try rows.first?.integer("n") ?? 0 }
        let present = zip(query.terms, counts).filter { $0.1 > 0 }
        guard !present.isEmpty else { return .any(query) }
        let rare = present.filter { $0.1 < cap }.map(\.0)
        if !rare.isEmpty { return .any(FullTextQuery(keeping: rare)) }
        return .common(FullTextQuery(keeping: present.map(\.0)), rarest: FullTextQuery(keeping: present.sorted { $0.1 < $1.1 }.prefix(2).map(\.0)))
    }

    /// How a search matches: any of the words, or (common words only) all of them.
    private enum Selection {
        case any(FullTextQuery)
        case common(FullTextQuery, rarest: FullTextQuery)
    }

    /// What a hit reads of a chunk `c` (not PostgreSQL's tsvector, which has no text form to decode).
    private static let chunkColumns = "c.seq, c.index_id, c.path, c.position, c.page, c.heading_path, c.text, c.content_hash"

    /// The filter as conditions on chunks `c` and their files `f`.
    /// With `numbered`, the query names its chunks by number: the index on `index_id` is kept
    /// out of its plan (`+c.index_id`), or SQLite, which takes an equality on an indexed column
    /// for rarer than it is here, scans every chunk of the index instead of looking up the few.
    private func conditions(_ filter: ChunkFilter, numbered: Bool = false) -> (String, [SQLValue]) {
        var conditions = ["\(numbered && database.dialect == .sqlite ? "+" : "")c.index_id IN (\(Self.placeholders(filter.indexIDs.count)))"]
        var binds = filter.indexIDs.map(SQLValue.text)
        if let folder = filter.folder, !folder.isEmpty {
            // A prefix compared as text (both count characters as code points): no LIKE pattern to escape.
            conditions.append("substr(c.path, 1, CAST(? AS INTEGER)) = ?")
            binds += [.integer(Int64(folder.unicodeScalars.count + 1)), .text(folder + "/")]
        }
        if !filter.formats.isEmpty {
            conditions.append("f.format IN (\(Self.placeholders(filter.formats.count)))")
            binds += filter.formats.map(SQLValue.text)
        }
        if let after = filter.modifiedAfter {
            conditions.append("f.modified >= ?")
            binds.append(.integer(after.storeMilliseconds))
        }
        if let before = filter.modifiedBefore {
            conditions.append("f.modified < ?")
            binds.append(.integer(before.storeMilliseconds))
        }
        return (conditions.joined(separator: " AND "), binds)
    }
}

extension FileIndexRecord {
    var row: [(column: String, value: SQLValue)] {
        get throws(StoreError) {
            [("id", .text(id)), ("name", .text(name)), ("account_id", .text(accountID)), ("tenant_id", tenantID.map(SQLValue.text) ?? .null),
             ("roots", .text(try SQLStore.json(roots))), ("includes", .text(try SQLStore.json(includes))),
             ("excludes", .text(try SQLStore.json(excludes))), ("max_file_bytes", .integer(maxFileBytes)),
             ("created_at", .integer(createdAt.storeMilliseconds))]
        }
    }

    init(row: SQLRow) throws(StoreError) {
        self.init(id: try row.text("id"), name: try row.text("name"), accountID: try row.text("account_id"), tenantID: try row.optionalText("tenant_id"),
                  roots: try SQLStore.strings(try row.text("roots")), includes: try SQLStore.strings(try row.text("includes")),
                  excludes: try SQLStore.strings(try row.text("excludes")), maxFileBytes: try row.integer("max_file_bytes"),
                  createdAt: Date(storeMilliseconds: try row.integer("created_at")))
    }
}

extension IndexedFile {
    func row(indexID: String) -> [(column: String, value: SQLValue)] {
        [("index_id", .text(indexID)), ("path", .text(path)), ("etag", etag.map(SQLValue.text) ?? .null), ("file_id", fileID.map(SQLValue.text) ?? .null),
         ("size", size.map(SQLValue.integer) ?? .null), ("modified", modified.map { .integer($0.storeMilliseconds) } ?? .null),
         ("format", format.map(SQLValue.text) ?? .null), ("chunks", .integer(Int64(chunks))), ("error", error.map(SQLValue.text) ?? .null),
         ("indexed_at", .integer(indexedAt.storeMilliseconds))]
    }

    init(row: SQLRow) throws(StoreError) {
        self.init(path: try row.text("path"), etag: try row.optionalText("etag"), fileID: try row.optionalText("file_id"), size: try row.optionalInteger("size"),
                  modified: try row.optionalInteger("modified").map(Date.init(storeMilliseconds:)), format: try row.optionalText("format"),
                  chunks: Int(try row.integer("chunks")), error: try row.optionalText("error"),
                  indexedAt: Date(storeMilliseconds: try row.integer("indexed_at")))
    }
}

extension IndexedChunk {
    func row(indexID: String, path: String, fileID: String?) throws(StoreError) -> [(column: String, value: SQLValue)] {
        [("index_id", .text(indexID)), ("path", .text(path)), ("position", .integer(Int64(position))), ("file_id", fileID.map(SQLValue.text) ?? .null),
         ("text", .text(text)), ("headings", .text(headingPath.joined(separator: " › "))), ("heading_path", .text(try SQLStore.json(headingPath))),
         ("page", page.map { .integer(Int64($0)) } ?? .null), ("start_offset", .integer(Int64(byteRange.lowerBound))),
         ("end_offset", .integer(Int64(byteRange.upperBound))), ("content_hash", .text(contentHash))]
    }
}

extension IndexRunRecord {
    var row: [(column: String, value: SQLValue)] {
        [("id", .text(id)), ("index_id", .text(indexID)), ("started_at", .integer(startedAt.storeMilliseconds)),
         ("finished_at", finishedAt.map { .integer($0.storeMilliseconds) } ?? .null), ("listed", .integer(Int64(listed))),
         ("read", .integer(Int64(read))), ("moved", .integer(Int64(moved))), ("removed", .integer(Int64(removed))),
         ("unchanged", .integer(Int64(unchanged))), ("failed", .integer(Int64(failed))), ("chunks", .integer(Int64(chunks))),
         ("embedded", .integer(Int64(embedded))), ("requests", .integer(Int64(requests))), ("failure", failure.map(SQLValue.text) ?? .null)]
    }

    init(row: SQLRow) throws(StoreError) {
        self.init(id: try row.text("id"), indexID: try row.text("index_id"), startedAt: Date(storeMilliseconds: try row.integer("started_at")))
        finishedAt = try row.optionalInteger("finished_at").map(Date.init(storeMilliseconds:))
        listed = Int(try row.integer("listed"))
        read = Int(try row.integer("read"))
        moved = Int(try row.integer("moved"))
        removed = Int(try row.integer("removed"))
        unchanged = Int(try row.integer("unchanged"))
        failed = Int(try row.integer("failed"))
        chunks = Int(try row.integer("chunks"))
        embedded = Int(try row.integer("embedded"))
        requests = Int(try row.integer("requests"))
        failure = try row.optionalText("failure")
    }
}
