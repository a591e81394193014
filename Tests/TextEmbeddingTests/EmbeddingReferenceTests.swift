import Foundation
import Indexing
import SwitchboardTestSupport
import Testing
import TextEmbedding

/// The native engine against the reference on 1,000 varied sentences (Tests/Data/embedding):
/// token ids exactly as Hugging Face's `tokenizers` gives them, vectors within cosine 0.999
/// of a numpy forward pass over the same weights (Tests/python/embedding_reference.py).
@Suite struct EmbeddingReferenceTests {
    static let modelDirectory = ChildProcess.repositoryRoot.appendingPathComponent(".build/models/all-MiniLM-L6-v2").path
    static let sentencesFile = ChildProcess.repositoryRoot.appendingPathComponent("Tests/Data/embedding/sentences.txt").path

    /// The file's lines with `\n`, `\r` and `\\` read back.
    static func sentences() throws -> [String] {
        try String(contentsOfFile: sentencesFile, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line in
            var text = ""
            var escaped = false
            for character in line {
                if escaped {
                    text.append(["n": "\n", "r": "\r"][character] ?? character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else {
                    text.append(character)
                }
            }
            return text
        }
    }

    struct Reference: Decodable {
        var ids: [[Int32]]
        var vectors: [[Float]]
    }

    @Test func idsAndVectorsMatchTheReference() async throws {
        let python = ChildProcess.repositoryRoot.appendingPathComponent(".build/peers/embedding-venv/bin/python").path
        let script = ChildProcess.repositoryRoot.appendingPathComponent("Tests/python/embedding_reference.py").path
        let result = try await ChildProcess.runConcurrently([python, script, Self.modelDirectory, Self.sentencesFile])
        #expect(result.status == 0, "\(result.stderr)")
        let reference = try JSONDecoder().decode(Reference.self, from: Data(result.stdout.utf8))
        let sentences = try Self.sentences()
        #expect(sentences.count == 1_000 && reference.ids.count == 1_000)

        let native = try NativeEmbeddings(directory: Self.modelDirectory)
        var mismatched: [String] = []
        for (sentence, ids) in zip(sentences, reference.ids) where native.embedder.tokenizer.encode(sentence, maxLength: 256) != ids {
            mismatched.append(sentence)
        }
        #expect(mismatched.isEmpty, "token ids differ on \(mismatched.count): \(mismatched.prefix(3))")

        let vectors = try await native.embed(sentences)
        let cosines = zip(vectors, reference.vectors).map { a, b in zip(a, b).reduce(Float(0)) { $0 + $1.0 * $1.1 } }
        let worst = cosines.enumerated().min { $0.element < $1.element }
        #expect((worst?.element ?? 0) >= 0.999, "cosine \(worst?.element ?? 0) on \(sentences[worst?.offset ?? 0].prefix(80))")
        #expect(vectors.allSatisfy { $0.count == 384 && abs($0.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4 })
        print("embedding reference: worst cosine \(worst?.element ?? 0) of \(cosines.count); mean \(cosines.reduce(0, +) / Float(cosines.count))")
    }

    @Test func brokenModelFilesGiveTypedErrors() throws {
        #expect(throws: EmbeddingModelError.self) { try SafeTensors(Data([1, 2, 3])) }
        #expect(throws: EmbeddingModelError.self) { try SafeTensors(Data([255, 255, 255, 255, 0, 0, 0, 0] + Array("{}".utf8))) }
        let header = Array(#"{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,64]}}"#.utf8)
        let length = withUnsafeBytes(of: UInt64(header.count).littleEndian, Array.init)
        #expect(throws: EmbeddingModelError.self) { try SafeTensors(Data(length + header + [UInt8](repeating: 0, count: 16))) }
        #expect(throws: EmbeddingModelError.self) { try WordPieceTokenizer(json: Data("[]".utf8)) }
        #expect(throws: EmbeddingModelError.self) { try NativeEmbeddings(directory: "/nonexistent") }
    }
}
