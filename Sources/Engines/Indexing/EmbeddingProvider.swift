import Dispatch
public import Foundation
public import TextEmbedding

/// Turns passages and questions into vectors for the index: natively (``NativeEmbeddings``)
/// or by a model server the operator runs.
public protocol EmbeddingProvider: Sendable {
    /// Names the model: vectors of different models are never compared (the cache is keyed by it).
    var model: String { get }
    var dimensions: Int { get }
    /// One unit vector per text, in order.
    func embed(_ texts: [String]) async throws(EmbeddingModelError) -> [[Float]]
    /// The vectors, and the tokens the model read when it can tell.
    func embedCounting(_ texts: [String]) async throws(EmbeddingModelError) -> EmbeddedTexts
}

extension EmbeddingProvider {
    public func embedCounting(_ texts: [String]) async throws(EmbeddingModelError) -> EmbeddedTexts {
        EmbeddedTexts(vectors: try await embed(texts), tokens: nil)
    }
}

/// The all-MiniLM-L6-v2 model run in this process (``SentenceEmbedder``), its work on a
/// queue of its own so that the cooperative threads stay free.
public struct NativeEmbeddings: EmbeddingProvider {
    public let embedder: SentenceEmbedder
    public let model: String
    public var batchSize: Int
    private let queue = DispatchQueue(label: "switchboard.embedding")

    public var dimensions: Int { embedder.dimensions }

    public init(embedder: SentenceEmbedder, model: String = "all-MiniLM-L6-v2", batchSize: Int = 32) {
        self.embedder = embedder
        self.model = model
        self.batchSize = batchSize
    }

    /// The model in `directory` (`tokenizer.json`, `config.json`, `model.safetensors` and
    /// optionally `sentence_bert_config.json`, as `scripts/install-model` puts them).
    public init(directory: String, batchSize: Int = 32) throws(EmbeddingModelError) {
        func read(_ name: String) throws(EmbeddingModelError) -> Data {
            guard let data = FileManager.default.contents(atPath: (directory as NSString).appendingPathComponent(name)) else {
                throw EmbeddingModelError("no \(name) in \(directory) (scripts/install-model puts the model there)")
            }
            return data
        }
        let embedder = try SentenceEmbedder(tokenizerJSON: try read("tokenizer.json"), configJSON: try read("config.json"),
                                            weights: try read("model.safetensors"),
                                            sentenceConfigJSON: FileManager.default.contents(atPath: (directory as NSString).appendingPathComponent("sentence_bert_config.json")))
        self.init(embedder: embedder, model: (directory as NSString).lastPathComponent, batchSize: batchSize)
    }

    /// The vectors, and the tokens read (each text cut to the model's limit, as embedding cuts it).
    public func embedCounting(_ texts: [String]) async throws(EmbeddingModelError) -> EmbeddedTexts {
        let tokens = texts.reduce(0) { $0 + embedder.tokenizer.encode($1, maxLength: embedder.maxTokens).count }
        return EmbeddedTexts(vectors: try await embed(texts), tokens: tokens)
    }

    public func embed(_ texts: [String]) async throws(EmbeddingModelError) -> [[Float]] {
        let embedder = embedder
        let batchSize = batchSize
        return await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: embedder.embed(texts, batchSize: batchSize)) }
        }
    }
}
