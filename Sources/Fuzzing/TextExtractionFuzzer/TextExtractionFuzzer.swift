import FuzzerSupport
import TextExtraction

/// One fuzz input, read as plain text, Markdown, HTML and (as a zip container) DOCX and ODT
/// under small limits: whatever the bytes, each extraction ends with text or a typed error,
/// keeps to its character limit, and its chunks cover only its own words, in order.
func fuzz(_ bytes: [UInt8]) {
    let limits = ExtractionLimits(maxInputBytes: 1 << 20, maxUnpackedBytes: 1 << 20, maxCharacters: 20_000)
    let extractor = TextExtractor(limits: limits)
    for format in [DocumentFormat.plainText, .markdown, .html, .docx, .odt] {
        guard let extracted = try? extractor.extract(bytes, format: format) else { continue }
        let characters = extracted.blocks.reduce(0) { $0 + $1.text.count }
        precondition(characters <= limits.maxCharacters, "\(format) kept more text than the limit")
        precondition(extracted.blocks.allSatisfy { !$0.text.isEmpty && $0.text == $0.text.trimmingWhitespace }, "\(format) kept an empty or untrimmed block")
        let chunks = Chunker(targetWords: 16, overlapWords: 4).chunks(extracted)
        precondition(chunks.map(\.index) == Array(chunks.indices), "chunks out of order")
        precondition(chunks.allSatisfy { $0.blocks.upperBound < extracted.blocks.count }, "a chunk names a block that is not there")
        let words = Set(extracted.blocks.flatMap { $0.text.split(whereSeparator: \.isWhitespace) })
        precondition(chunks.allSatisfy { $0.text.split(whereSeparator: \.isWhitespace).allSatisfy(words.contains) }, "a chunk holds a word the text does not")
    }
}

extension String {
    var trimmingWhitespace: String {
        var text = Substring(self)
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        return String(text)
    }
}

/// `TextExtractionFuzzer [libFuzzer options] [CORPUS…]` under libFuzzer, or `TextExtractionFuzzer FILE…` to replay.
@main
struct TextExtractionFuzzerMain {
    static func main() throws {
        try FuzzerMain.run { data, size in
            fuzz(Array(UnsafeBufferPointer(start: data, count: size)))
            return 0
        }
    }
}
