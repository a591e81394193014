import CBLAS
public import Foundation

/// The shape of a BERT encoder, from its `config.json`.
public struct BertConfiguration: Sendable, Hashable {
    public var hiddenSize: Int
    public var layers: Int
    public var heads: Int
    public var intermediateSize: Int
    public var maxPositions: Int
    public var vocabularySize: Int
    public var typeVocabularySize: Int
    public var layerNormEpsilon: Float

    public init(json: Data) throws(EmbeddingModelError) {
        guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else { throw EmbeddingModelError("config.json is not an object") }
        func int(_ key: String) throws(EmbeddingModelError) -> Int {
            guard let value = (object[key] as? NSNumber)?.intValue, value > 0 else { throw EmbeddingModelError("config.json: no \(key)") }
            return value
        }
        guard object["hidden_act"] as? String ?? "gelu" == "gelu" else { throw EmbeddingModelError("config.json: an activation other than gelu") }
        hiddenSize = try int("hidden_size")
        layers = try int("num_hidden_layers")
        heads = try int("num_attention_heads")
        intermediateSize = try int("intermediate_size")
        maxPositions = try int("max_position_embeddings")
        vocabularySize = try int("vocab_size")
        typeVocabularySize = try int("type_vocab_size")
        layerNormEpsilon = (object["layer_norm_eps"] as? NSNumber)?.floatValue ?? 1e-12
        guard hiddenSize % heads == 0 else { throw EmbeddingModelError("config.json: \(hiddenSize) does not divide into \(heads) heads") }
    }
}

/// A BERT encoder's forward pass (as `transformers`' `BertModel` computes it, in `Float`),
/// with mean pooling over the tokens and L2 normalisation, as sentence-transformers'
/// all-MiniLM-L6-v2 pipeline ends. Sequences of a batch are packed one after another (no
/// padding, so nothing is computed for it): the dense layers run as one matrix product over
/// all the batch's tokens (BLAS `sgemm`), attention per sequence and head.
public struct BertEncoder: Sendable {
    struct LayerNorm: Sendable {
        var weight: [Float]
        var bias: [Float]
    }

    struct Layer: Sendable {
        /// Query, key and value weights stacked: `[3h × h]`, and their biases.
        var qkvWeight: [Float]
        var qkvBias: [Float]
        var attentionOutWeight: [Float]
        var attentionOutBias: [Float]
        var attentionNorm: LayerNorm
        var intermediateWeight: [Float]
        var intermediateBias: [Float]
        var outputWeight: [Float]
        var outputBias: [Float]
        var outputNorm: LayerNorm
    }

    public let configuration: BertConfiguration
    let wordEmbeddings: [Float]
    let positionEmbeddings: [Float]
    let tokenTypeEmbeddings: [Float]
    let embeddingNorm: LayerNorm
    let layers: [Layer]

    public init(configuration: BertConfiguration, weights: SafeTensors) throws(EmbeddingModelError) {
        self.configuration = configuration
        let h = configuration.hiddenSize
        let i = configuration.intermediateSize
        // Some exports name the tensors under `bert.`.
        let prefix = (try? weights.tensor("embeddings.LayerNorm.weight", shape: [h])) != nil ? "" : "bert."
        func tensor(_ name: String, _ shape: [Int]) throws(EmbeddingModelError) -> [Float] { try weights.tensor(prefix + name, shape: shape) }
        func norm(_ name: String) throws(EmbeddingModelError) -> LayerNorm {
            LayerNorm(weight: try tensor(name + ".weight", [h]), bias: try tensor(name + ".bias", [h]))
        }
        wordEmbeddings = try tensor("embeddings.word_embeddings.weight", [configuration.vocabularySize, h])
        positionEmbeddings = try tensor("embeddings.position_embeddings.weight", [configuration.maxPositions, h])
        tokenTypeEmbeddings = try tensor("embeddings.token_type_embeddings.weight", [configuration.typeVocabularySize, h])
        embeddingNorm = try norm("embeddings.LayerNorm")
        var layers: [Layer] = []
        for index in 0..<configuration.layers {
            let base = "encoder.layer.\(index)."
            layers.append(Layer(
                qkvWeight: try tensor(base + "attention.self.query.weight", [h, h]) + tensor(base + "attention.self.key.weight", [h, h])
                    + tensor(base + "attention.self.value.weight", [h, h]),
                qkvBias: try tensor(base + "attention.self.query.bias", [h]) + tensor(base + "attention.self.key.bias", [h])
                    + tensor(base + "attention.self.value.bias", [h]),
                attentionOutWeight: try tensor(base + "attention.output.dense.weight", [h, h]),
                attentionOutBias: try tensor(base + "attention.output.dense.bias", [h]),
                attentionNorm: try norm(base + "attention.output.LayerNorm"),
                intermediateWeight: try tensor(base + "intermediate.dense.weight", [i, h]),
                intermediateBias: try tensor(base + "intermediate.dense.bias", [i]),
                outputWeight: try tensor(base + "output.dense.weight", [h, i]),
                outputBias: try tensor(base + "output.dense.bias", [h]),
                outputNorm: try norm(base + "output.LayerNorm")))
        }
        self.layers = layers
    }

    /// One unit vector per sequence of token ids (each at most the model's positions long,
    /// ids below its vocabulary size; longer sequences are cut, unknown ids read as 0).
    public func embed(_ sequences: [[Int32]]) -> [[Float]] {
        guard !sequences.isEmpty else { return [] }
        let h = configuration.hiddenSize
        let sequences = sequences.map { Array($0.prefix(configuration.maxPositions)) }
        let lengths = sequences.map(\.count)
        let offsets = lengths.reduce(into: [0]) { $0.append($0.last! + $1) }
        let tokens = offsets.last!
        guard tokens > 0 else { return sequences.map { _ in [Float](repeating: 0, count: h) } }

        // Embeddings: word + position + token type 0, normalised.
        var hidden = [Float](repeating: 0, count: tokens * h)
        for (index, sequence) in sequences.enumerated() {
            for (position, id) in sequence.enumerated() {
                let word = Int(id) >= 0 && Int(id) < configuration.vocabularySize ? Int(id) : 0
                let row = (offsets[index] + position) * h
                for k in 0..<h {
                    hidden[row + k] = wordEmbeddings[word * h + k] + positionEmbeddings[position * h + k] + tokenTypeEmbeddings[k]
                }
            }
        }
        Self.normalize(&hidden, rows: tokens, width: h, norm: embeddingNorm, epsilon: configuration.layerNormEpsilon)

        var qkv = [Float](repeating: 0, count: tokens * 3 * h)
        var context = [Float](repeating: 0, count: tokens * h)
        var projected = [Float](repeating: 0, count: tokens * h)
        var intermediate = [Float](repeating: 0, count: tokens * configuration.intermediateSize)
        let longest = lengths.max() ?? 0
        var scores = [Float](repeating: 0, count: longest * longest)
        for layer in layers {
            Self.linear(hidden, rows: tokens, inputs: h, weight: layer.qkvWeight, bias: layer.qkvBias, outputs: 3 * h, into: &qkv)
            attention(qkv, offsets: offsets, lengths: lengths, scores: &scores, into: &context)
            Self.linear(context, rows: tokens, inputs: h, weight: layer.attentionOutWeight, bias: layer.attentionOutBias, outputs: h, into: &projected)
            Self.add(projected, to: &hidden)
            Self.normalize(&hidden, rows: tokens, width: h, norm: layer.attentionNorm, epsilon: configuration.layerNormEpsilon)
            Self.linear(hidden, rows: tokens, inputs: h, weight: layer.intermediateWeight, bias: layer.intermediateBias,
                        outputs: configuration.intermediateSize, into: &intermediate)
            Self.gelu(&intermediate)
            Self.linear(intermediate, rows: tokens, inputs: configuration.intermediateSize, weight: layer.outputWeight, bias: layer.outputBias,
                        outputs: h, into: &projected)
            Self.add(projected, to: &hidden)
            Self.normalize(&hidden, rows: tokens, width: h, norm: layer.outputNorm, epsilon: configuration.layerNormEpsilon)
        }

        // Mean pooling over each sequence's tokens, then unit length.
        return sequences.indices.map { index in
            var pooled = [Float](repeating: 0, count: h)
            for token in offsets[index]..<offsets[index + 1] {
                for k in 0..<h { pooled[k] += hidden[token * h + k] }
            }
            let count = Float(max(1, lengths[index]))
            var length: Float = 0
            for k in 0..<h {
                pooled[k] /= count
                length += pooled[k] * pooled[k]
            }
            let scale = 1 / max(length.squareRoot(), 1e-12)
            return pooled.map { $0 * scale }
        }
    }

    /// Self-attention of each sequence, each head on its own slice of the hidden size.
    private func attention(_ qkv: [Float], offsets: [Int], lengths: [Int], scores: inout [Float], into context: inout [Float]) {
        let h = configuration.hiddenSize
        let heads = configuration.heads
        let d = h / heads
        let scale = 1 / Float(d).squareRoot()
        qkv.withUnsafeBufferPointer { qkv in
            scores.withUnsafeMutableBufferPointer { scores in
                context.withUnsafeMutableBufferPointer { context in
                    for (index, length) in lengths.enumerated() where length > 0 {
                        let first = offsets[index]
                        let n = Int32(length)
                        for head in 0..<heads {
                            let query = qkv.baseAddress! + first * 3 * h + head * d
                            let key = query + h
                            let value = query + 2 * h
                            // scores = Q·Kᵀ / √d
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, Int32(d), scale, query, Int32(3 * h), key, Int32(3 * h), 0,
                                        scores.baseAddress!, n)
                            for row in 0..<length {
                                let line = scores.baseAddress! + row * length
                                var largest = -Float.infinity
                                for column in 0..<length { largest = max(largest, line[column]) }
                                // (Reductions by BLAS: a loop that sums is not vectorised.)
                                for column in 0..<length { line[column] = Self.exp(line[column] - largest) }
                                cblas_sscal(n, 1 / cblas_sasum(n, line, 1), line, 1)
                            }
                            // context = softmax · V
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, Int32(d), n, 1, scores.baseAddress!, n, value, Int32(3 * h), 0,
                                        context.baseAddress! + first * h + head * d, Int32(h))
                        }
                    }
                }
            }
        }
    }

    /// output = input · weightᵀ + bias (a PyTorch `Linear`: weight is `[outputs × inputs]`).
    static func linear(_ input: [Float], rows: Int, inputs: Int, weight: [Float], bias: [Float], outputs: Int, into output: inout [Float]) {
        output.withUnsafeMutableBufferPointer { output in
            for row in 0..<rows { (output.baseAddress! + row * outputs).update(from: bias, count: outputs) }
            input.withUnsafeBufferPointer { input in
                weight.withUnsafeBufferPointer { weight in
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(outputs), Int32(inputs), 1, input.baseAddress!, Int32(inputs),
                                weight.baseAddress!, Int32(inputs), 1, output.baseAddress!, Int32(outputs))
                }
            }
        }
    }

    /// values += other (BLAS `saxpy`).
    static func add(_ other: [Float], to values: inout [Float]) {
        other.withUnsafeBufferPointer { other in
            values.withUnsafeMutableBufferPointer { values in
                cblas_saxpy(Int32(values.count), 1, other.baseAddress!, 1, values.baseAddress!, 1)
            }
        }
    }

    static func normalize(_ values: inout [Float], rows: Int, width: Int, norm: LayerNorm, epsilon: Float) {
        let ones = [Float](repeating: 1, count: width)
        let n = Int32(width)
        norm.weight.withUnsafeBufferPointer { weight in
            norm.bias.withUnsafeBufferPointer { bias in
                values.withUnsafeMutableBufferPointer { values in
                    for row in 0..<rows {
                        let line = values.baseAddress! + row * width
                        // (Reductions by BLAS: a loop that sums is not vectorised.)
                        let mean = cblas_sdot(n, line, 1, ones, 1) / Float(width)
                        for k in 0..<width { line[k] -= mean }
                        let inverse = 1 / (cblas_sdot(n, line, 1, line, 1) / Float(width) + epsilon).squareRoot()
                        for k in 0..<width { line[k] = line[k] * inverse * weight[k] + bias[k] }
                    }
                }
            }
        }
    }

    /// GELU as BERT has it: x·Φ(x) = x/2·(1 + erf(x/√2)), in a loop the compiler vectorises.
    static func gelu(_ values: inout [Float]) {
        values.withUnsafeMutableBufferPointer { values in
            let pointer = values.baseAddress!
            for k in 0..<values.count {
                let x = pointer[k]
                pointer[k] = 0.5 * x * (1 + erf(x * 0.70710678118654752))
            }
        }
    }

    /// e^x for x ≤ 0 (softmax after its maximum is taken off): x = n·ln 2 + r with |r| ≤ ln 2 / 2,
    /// e^r by its Taylor polynomial to r⁶ (relative error below 2·10⁻⁷), 2ⁿ written into the
    /// exponent bits; no call, so the compiler vectorises the loop it is in. Below -87 it is 0.
    @inline(__always)
    static func exp(_ input: Float) -> Float {
        let x = input < -87 ? -87 : input
        // n = round(x / ln 2), by the 1.5·2²³ trick (exact for |n| < 2²²).
        let shifted = x * 1.44269504088896341 + 12582912
        let n = shifted - 12582912
        let r = (x - n * 0.693145751953125) - n * 1.42860682030941723e-6
        var p: Float = 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        // 2ⁿ: the shifted value's low bits hold n; moved into the exponent field (wrapping
        // integer operations only, which vectorise where a checked conversion would not).
        return p * Float(bitPattern: (shifted.bitPattern &+ 127) &<< 23)
    }

    /// The error function for `Float`s as a rational function of x² on [-4, 4] (±1 outside),
    /// with the coefficients Eigen uses for its vectorised `erf`: within a few units in the
    /// last place of `erff`, with only multiplications, additions and one division.
    @inline(__always)
    static func erf(_ input: Float) -> Float {
        let x = input < -4 ? -4 : (input > 4 ? 4 : input)
        let x2 = x * x
        var p: Float = -2.72614225801306e-10
        p = p * x2 + 2.77068142495902e-08
        p = p * x2 - 2.10102402082508e-06
        p = p * x2 - 5.69250639462346e-05
        p = p * x2 - 7.34990630326855e-04
        p = p * x2 - 2.95459980854025e-03
        p = p * x2 - 1.60960333262415e-02
        var q: Float = -1.45660718464996e-05
        q = q * x2 - 2.13374055278905e-04
        q = q * x2 - 1.68282697438203e-03
        q = q * x2 - 7.37332916720468e-03
        q = q * x2 - 1.42647390514189e-02
        return x * p / q
    }
}
