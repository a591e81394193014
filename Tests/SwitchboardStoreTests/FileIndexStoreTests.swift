import Foundation
import SwitchboardTestSupport
import SwitchboardStore
import Testing

/// Knowledge indexes, on both drivers: files with their chunks replaced, moved and removed
/// whole, and full-text search with its filters (FTS5 in SQLite, tsvector in PostgreSQL).
@Suite struct FileIndexStoreTests {
    static func index(in store: SQLStore) async throws -> FileIndexRecord {
        let account = AccountRecord(name: Fixtures.unique("files"), serverURL: "https://files.example.test", username: "anna", sealedPassword: nil,
                                    filesURL: "https://files.example.test/")
        try await store.saveAccount(account)
        let index = FileIndexRecord(name: Fixtures.unique("guides"), accountID: account.id, roots: ["Leitlinien"], includes: ["*.pdf"],
                                    createdAt: Date(timeIntervalSince1970: 1_800_000_000))
        try await store.saveFileIndex(index)
        return index
    }

    static func chunk(_ position: Int, _ text: String, headings: [String] = [], page: Int? = nil) -> IndexedChunk {
        IndexedChunk(position: position, text: text, headingPath: headings, page: page, byteRange: position * 100..<(position * 100 + text.utf8.count),
                     contentHash: String(text.hashValue))
    }

    @Test(arguments: StoreDriver.allCases)
    func indexesAreKeptUniqueByNameAndRemovedWithEverythingInThem(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let index = try await Self.index(in: store)
            #expect(try await store.fileIndex(id: index.id) == index)
            var twin = index
            twin.id = UUID().uuidString
            #expect(await thrownError(StoreError.self) { try await store.saveFileIndex(twin) }?.code == .constraint)

            try await store.replaceIndexedFile(indexID: index.id, IndexedFile(path: "Leitlinien/a.pdf", etag: "\"1\"", chunks: 1),
                                               chunks: [Self.chunk(0, "Blutdruck messen")])
            try await store.saveCrawlState(indexID: index.id, root: IndexRootState(root: "Leitlinien", etag: "\"r\"", propagatesETags: false, listing: "walk"),
                                           folders: ["Leitlinien/2026": "\"f\""], removingFolders: [])
            #expect(try await store.indexRoots(indexID: index.id) == [IndexRootState(root: "Leitlinien", etag: "\"r\"", propagatesETags: false, listing: "walk")])
            #expect(try await store.indexFolders(indexID: index.id) == ["Leitlinien/2026": "\"f\""])
            #expect(try await store.deleteFileIndex(id: index.id))
            #expect(try await store.chunkCount(indexID: index.id) == 0)
            #expect(try await store.indexedFiles(indexID: index.id).isEmpty)
            #expect(try await !store.deleteFileIndex(id: index.id))
        }
    }

    @Test(arguments: StoreDriver.allCases)
    func aFilesChunksAreReplacedMovedAndRemovedWithIt(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let index = try await Self.index(in: store)
            let words = try #require(FullTextQuery("hypertension"))
            let file = IndexedFile(path: "Leitlinien/a.pdf", etag: "\"1\"", fileID: "42", chunks: 2)
            try await store.replaceIndexedFile(indexID: index.id, file, chunks: [Self.chunk(0, "Hypertension in adults"), Self.chunk(1, "Measure twice")])
            // Read again after a change: the old chunks go, none doubled.
            try await store.replaceIndexedFile(indexID: index.id, file, chunks: [Self.chunk(0, "Hypertension in adults, revised")])
            #expect(try await store.chunkCount(indexID: index.id) == 1)
            let filter = ChunkFilter(indexIDs: [index.id])
            #expect(try await store.searchChunks(words, filter: filter, limit: 10).map(\.text) == ["Hypertension in adults, revised"])

            var moved = file
            moved.path = "Leitlinien/2026/a.pdf"
            try await store.moveIndexedFile(indexID: index.id, from: file.path, to: moved)
            #expect(try await store.indexedFiles(indexID: index.id).map(\.path) == ["Leitlinien/2026/a.pdf"])
            #expect(try await store.searchChunks(words, filter: filter, limit: 10).map(\.path) == ["Leitlinien/2026/a.pdf"])

            try await store.removeIndexedFiles(indexID: index.id, paths: ["Leitlinien/2026/a.pdf"])
            #expect(try await store.chunkCount(indexID: index.id) == 0)
            #expect(try await store.searchChunks(words, filter: filter, limit: 10).isEmpty)
        }
    }

    @Test(arguments: StoreDriver.allCases)
    func searchRanksMarksAndFilters(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let index = try await Self.index(in: store)
            let other = try await Self.index(in: store)
            let march = Date(timeIntervalSince1970: 1_772_323_200)
            try await store.replaceIndexedFile(
                indexID: index.id, IndexedFile(path: "Leitlinien/bp.pdf", etag: "\"1\"", modified: march, format: "pdf", chunks: 2),
                chunks: [Self.chunk(0, "Blood pressure is measured twice, seated, after five minutes of rest.", headings: ["Hypertension", "Measuring"], page: 3),
                         Self.chunk(1, "Lifestyle advice comes first for most adults.", headings: ["Hypertension"], page: 4)])
            try await store.replaceIndexedFile(
                indexID: index.id, IndexedFile(path: "Leitlinien/old/diabetes.md", etag: "\"2\"", modified: march.addingTimeInterval(-86_400 * 400),
                                               format: "markdown", chunks: 1),
                chunks: [Self.chunk(0, "Measure blood glucose before meals.", headings: ["Diabetes"])])
            try await store.replaceIndexedFile(indexID: other.id, IndexedFile(path: "x.pdf", etag: "\"3\"", format: "pdf", chunks: 1),
                                               chunks: [Self.chunk(0, "Blood pressure in another tenant's files.")])

            let query = try #require(FullTextQuery("How is blood pressure measured?"))
            let hits = try await store.searchChunks(query, filter: ChunkFilter(indexIDs: [index.id]), limit: 10)
            #expect(hits.first?.path == "Leitlinien/bp.pdf" && hits.first?.page == 3)
            #expect(hits.first?.headingPath == ["Hypertension", "Measuring"])
            #expect(hits.allSatisfy { $0.indexID == index.id }, "only the indexes asked for")
            #expect(hits.count == 2, "any of the words may match: \(hits.map(\.text))")
            #expect(hits[0].score > hits[1].score)
            let snippet = try #require(hits.first?.snippet)
            let marked = snippet.highlights.map { range in
                String(decoding: Array(snippet.text.utf16)[range], as: UTF16.self).lowercased()
            }
            #expect(marked.contains("blood") && marked.contains("pressure"), "\(snippet)")
            #expect(!snippet.text.contains("\u{02}"))

            let pdfOnly = try await store.searchChunks(query, filter: ChunkFilter(indexIDs: [index.id], formats: ["markdown"]), limit: 10)
            #expect(pdfOnly.map(\.path) == ["Leitlinien/old/diabetes.md"])
            let folder = try await store.searchChunks(query, filter: ChunkFilter(indexIDs: [index.id], folder: "Leitlinien/old"), limit: 10)
            #expect(folder.map(\.path) == ["Leitlinien/old/diabetes.md"])
            let recent = try await store.searchChunks(query, filter: ChunkFilter(indexIDs: [index.id], modifiedAfter: march.addingTimeInterval(-86_400)), limit: 10)
            #expect(recent.map(\.path) == ["Leitlinien/bp.pdf"])
            #expect(try await store.searchChunks(query, filter: ChunkFilter(indexIDs: [index.id]), limit: 1).count == 1)
        }
    }

    @Test(arguments: StoreDriver.allCases)
    func queryTextIsWordsOnlyWhateverItHolds(driver: StoreDriver) async throws {
        try await driver.withStore { store in
            let index = try await Self.index(in: store)
            try await store.replaceIndexedFile(indexID: index.id, IndexedFile(path: "Leitlinien/a.md", etag: "\"1\"", chunks: 1),
                                               chunks: [Self.chunk(0, "Blutdruck: Übersicht (NEAR the text)")])
            // FTS5 and tsquery syntax, quotes and SQL: none of it is syntax here.
            for text in ["\"blutdruck", "text:blutdruck", "NEAR(blutdruck übersicht)", "blutdruck*", "blutdruck' OR 1=1 --", "a & | ! <-> blutdruck",
                         "^blutdruck", "{text}: blutdruck", "übersicht"] {
                let query = try #require(FullTextQuery(text))
                let hits = try await store.searchChunks(query, filter: ChunkFilter(indexIDs: [index.id]), limit: 5)
                #expect(hits.map(\.path) == ["Leitlinien/a.md"], "\(text)")
            }
            #expect(FullTextQuery("!!! ---") == nil)
            #expect(FullTextQuery(String(repeating: "word ", count: 100))?.terms == ["word"])
            // Stop words are left out (as PostgreSQL's english configuration does), unless nothing else is asked.
            #expect(FullTextQuery("How do I copy an object in Python?")?.terms == ["copy", "object", "python"])
            #expect(FullTextQuery("To be, or not to be")?.terms == ["to", "be", "or", "not"])
        }
    }

    /// In a store large enough to leave common words out, a word in a third of the passages
    /// (what technical documentation's questions are about) still counts; one in more than
    /// half (no weight in BM25) does not decide which passages match.
    @Test func wordsInAThirdOfAManyPassagesStillRank() async throws {
        try await StoreDriver.sqlite.withStore { store in
            let index = try await Self.index(in: store)
            // 5,000 passages in 250 files: "function" in every third, "python" in four of five, "mean" in one of fifty.
            for file in 0..<250 {
                let chunks = (0..<20).map { position in
                    let n = file * 20 + position
                    let words = ["passage\(n)", n % 3 == 0 ? "function" : "", n % 5 != 0 ? "python" : "", n % 50 == 7 ? "mean" : ""]
                    return Self.chunk(position, words.filter { !$0.isEmpty }.joined(separator: " ") + " filler text of the page")
                }
                let path = file == 249 ? "Leitlinien/late/\(file).pdf" : "Leitlinien/\(file).pdf"
                try await store.replaceIndexedFile(indexID: index.id, IndexedFile(path: path, etag: "\"1\"", chunks: 20), chunks: chunks)
            }
            let hits = try await store.searchChunks(try #require(FullTextQuery("What does function mean in Python?")),
                                                    filter: ChunkFilter(indexIDs: [index.id]), limit: 5)
            // Passages 57, 207, 357, …: "function" and "mean" both (n % 3 == 0, n % 50 == 7).
            #expect(hits.count == 5 && hits.allSatisfy { $0.text.contains("function") && $0.text.contains("mean") }, "\(hits.map(\.text))")
            #expect(hits.allSatisfy { !$0.snippet.highlights.isEmpty })
            // A filter that leaves few of the best 400 matches: every match that passes it is ranked.
            let late = try await store.searchChunks(try #require(FullTextQuery("function")),
                                                    filter: ChunkFilter(indexIDs: [index.id], folder: "Leitlinien/late"), limit: 10)
            #expect(late.count == 7 && late.allSatisfy { $0.path == "Leitlinien/late/249.pdf" }, "\(late.map(\.text))")
        }
    }
}
