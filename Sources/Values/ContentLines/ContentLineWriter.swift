/// Writes ``ContentLine``s as bytes: CRLF line breaks, and lines folded at 75 octets
/// (RFC 5545 §3.1) without splitting a UTF-8 sequence.
public struct ContentLineWriter: Sendable {
    /// The longest physical line, in octets, excluding the line break.
    public static let lineWidth = 75

    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []
    private let folding: Bool

    /// Creates a writer; `folding: false` writes every content line on one physical line.
    public init(folding: Bool = true, reservingCapacity capacity: Int = 0) {
        self.folding = folding
        bytes.reserveCapacity(capacity)
    }

    /// Writes one content line followed by CRLF.
    public mutating func write(_ line: ContentLine) {
        let start = bytes.count
        if let group = line.group {
            bytes.append(contentsOf: group.utf8)
            bytes.append(UInt8(ascii: "."))
        }
        bytes.append(contentsOf: line.name.utf8)
        for parameter in line.parameters {
            bytes.append(UInt8(ascii: ";"))
            bytes.append(contentsOf: parameter.name.utf8)
            if let raw = parameter.rawValue {
                bytes.append(UInt8(ascii: "="))
                appendNeutralizingLineBreaks(raw, escape: Array("^n".utf8))
            }
        }
        bytes.append(UInt8(ascii: ":"))
        appendNeutralizingLineBreaks(line.value, escape: Array("\\n".utf8))
        finishLine(from: start)
    }

    /// Appends `text`, writing each line break in it (CR, LF or CRLF) as `escape`: a value
    /// or parameter never ends its content line early, so no text can add a property, even
    /// one a builder forgot to escape (the TEXT escape `\n` for values, RFC 6868's `^n` for
    /// parameters).
    private mutating func appendNeutralizingLineBreaks(_ text: String, escape: [UInt8]) {
        let utf8 = text.utf8
        guard utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) else {
            bytes.append(contentsOf: utf8)
            return
        }
        var previous: UInt8 = 0
        for byte in utf8 {
            switch byte {
            case 0x0D: bytes.append(contentsOf: escape)
            case 0x0A where previous == 0x0D: break
            case 0x0A: bytes.append(contentsOf: escape)
            default: bytes.append(byte)
            }
            previous = byte
        }
    }

    /// Writes `NAME:value` followed by CRLF (for `BEGIN`/`END` lines).
    public mutating func write(name: String, value: String) {
        let start = bytes.count
        bytes.append(contentsOf: name.utf8)
        bytes.append(UInt8(ascii: ":"))
        appendNeutralizingLineBreaks(value, escape: Array("\\n".utf8))
        finishLine(from: start)
    }

    private mutating func finishLine(from start: Int) {
        if folding, bytes.count - start > Self.lineWidth {
            let line = Array(bytes[start...])
            bytes.removeSubrange(start...)
            fold(line)
        }
        bytes.append(UInt8(ascii: "\r"))
        bytes.append(UInt8(ascii: "\n"))
    }

    private mutating func fold(_ line: [UInt8]) {
        var offset = 0
        var width = Self.lineWidth
        while line.count - offset > width {
            var cut = offset + width
            // Never split a UTF-8 sequence: back up to the start of the character.
            while cut > offset + 1, line[cut] & 0xC0 == 0x80 { cut -= 1 }
            bytes.append(contentsOf: line[offset..<cut])
            bytes.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n"), UInt8(ascii: " ")])
            offset = cut
            width = Self.lineWidth - 1
        }
        bytes.append(contentsOf: line[offset...])
    }
}
