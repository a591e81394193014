public import Foundation

/// A sentence embedding model run natively: the tokenizer and the encoder of a
/// sentence-transformers BERT model (all-MiniLM-L6-v2), texts in, unit vectors out.
public struct SentenceEmbedder: Sendable {
    public let tokenizer: WordPieceTokenizer
    public let encoder: BertEncoder
    /// The longest input in tokens, `[CLS]` and `[SEP]` included (sentence-transformers'
    /// `max_seq_length`; longer texts are cut).
    public let maxTokens: Int

    public var dimensions: Int { encoder.configuration.hiddenSize }

    public init(tokenizer: WordPieceTokenizer, encoder: BertEncoder, maxTokens: Int = 256) {
        self.tokenizer = tokenizer
        self.encoder = encoder
        self.maxTokens = min(maxTokens, encoder.configuration.maxPositions)
    }

    /// The model in `tokenizer.json`, `config.json` and `model.safetensors`, and
    /// `sentence_bert_config.json`'s `max_seq_length` when given.
    public init(tokenizerJSON: Data, configJSON: Data, weights: Data, sentenceConfigJSON: Data? = nil) throws(EmbeddingModelError) {
        let configuration = try BertConfiguration(json: configJSON)
        let tokenizer = try WordPieceTokenizer(json: tokenizerJSON)
        let encoder = try BertEncoder(configuration: configuration, weights: try SafeTensors(weights))
        let sentence = sentenceConfigJSON.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        self.init(tokenizer: tokenizer, encoder: encoder, maxTokens: (sentence?["max_seq_length"] as? NSNumber)?.intValue ?? 256)
    }

    /// One unit vector per text, in order. Texts are encoded `batchSize` at a time, shortest
    /// together, so batches hold similar lengths.
    public func embed(_ texts: [String], batchSize: Int = 32) -> [[Float]] {
        let ids = texts.map { tokenizer.encode($0, maxLength: maxTokens) }
        let order = ids.indices.sorted { ids[$0].count < ids[$1].count }
        var vectors = [[Float]](repeating: [], count: texts.count)
        for start in stride(from: 0, to: order.count, by: max(1, batchSize)) {
            let batch = Array(order[start..<min(start + max(1, batchSize), order.count)])
            for (index, vector) in zip(batch, encoder.embed(batch.map { ids[$0] })) { vectors[index] = vector }
        }
        return vectors
    }
}
