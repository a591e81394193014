import CBLAS
import Dispatch
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
    /// together (so a batch holds similar lengths), the batches spread over `workers`
    /// threads, each with single-threaded BLAS: threads that each own a batch do the
    /// element-wise work in parallel too, where a multi-threaded product would leave its
    /// other threads spinning through it.
    public func embed(_ texts: [String], batchSize: Int = 32, workers: Int = ProcessInfo.processInfo.activeProcessorCount) -> [[Float]] {
        let ids = texts.map { tokenizer.encode($0, maxLength: maxTokens) }
        let order = ids.indices.sorted { ids[$0].count < ids[$1].count }
        let size = max(1, batchSize)
        var sized = stride(from: 0, to: order.count, by: size).map { Array(order[$0..<min($0 + size, order.count)]) }
        let workers = max(1, min(workers, 64))
        // One batch on several threads: split it, so that no thread idles.
        if sized.count == 1, workers > 1, let only = sized.first, only.count > 1 {
            let part = (only.count + workers - 1) / workers
            sized = stride(from: 0, to: only.count, by: part).map { Array(only[$0..<min($0 + part, only.count)]) }
        }
        let batches = sized
        Self.useSingleThreadedBLAS()
        let results = BatchResults(count: texts.count)
        let encoder = encoder
        DispatchQueue.concurrentPerform(iterations: min(workers, batches.count)) { worker in
            for batch in stride(from: worker, to: batches.count, by: min(workers, batches.count)).map({ batches[$0] }) {
                let vectors = encoder.embed(batch.map { ids[$0] })
                for (index, vector) in zip(batch, vectors) { results.set(index, vector) }
            }
        }
        return results.values
    }

    /// OpenBLAS's own threads off: the embedder runs its batches on threads of its own.
    static func useSingleThreadedBLAS() {
        _ = singleThreaded
    }

    private static let singleThreaded: Void = openblas_set_num_threads(1)
}

/// The vectors of a call, written by its worker threads, each to its own indices.
private final class BatchResults: @unchecked Sendable {
    // Each slot is written by exactly one worker (the batches partition the texts), through
    // the pointer, never through an Array (whose exclusivity checks would see the threads as
    // one access), and read only after `concurrentPerform` has returned, which orders every
    // write before it.
    private let slots: UnsafeMutablePointer<[Float]>
    private let count: Int

    init(count: Int) {
        self.count = count
        slots = UnsafeMutablePointer<[Float]>.allocate(capacity: max(1, count))
        slots.initialize(repeating: [], count: count)
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    func set(_ index: Int, _ vector: [Float]) {
        precondition(index >= 0 && index < count)
        slots[index] = vector
    }

    var values: [[Float]] { Array(UnsafeBufferPointer(start: slots, count: count)) }
}
