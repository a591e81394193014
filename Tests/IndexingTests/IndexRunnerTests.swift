import DAVClient
import Foundation
import Indexing
import SwitchboardStore
import SwitchboardTestSupport
import Synchronization
import Testing
import TextEmbedding

/// Index runs against the plain WebDAV servers (WsgiDAV, Apache mod_dav), into SQLite.
@Suite("Index runs against plain WebDAV servers")
struct IndexRunnerTests {
    static func put(_ client: DAVClient, _ href: String, _ text: String, type: String = "text/markdown") async throws {
        try await client.put(href, body: Array(text.utf8), contentType: type, precondition: .none)
    }

    static func put(_ client: DAVClient, _ href: String, bytes: [UInt8], type: String) async throws {
        try await client.put(href, body: bytes, contentType: type, precondition: .none)
    }

    /// An index of the folder `root` (at the server's root) in `store`.
    static func index(_ root: String, in store: SQLStore, excludes: [String] = []) async throws -> FileIndexRecord {
        let account = AccountRecord(name: Fixtures.unique("files"), serverURL: "https://files.example.test", username: "anna", sealedPassword: nil,
                                    filesURL: "/")
        try await store.saveAccount(account)
        let index = FileIndexRecord(name: Fixtures.unique("index"), accountID: account.id, roots: [root], excludes: excludes)
        try await store.saveFileIndex(index)
        return index
    }

    static func search(_ store: SQLStore, _ index: FileIndexRecord, _ text: String) async throws -> [ChunkHit] {
        try await store.searchChunks(try #require(FullTextQuery(text)), filter: ChunkFilter(indexIDs: [index.id]), limit: 10)
    }

    @Test("a first run reads every file, one with no change reads nothing, edits, moves and deletes are picked up", arguments: Peer.files)
    func runsFollowTheFiles(peer name: String) async throws {
        try await Peer.named(name).withClient { client in
            try await StoreDriver.sqlite.withStore { store in
                let root = Fixtures.unique("guides")
                for folder in ["", "/sub", "/sub/deep", "/drafts"] { try await client.mkcol("/\(root)\(folder)/") }
                try await Self.put(client, "/\(root)/guide.md", "# Hypertension\n\nMeasure blood pressure twice, seated.\n\n## Treatment\n\nLifestyle first.")
                try await Self.put(client, "/\(root)/page.html", "<html><body><h1>Diabetes</h1><p>Glucose before meals.</p><script>hidden()</script></body></html>",
                                   type: "text/html")
                try await Self.put(client, "/\(root)/sub/deep/report.pdf", bytes: DocumentReaderTests.pdf(pages: ["Cover page", "Asthma inhaler technique"]),
                                   type: "application/pdf")
                try await Self.put(client, "/\(root)/broken.pdf", bytes: Array("%PDF-1.4 not really".utf8), type: "application/pdf")
                try await Self.put(client, "/\(root)/photo.png", bytes: [0x89, 0x50, 0x4E, 0x47], type: "image/png")
                try await Self.put(client, "/\(root)/drafts/secret.md", "# Draft\n\nNot for the index.")
                let index = try await Self.index(root, in: store, excludes: ["drafts/**"])
                let runner = IndexRunner(store: store)

                let first = try await runner.run(index, client: client, filesRoot: "/")
                #expect(first.read == 3 && first.failed == 1 && first.listed == 4, "\(first)")
                #expect(first.finishedAt != nil && first.failure == nil)
                let failed = try await store.indexedFiles(indexID: index.id).filter { $0.error != nil }
                #expect(failed.map(\.path) == ["\(root)/broken.pdf"])
                let asthma = try await Self.search(store, index, "inhaler technique")
                #expect(asthma.first?.path == "\(root)/sub/deep/report.pdf" && asthma.first?.page == 2)
                #expect(try await Self.search(store, index, "treatment lifestyle").first?.headingPath == ["Hypertension", "Treatment"])
                #expect(try await Self.search(store, index, "hidden draft").isEmpty, "no script text, no excluded file")

                let second = try await runner.run(index, client: client, filesRoot: "/")
                #expect(second.read == 0 && second.failed == 0 && second.moved == 0 && second.removed == 0 && second.unchanged == 4, "\(second)")
                #expect(second.requests == 1, "one Depth: infinity listing: \(second)")

                try await Self.put(client, "/\(root)/guide.md", "# Hypotension\n\nStand up slowly.")
                try await client.transfer(.move, "/\(root)/page.html", to: "/\(root)/sub/diabetes.html", overwrite: false)
                try await client.delete("/\(root)/sub/deep/report.pdf", etag: nil)
                let third = try await runner.run(index, client: client, filesRoot: "/")
                // Without file ids a move is a removal and a new file.
                #expect(third.read == 2 && third.removed == 2 && third.unchanged == 1, "\(third)")
                #expect(try await Self.search(store, index, "inhaler").isEmpty)
                #expect(try await Self.search(store, index, "hypertension").isEmpty)
                #expect(try await Self.search(store, index, "stand slowly").map(\.path) == ["\(root)/guide.md"])
                #expect(try await Self.search(store, index, "glucose").map(\.path) == ["\(root)/sub/diabetes.html"])
                #expect(try await store.indexRuns(indexID: index.id, limit: 10).count == 3)
            }
        }
    }

    @Test("a run stopped midway is taken up by the next, without a chunk doubled or lost", arguments: Peer.files)
    func stoppedRunsResume(peer name: String) async throws {
        try await Peer.named(name).withClient { client in
            try await StoreDriver.sqlite.withStore { store in
                let root = Fixtures.unique("many")
                try await client.mkcol("/\(root)/")
                for number in 0..<24 { try await Self.put(client, "/\(root)/note-\(number).md", "# Note \(number)\n\nWord\(number) appears here once.") }
                let index = try await Self.index(root, in: store)
                let runner = IndexRunner(store: store, concurrency: 2)
                let reached = Mutex(0)
                let stopped = Task {
                    try await runner.run(index, client: client, filesRoot: "/") { progress in
                        if progress.phase == .reading, progress.done >= 8 { reached.withLock { $0 = progress.done } }
                    }
                }
                while reached.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(5)) }
                stopped.cancel()
                let outcome = await stopped.result
                let partly = try await store.indexedFiles(indexID: index.id).count
                if case .failure(let error as IndexRunError) = outcome {
                    #expect(error.run.failure == "stopped before its end")
                }
                #expect(partly >= 8 && partly <= 24, "\(partly) files after the stop")

                let resumed = try await runner.run(index, client: client, filesRoot: "/")
                #expect(resumed.read == 24 - partly && resumed.unchanged == partly, "\(resumed)")
                #expect(try await store.chunkCount(indexID: index.id) == 24)
                for number in [0, 11, 23] {
                    #expect(try await Self.search(store, index, "word\(number)").map(\.path) == ["\(root)/note-\(number).md"])
                }
            }
        }
    }

    @Test("where the root's ETag is seen to cover the tree, an unchanged root costs one request and a changed one a descent")
    func anUnchangedRootCostsOneRequest() async throws {
        // Apache changes the ETag of the folder a file is added to: with the root marked as
        // propagating, a file added in the root itself shows the descent at work.
        try await Peer.named("apache").withClient { client in
            try await StoreDriver.sqlite.withStore { store in
                let root = Fixtures.unique("flat")
                try await client.mkcol("/\(root)/")
                try await client.mkcol("/\(root)/kept/")
                try await Self.put(client, "/\(root)/kept/old.md", "# Old\n\nArchived words.")
                let index = try await Self.index(root, in: store)
                let runner = IndexRunner(store: store)
                try await runner.run(index, client: client, filesRoot: "/")
                var state = try #require(try await store.indexRoots(indexID: index.id).first)
                #expect(state.propagatesETags == nil, "one run cannot tell")
                state.propagatesETags = true
                try await store.saveCrawlState(indexID: index.id, root: state, folders: [:], removingFolders: [])

                let unchanged = try await runner.run(index, client: client, filesRoot: "/")
                #expect(unchanged.requests == 1 && unchanged.unchanged == 1 && unchanged.read == 0, "\(unchanged)")

                try await Task.sleep(for: .milliseconds(20))
                try await Self.put(client, "/\(root)/new.md", "# New\n\nFresh words.")
                let descended = try await runner.run(index, client: client, filesRoot: "/")
                #expect(descended.read == 1 && descended.removed == 0, "\(descended)")
                // stat, the root's listing, the unchanged sub-folder skipped, one download.
                #expect(descended.requests == 3, "\(descended)")
                #expect(try await Self.search(store, index, "fresh").map(\.path) == ["\(root)/new.md"])
                #expect(try await Self.search(store, index, "archived").map(\.path) == ["\(root)/kept/old.md"])
            }
        }
    }

    @Test("chunk texts are embedded once: a second run, a copy and an unchanged chunk embed nothing")
    func textsAreEmbeddedOnce() async throws {
        let model = ChildProcess.repositoryRoot.appendingPathComponent(".build/models/all-MiniLM-L6-v2").path
        let embeddings = try NativeEmbeddings(directory: model)
        try await Peer.named("wsgidav").withClient { client in
            try await StoreDriver.sqlite.withStore { store in
                let root = Fixtures.unique("vectors")
                try await client.mkcol("/\(root)/")
                let text = "# Hypertension\n\nReduce salt and alcohol; walk every day.\n\n# Asthma\n\nCheck the inhaler technique."
                try await Self.put(client, "/\(root)/a.md", text)
                try await Self.put(client, "/\(root)/copy.md", text)
                let index = try await Self.index(root, in: store)
                let runner = IndexRunner(store: store, embeddings: embeddings)

                let first = try await runner.run(index, client: client, filesRoot: "/")
                #expect(first.chunks == 4 && first.embedded == 2, "two files, two distinct texts: \(first)")
                #expect(try await store.chunkVectors(indexID: index.id, model: embeddings.model).count == 4)
                let second = try await runner.run(index, client: client, filesRoot: "/")
                #expect(second.embedded == 0 && second.read == 0)

                try await Self.put(client, "/\(root)/a.md", "# Hypertension\n\nReduce salt and alcohol; walk every day.\n\n# Diabetes\n\nGlucose before meals.")
                let third = try await runner.run(index, client: client, filesRoot: "/")
                #expect(third.read == 1 && third.embedded == 1, "only the new section: \(third)")

                // Chunks stored without a model get their vectors on the next run with one.
                let plain = try await Self.index(root, in: store)
                try await IndexRunner(store: store).run(plain, client: client, filesRoot: "/")
                #expect(try await store.chunkVectors(indexID: plain.id, model: "none").isEmpty)
                let backfilled = try await runner.run(plain, client: client, filesRoot: "/")
                #expect(backfilled.read == 0 && backfilled.embedded == 0, "the texts have vectors already: \(backfilled)")
                #expect(try await store.chunkVectors(indexID: plain.id, model: embeddings.model).count == 4)

                // Meaning, not words: no word of the question is in the passage.
                let question = try await embeddings.embed(["how do I lower raised arterial tension?"])[0]
                var matrix = VectorMatrix(dimensions: 384)
                let stored = try await store.chunkVectors(indexID: index.id, model: embeddings.model)
                for entry in stored { matrix.append(entry.vector) }
                let best = try #require(matrix.nearest(to: question, k: 1).first)
                let hit = try await store.chunks(seqs: [stored[best.row].seq], filter: ChunkFilter(indexIDs: [index.id]))
                #expect(hit.first?.headingPath == ["Hypertension"], "\(hit.map(\.text))")
            }
        }
    }
}
