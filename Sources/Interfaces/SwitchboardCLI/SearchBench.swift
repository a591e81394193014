import ArgumentParser
import Foundation
import HTTPTransport
import Indexing
import SwitchboardCore
import SwitchboardStore

extension BenchCommand {
    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Search latency over a generated index: p50 and p99 of keyword, vector and hybrid searches.",
            discussion: """
                Fills the configured store (use one of its own: SWITCHBOARD_HOME=$(mktemp -d); a later run reuses it) with an index of CHUNKS \
                generated passages of about 120 words (a Zipf-distributed vocabulary, so words are as unevenly common as \
                in prose), each with a unit vector, then asks QUERIES questions of three to five of those words in each \
                mode, k=10, through the application layer as the API does (the question embedded by the model). Prints one \
                JSON line per mode with p50 and p99 in milliseconds. Generated data is the same on every run.
                """)

        @Option var chunks = 100_000
        @Option var queries = 200
        @Option var k = 10
        @OptionGroup var embeddings: EmbeddingOptions
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let results = try await embeddings.withProvider { provider in
                guard let provider else { throw ValidationError("give --embedding-model (vector and hybrid need it)") }
                return try await store.withStore { store, secrets in
                try await withHub(store: store, secrets: secrets, caFile: nil, policy: NetworkPolicy(), reporting: IndexServiceError.self) { hub in
                    hub.indexes.useEmbeddings(provider)
                    // A store filled by an earlier run is searched again as it is.
                    let name = "bench-search-\(chunks)"
                    let index = if let earlier = try await store.fileIndexes().first(where: { $0.name == name }) {
                        earlier
                    } else {
                        try await Self.fill(store, name: name, chunks: chunks, model: provider.model, dimensions: provider.dimensions)
                    }
                    var generator = Generator(seed: 7)
                    let questions = (0..<queries).map { _ in (0..<(3 + generator.next() % 3)).map { _ in generator.word() }.joined(separator: " ") }
                    var lines: [String] = []
                    for mode in [SearchMode.keyword, .vector, .hybrid] {
                        // The first search of a mode loads the vectors into memory: outside the measurement.
                        _ = try await hub.indexes.search(SearchRequest(query: questions[0], k: k, mode: mode), in: [index])
                        var latencies: [Double] = []
                        for question in questions {
                            let began = ContinuousClock.now
                            _ = try await hub.indexes.search(SearchRequest(query: question, k: k, mode: mode), in: [index])
                            let elapsed = ContinuousClock.now - began
                            latencies.append(Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15)
                        }
                        lines.append(#"{"tool": "switchboard-search", "mode": "\#(mode.rawValue)", "chunks": \#(chunks), "queries": \#(queries), "k": \#(k), "#
                            + #""p50_ms": \#(Slots.percentile(0.5, of: latencies)), "p99_ms": \#(Slots.percentile(0.99, of: latencies))}"#)
                    }
                    return lines
                }
                }
            }
            for line in results { print(line) }
        }

        /// An account, an index and `chunks` passages in files of 20, each with a unit vector.
        static func fill(_ store: SQLStore, name: String, chunks: Int, model: String, dimensions: Int) async throws -> FileIndexRecord {
            let account = AccountRecord(name: "bench-\(UUID().uuidString.prefix(8))", serverURL: "https://bench.invalid/", username: "bench",
                                        sealedPassword: nil, filesURL: "https://bench.invalid/")
            try await store.saveAccount(account)
            let index = FileIndexRecord(name: name, accountID: account.id, roots: [""])
            try await store.saveFileIndex(index)
            var generator = Generator(seed: 19)
            for file in stride(from: 0, to: chunks, by: 20) {
                var texts: [IndexedChunk] = []
                var vectors: [String: [Float]] = [:]
                for position in 0..<min(20, chunks - file) {
                    let text = (0..<120).map { _ in generator.word() }.joined(separator: " ")
                    let hash = "\(file)-\(position)"
                    texts.append(IndexedChunk(position: position, text: text, headingPath: ["Part \(file / 1000)"], page: position + 1,
                                              byteRange: 0..<text.utf8.count, contentHash: hash))
                    var vector = (0..<dimensions).map { _ in Float(generator.next() % 2001) / 1000 - 1 }
                    let length = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
                    vector = vector.map { $0 / max(length, 1e-6) }
                    vectors[hash] = vector
                }
                let path = "docs/\(file / 2000)/file-\(file).pdf"
                try await store.replaceIndexedFile(indexID: index.id, IndexedFile(path: path, etag: "\"\(file)\"", format: "pdf", chunks: texts.count),
                                                   chunks: texts)
                try await store.saveEmbeddings(model: model, vectors, indexID: index.id)
            }
            return index
        }
    }

    /// A deterministic generator (SplitMix64) of numbers and of words from a Zipf-like
    /// vocabulary of 20,000 made-up words.
    struct Generator {
        var state: UInt64

        init(seed: UInt64) { state = seed }

        mutating func next() -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int(truncatingIfNeeded: (z ^ (z >> 31)) >> 1)
        }

        /// Word number r with probability about 1/r: rank = 20,000^u for u uniform.
        mutating func word() -> String {
            let u = Double(next() % 1_000_000) / 1_000_000
            let rank = Int(pow(20_000, u))
            let syllables = ["ka", "lo", "mi", "ter", "san", "vu", "dre", "pol", "ix", "gen", "bar", "tu", "nel", "os", "rim", "fa"]
            var word = ""
            var value = rank
            repeat {
                word += syllables[value % syllables.count]
                value /= syllables.count
            } while value > 0
            return word
        }
    }
}
