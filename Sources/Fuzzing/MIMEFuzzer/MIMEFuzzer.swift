import FuzzerSupport
import MIME

/// One fuzz input, read as a message under small limits: whatever the bytes, the parse ends
/// (with a message or a typed error), holds to its limits, and every part's decoders — transfer
/// encoding, charset, encoded words, parameters — return.
func fuzz(_ bytes: [UInt8]) {
    let limits = MIMELimits(maxMessageBytes: 1 << 20, maxHeaderBytes: 16 << 10, maxParts: 64, maxDepth: 8)
    guard let message = try? MIMEParser(limits: limits).parse(bytes) else { return }
    var count = 0
    func visit(_ part: MIMEPart, depth: Int) {
        count += 1
        precondition(depth <= limits.maxDepth, "multiparts nest deeper than the limit")
        _ = part.text
        _ = part.filename
        _ = part.isAttachment
        _ = part.decodedBody
        for field in part.header.fields { _ = EncodedWords.decode(field.value) }
        for child in part.parts { visit(child, depth: depth + 1) }
    }
    visit(message.root, depth: 0)
    precondition(count <= limits.maxParts, "more parts than the limit")
    _ = message.plainText
    _ = message.htmlText
}

/// `MIMEFuzzer [libFuzzer options] [CORPUS…]` under libFuzzer, or `MIMEFuzzer FILE…` to replay.
@main
struct MIMEFuzzerMain {
    static func main() throws {
        try FuzzerMain.run { data, size in
            fuzz(Array(UnsafeBufferPointer(start: data, count: size)))
            return 0
        }
    }
}
