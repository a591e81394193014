// Sentence embedding throughput of the native engine (TextEmbedding):
//   EmbedBench MODEL_DIR SENTENCES_FILE BATCH_SIZE [THREADS]
// encodes every line of SENTENCES_FILE once (after one warm-up batch) and prints one JSON
// line: {"tool": "switchboard", "seconds", "sentences", "per_second", "batch"}.
import Foundation
import TextEmbedding

let arguments = CommandLine.arguments
guard arguments.count >= 4, let batch = Int(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: EmbedBench MODEL_DIR SENTENCES_FILE BATCH_SIZE\n".utf8))
    exit(2)
}
func read(_ name: String) -> Data {
    guard let data = FileManager.default.contents(atPath: arguments[1] + "/" + name) else { fatalError("no \(name) in \(arguments[1])") }
    return data
}
let embedder = try SentenceEmbedder(tokenizerJSON: read("tokenizer.json"), configJSON: read("config.json"), weights: read("model.safetensors"),
                                    sentenceConfigJSON: read("sentence_bert_config.json"))
let sentences = try String(contentsOfFile: arguments[2], encoding: .utf8).split(separator: "\n").map(String.init)
_ = embedder.embed(Array(sentences.prefix(batch)), batchSize: batch)
let start = ContinuousClock.now
let vectors = embedder.embed(sentences, batchSize: batch)
let seconds = Double((ContinuousClock.now - start).components.attoseconds) / 1e18 + Double((ContinuousClock.now - start).components.seconds)
precondition(vectors.count == sentences.count)
print(#"{"tool": "switchboard", "seconds": \#(seconds), "sentences": \#(sentences.count), "per_second": \#(Double(sentences.count) / seconds), "batch": \#(batch)}"#)
