public import Foundation
public import HTTPTransport
import NIOHTTP1
public import TextEmbedding

/// A model server the operator runs that speaks OpenAI's embeddings API: `POST
/// {baseURL}/embeddings` with `{"model", "input": [texts]}`, answered by `{"data": [{"index",
/// "embedding"}], "usage": {"prompt_tokens"}}` (vLLM, llama.cpp's server, Ollama, Hugging
/// Face's text-embeddings-inference, infinity, LocalAI, OpenAI itself, or another
/// Switchboard's `/v1/embeddings`).
///
/// Vectors are checked (one per text, all of ``dimensions``, finite) and made unit length,
/// as search compares them by dot product; texts go in batches of ``batchSize``.
public struct RemoteEmbeddings: EmbeddingProvider {
    /// Where the API lives: `http://127.0.0.1:8080/v1` (requests go to `…/embeddings`).
    public let baseURL: URL
    /// The model the server is asked for, and the name the vectors are kept under.
    public let model: String
    public let dimensions: Int
    public var batchSize: Int
    let transport: HTTPTransport

    /// A provider of the server's `model`, its dimensions learnt by embedding one word: a
    /// server that cannot be reached or does not answer in the API's shape fails here, not
    /// in the middle of an index run.
    public static func connect(baseURL: URL, model: String, transport: HTTPTransport, batchSize: Int = 64) async throws(EmbeddingModelError) -> RemoteEmbeddings {
        let probe = try await Self.request(["dimensions"], baseURL: baseURL, model: model, transport: transport, dimensions: nil)
        guard let dimensions = probe.vectors.first?.count, dimensions > 0 else {
            throw EmbeddingModelError("the embedding server at \(baseURL.absoluteString) gave an empty vector")
        }
        return RemoteEmbeddings(baseURL: baseURL, model: model, dimensions: dimensions, batchSize: batchSize, transport: transport)
    }

    public func embed(_ texts: [String]) async throws(EmbeddingModelError) -> [[Float]] {
        try await embedCounting(texts).vectors
    }

    public func embedCounting(_ texts: [String]) async throws(EmbeddingModelError) -> EmbeddedTexts {
        var result = EmbeddedTexts(vectors: [], tokens: 0)
        for start in stride(from: 0, to: texts.count, by: max(1, batchSize)) {
            let batch = Array(texts[start..<min(texts.count, start + max(1, batchSize))])
            let answer = try await Self.request(batch, baseURL: baseURL, model: model, transport: transport, dimensions: dimensions)
            result.vectors += answer.vectors
            result.tokens = answer.tokens.flatMap { tokens in result.tokens.map { $0 + tokens } }
        }
        return result
    }

    /// The API's request.
    struct Request: Encodable {
        var model: String
        var input: [String]
        var encoding_format = "float"
    }

    /// The API's answer (other fields are ignored).
    struct Answer: Decodable {
        struct Item: Decodable {
            var index: Int
            var embedding: [Float]
        }

        struct Usage: Decodable {
            var prompt_tokens: Int?
        }

        var data: [Item]
        var usage: Usage?
    }

    private static func request(_ texts: [String], baseURL: URL, model: String, transport: HTTPTransport,
                                dimensions: Int?) async throws(EmbeddingModelError) -> EmbeddedTexts {
        let url = baseURL.appending(path: "embeddings")
        let body: [UInt8]
        do {
            body = Array(try JSONEncoder().encode(Request(model: model, input: texts)))
        } catch {
            throw EmbeddingModelError("the embedding request could not be written: \(error)")
        }
        let response: HTTPResponse
        do throws(HTTPError) {
            response = try await transport.send(HTTPRequest(method: "POST", url: url, headers: ["Content-Type": "application/json", "Accept": "application/json"],
                                                            body: body))
        } catch {
            throw EmbeddingModelError("the embedding server at \(url.absoluteString): \(error.description)")
        }
        guard (200..<300).contains(response.status) else {
            throw EmbeddingModelError("the embedding server at \(url.absoluteString) answered \(response.status): "
                                      + String(decoding: response.body.prefix(300), as: UTF8.self))
        }
        let answer: Answer
        do {
            answer = try JSONDecoder().decode(Answer.self, from: Data(response.body))
        } catch {
            throw EmbeddingModelError("the embedding server at \(url.absoluteString) answered in another shape: \(error)")
        }
        return try EmbeddedTexts(answer, count: texts.count, dimensions: dimensions, from: url)
    }
}

/// Vectors for texts, and how many tokens the model read when it says.
public struct EmbeddedTexts: Sendable {
    /// One unit vector per text, in order.
    public var vectors: [[Float]]
    /// The tokens read (after truncation), when the model counts them.
    public var tokens: Int?

    public init(vectors: [[Float]], tokens: Int?) {
        self.vectors = vectors
        self.tokens = tokens
    }

    /// A server's answer in the texts' order, checked and normalised.
    init(_ answer: RemoteEmbeddings.Answer, count: Int, dimensions: Int?, from url: URL) throws(EmbeddingModelError) {
        var vectors = [[Float]?](repeating: nil, count: count)
        for item in answer.data {
            guard vectors.indices.contains(item.index), vectors[item.index] == nil else {
                throw EmbeddingModelError("the embedding server at \(url.absoluteString) answered index \(item.index) for \(count) texts")
            }
            guard item.embedding.count == (dimensions ?? item.embedding.count), item.embedding.allSatisfy(\.isFinite) else {
                throw EmbeddingModelError("the embedding server at \(url.absoluteString) gave a vector of \(item.embedding.count) numbers, not \(dimensions ?? 0) finite ones")
            }
            let length = item.embedding.reduce(0) { $0 + $1 * $1 }.squareRoot()
            vectors[item.index] = length > 0 ? item.embedding.map { $0 / length } : item.embedding
        }
        let complete = vectors.compactMap { $0 }
        guard complete.count == count else {
            throw EmbeddingModelError("the embedding server at \(url.absoluteString) gave \(complete.count) vectors for \(count) texts")
        }
        self.init(vectors: complete, tokens: answer.usage?.prompt_tokens)
    }
}
