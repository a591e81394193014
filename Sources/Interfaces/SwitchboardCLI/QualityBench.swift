import ArgumentParser
import Foundation
import HTTPTransport
import SwitchboardCore

extension BenchCommand {
    struct Quality: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Search quality on a labelled set: nDCG@k and recall@k of keyword, vector and hybrid search.",
            discussion: """
                Asks every question of QUESTIONS (JSON lines with "question" and "path", as \
                Benchmarks/python/make_quality_set.py writes them) of the index NAME in each mode, through the \
                application layer as the API does. A hit answers a question when its path ends with the question's path \
                (each file counted once, at its best rank); nDCG@k is 1/log2(rank + 1) of the first such hit, recall@k \
                whether there is one. Prints one JSON line per mode; --details FILE also writes each question's ranks.
                """)

        @Option(help: "The index to search.") var index: String
        @Option(help: "The labelled questions (JSON lines).") var questions: String
        @Option var k = 10
        @Option(help: "Also write each question's rank of its answer per mode (JSON lines).") var details: String?
        @OptionGroup var embeddings: EmbeddingOptions
        @OptionGroup var store: StoreOptions

        /// A labelled question.
        struct Question: Decodable {
            var id: Int
            var question: String
            var path: String
        }

        /// Where a question's answer ranked in each mode (`nil`: not in the first k).
        struct Ranks: Encodable {
            var id: Int
            var ranks: [String: Int?]
        }

        func run() async throws {
            let labelled = try String(contentsOfFile: questions, encoding: .utf8).split(whereSeparator: \.isNewline).map { line in
                try JSONDecoder().decode(Question.self, from: Data(line.utf8))
            }
            let ranks: [Ranks] = try await embeddings.withProvider { provider in
                guard let provider else { throw ValidationError("give --embedding-model (vector and hybrid need it)") }
                return try await store.withStore { store, secrets in
                try await withHub(store: store, secrets: secrets, caFile: nil, policy: NetworkPolicy(), reporting: IndexServiceError.self) { hub in
                    hub.indexes.useEmbeddings(provider)
                    let searched = [try await hub.indexes.index(storedName: index)]
                    var ranks: [Ranks] = []
                    for question in labelled {
                        var found: [String: Int?] = [:]
                        for mode in SearchMode.allCases {
                            let hits = try await hub.indexes.search(SearchRequest(query: question.question, k: k, mode: mode), in: searched)
                            found[mode.rawValue] = Self.rank(of: question.path, in: hits.map(\.path))
                        }
                        ranks.append(Ranks(id: question.id, ranks: found))
                    }
                    return ranks
                }
                }
            }
            if let details {
                let encoder = JSONEncoder()
                encoder.outputFormatting = .sortedKeys
                let lines = try ranks.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
                try (lines.joined(separator: "\n") + "\n").write(toFile: details, atomically: true, encoding: .utf8)
            }
            for mode in [SearchMode.keyword, .vector, .hybrid] {
                let found = ranks.map { $0.ranks[mode.rawValue] ?? nil }
                let metrics = Self.metrics(found)
                print(#"{"tool": "switchboard-quality", "mode": "\#(mode.rawValue)", "questions": \#(found.count), "k": \#(k), "#
                    + #""ndcg": \#(Self.rounded(metrics.ndcg)), "recall": \#(Self.rounded(metrics.recall)), "mrr": \#(Self.rounded(metrics.mrr))}"#)
            }
        }

        /// The 1-based rank of the first hit from the answer's file.
        static func rank(of answer: String, in paths: [String]) -> Int? {
            paths.firstIndex { $0 == answer || $0.hasSuffix("/" + answer) }.map { $0 + 1 }
        }

        /// Means over the questions, one relevant file each: nDCG (its ideal DCG is 1),
        /// recall and the reciprocal rank.
        static func metrics(_ ranks: [Int?]) -> (ndcg: Double, recall: Double, mrr: Double) {
            guard !ranks.isEmpty else { return (0, 0, 0) }
            let count = Double(ranks.count)
            let found = ranks.compactMap { $0 }
            return (found.reduce(0) { $0 + 1 / log2(Double($1) + 1) } / count, Double(found.count) / count,
                    found.reduce(0) { $0 + 1 / Double($1) } / count)
        }

        static func rounded(_ value: Double) -> String { String(format: "%.4f", value) }
    }
}
