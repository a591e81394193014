import Foundation
import HTTPTransport
import HTTPTypes
@testable import Indexing
import SwitchboardStore
import SwitchboardTestSupport
import TextEmbedding
import Testing

/// `POST /v1/embeddings` in OpenAI's shape over the native model, and ``RemoteEmbeddings``
/// (the client of any OpenAI-compatible server) against it on a real socket.
@Suite struct EmbeddingRouteTests {
    typealias JSON = [String: Any]

    static let model = ChildProcess.repositoryRoot.appendingPathComponent(".build/models/all-MiniLM-L6-v2").path
    static let texts = ["How often should an inhaler technique be checked?", "Die Praxis ist am Montag geschlossen.", "x",
                        String(repeating: "a long passage about blood pressure follow-up ", count: 80)]

    @Test func theRouteAnswersInOpenAIsShape() async throws {
        let native = try NativeEmbeddings(directory: Self.model)
        let expected = try await native.embed(Self.texts)
        try await ServerHarness.with(embeddings: native) { harness in
            let body = try String(decoding: JSONSerialization.data(withJSONObject: ["model": "all-MiniLM-L6-v2", "input": Self.texts]), as: UTF8.self)
            let answer = try await harness.call(.post, "/v1/embeddings", key: harness.keys[.read], json: body)
            #expect(answer.status == 200, "\(String(describing: answer.body))")
            let list = try #require(answer.body as? JSON)
            #expect(list["object"] as? String == "list" && list["model"] as? String == "all-MiniLM-L6-v2")
            let data = try #require(list["data"] as? [JSON])
            #expect(data.map { $0["index"] as? Int } == [0, 1, 2, 3] && data.allSatisfy { $0["object"] as? String == "embedding" })
            for (item, vector) in zip(data, expected) {
                let numbers = try #require(item["embedding"] as? [Double]).map(Float.init)
                #expect(Self.cosine(numbers, vector) > 0.99999)
            }
            let usage = try #require(list["usage"] as? JSON)
            // The long passage is cut to the model's 256 tokens.
            let tokens = try #require(usage["prompt_tokens"] as? Int)
            #expect(tokens > 256 && tokens < 256 + 60 && usage["total_tokens"] as? Int == tokens, "\(usage)")

            // One text, its vector as base64 of little-endian floats (what OpenAI's own clients ask for).
            let encoded = try await harness.call(.post, "/v1/embeddings", key: harness.keys[.read],
                                                 json: #"{"model": "all-MiniLM-L6-v2", "input": "x", "encoding_format": "base64"}"#)
            let text = try #require(((encoded.body as? JSON)?["data"] as? [JSON])?.first?["embedding"] as? String)
            let bytes = try #require(Data(base64Encoded: text))
            #expect(bytes.count == 384 * 4)
            let floats = stride(from: 0, to: bytes.count, by: 4).map { offset -> Float in
                let word = bytes[offset..<offset + 4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                return Float(bitPattern: word)
            }
            #expect(Self.cosine(floats, expected[2]) > 0.99999)

            let otherModel = try await harness.call(.post, "/v1/embeddings", key: harness.keys[.read], json: #"{"model": "text-embedding-3-small", "input": "x"}"#)
            #expect(otherModel.status == 400 && "\(String(describing: otherModel.body))".contains("all-MiniLM-L6-v2"))
            #expect(try await harness.call(.post, "/v1/embeddings", key: harness.keys[.read], json: #"{"model": "all-MiniLM-L6-v2", "input": []}"#).status == 400)
            #expect(try await harness.call(.post, "/v1/embeddings", key: harness.keys[.read], json: #"{"model": "all-MiniLM-L6-v2", "input": [""]}"#).status == 400)
            #expect(try await harness.call(.post, "/v1/embeddings", key: nil, json: #"{"model": "all-MiniLM-L6-v2", "input": "x"}"#).status == 401)
        }
        try await ServerHarness.with { harness in
            let none = try await harness.call(.post, "/v1/embeddings", key: harness.keys[.read], json: #"{"model": "all-MiniLM-L6-v2", "input": "x"}"#)
            #expect(none.status == 422 && (none.body as? JSON)?["code"] as? String == "embeddings_unavailable")
        }
    }

    @Test func remoteEmbeddingsOverHTTPMatchTheNativeModel() async throws {
        let native = try NativeEmbeddings(directory: Self.model)
        let many = (0..<40).map { "Sentence number \($0) about \(["asthma", "diabetes", "migraine", "eczema"][$0 % 4]) care." }
        let expected = try await native.embed(many)
        try await ServerHarness.with(reachable: true, embeddings: native) { harness in
            let base = try #require(harness.publicURL).appending(path: "v1")
            var configuration = ClientConfiguration(credentials: .bearer(token: try #require(harness.keys[.read])))
            configuration.credentialOrigin = base
            try await HTTPTransport.withTransport(configuration: configuration) { transport in
                var remote = try await RemoteEmbeddings.connect(baseURL: base, model: "all-MiniLM-L6-v2", transport: transport)
                #expect(remote.dimensions == 384 && remote.model == "all-MiniLM-L6-v2")
                remote.batchSize = 16
                let answered = try await remote.embedCounting(many)
                #expect(answered.vectors.count == 40 && answered.tokens ?? 0 > 40 * 8)
                for (vector, reference) in zip(answered.vectors, expected) {
                    #expect(Self.cosine(vector, reference) > 0.99999)
                    #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
                }
                // A model the server does not have, an address that is not the API: errors that say so.
                await #expect(throws: EmbeddingModelError.self) {
                    _ = try await RemoteEmbeddings.connect(baseURL: base, model: "text-embedding-3-small", transport: transport)
                }
                do {
                    _ = try await RemoteEmbeddings.connect(baseURL: base.appending(path: "accounts"), model: "all-MiniLM-L6-v2", transport: transport)
                    Issue.record("a route that is not the embeddings API was taken for it")
                } catch {
                    #expect("\(error)".contains("answered 40"), "\(error)")
                }
            }
            // A wrong key: refused, and said so.
            try await HTTPTransport.withTransport(configuration: ClientConfiguration(credentials: .bearer(token: "sb_wrong"))) { transport in
                do {
                    _ = try await RemoteEmbeddings.connect(baseURL: base, model: "all-MiniLM-L6-v2", transport: transport)
                    Issue.record("a wrong key was accepted")
                } catch {
                    #expect("\(error)".contains("401"), "\(error)")
                }
            }
        }
    }

    @Test func answersOfAnotherShapeAreRefused() throws {
        let url = URL(string: "http://127.0.0.1:1/v1/embeddings")!
        func answer(_ json: String) throws -> RemoteEmbeddings.Answer { try JSONDecoder().decode(RemoteEmbeddings.Answer.self, from: Data(json.utf8)) }
        // Out of order is put in order and made unit length.
        let ordered = try EmbeddedTexts(try answer(#"{"data": [{"index": 1, "embedding": [0, 2]}, {"index": 0, "embedding": [3, 4]}]}"#),
                                        count: 2, dimensions: 2, from: url)
        #expect(ordered.vectors == [[0.6, 0.8], [0, 1]] && ordered.tokens == nil)
        for bad in [#"{"data": [{"index": 0, "embedding": [1, 0]}]}"#,  // one vector for two texts
                    #"{"data": [{"index": 0, "embedding": [1, 0]}, {"index": 0, "embedding": [0, 1]}]}"#,  // the same index twice
                    #"{"data": [{"index": 0, "embedding": [1, 0]}, {"index": 2, "embedding": [0, 1]}]}"#,  // an index out of range
                    #"{"data": [{"index": 0, "embedding": [1, 0, 0]}, {"index": 1, "embedding": [0, 1]}]}"#] {  // another dimension
            #expect(throws: EmbeddingModelError.self, "\(bad)") { try EmbeddedTexts(try answer(bad), count: 2, dimensions: 2, from: url) }
        }
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count else { return 0 }
        let dot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
        return dot / (a.reduce(0) { $0 + $1 * $1 }.squareRoot() * b.reduce(0) { $0 + $1 * $1 }.squareRoot())
    }
}
