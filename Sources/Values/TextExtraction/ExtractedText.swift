/// A document's text as a reader meets it: blocks in order, each a heading or a paragraph,
/// with the headings above it and the page it is on (for citations), and what could not be
/// read cleanly.
public struct ExtractedText: Sendable, Hashable {
    public struct Block: Sendable, Hashable {
        public enum Kind: Sendable, Hashable {
            /// A heading of `level` (1 is the top).
            case heading(level: Int)
            case paragraph
        }

        public var kind: Kind
        public var text: String
        /// The headings this block is under, outermost first (a heading's own path ends before it).
        public var headingPath: [String]
        /// The page (1-based), for formats that have pages.
        public var page: Int?

        public init(kind: Kind, text: String, headingPath: [String], page: Int? = nil) {
            self.kind = kind
            self.text = text
            self.headingPath = headingPath
            self.page = page
        }
    }

    public var blocks: [Block]
    /// What was repaired or left out (a part over the limits, an unreadable entry).
    public var problems: [String]

    public init(blocks: [Block] = [], problems: [String] = []) {
        self.blocks = blocks
        self.problems = problems
    }

    /// All text, blocks separated by blank lines.
    public var text: String { blocks.map(\.text).joined(separator: "\n\n") }

    /// Where `blocks` are in ``text``, in UTF-8 bytes.
    public func utf8Range(of range: ClosedRange<Int>) -> Range<Int> {
        guard !blocks.isEmpty else { return 0..<0 }
        let range = range.clamped(to: 0...(blocks.count - 1))
        let start = blocks[..<range.lowerBound].reduce(0) { $0 + $1.text.utf8.count + 2 }
        let length = blocks[range].reduce(0) { $0 + $1.text.utf8.count + 2 } - 2
        return start..<(start + length)
    }
}

/// Builds ``ExtractedText`` block by block, keeping the heading path and the text limit.
struct BlockWriter {
    let limits: ExtractionLimits
    private(set) var result = ExtractedText()
    private var headings: [(level: Int, text: String)] = []
    private var characters = 0
    private(set) var full = false

    init(limits: ExtractionLimits) {
        self.limits = limits
    }

    /// Adds a heading of `level` (1 = top): headings at that level or deeper end.
    mutating func heading(_ text: String, level: Int, page: Int? = nil) {
        let text = Self.normalized(text)
        guard !text.isEmpty else { return }
        headings.removeAll { $0.level >= level }
        append(ExtractedText.Block(kind: .heading(level: level), text: text, headingPath: headings.map(\.text), page: page))
        headings.append((level, text))
    }

    mutating func paragraph(_ text: String, page: Int? = nil) {
        let text = Self.normalized(text)
        guard !text.isEmpty else { return }
        append(ExtractedText.Block(kind: .paragraph, text: text, headingPath: headings.map(\.text), page: page))
    }

    mutating func problem(_ text: String) {
        if result.problems.count < 100 { result.problems.append(text) }
    }

    private mutating func append(_ block: ExtractedText.Block) {
        guard !full else { return }
        var block = block
        if characters + block.text.count > limits.maxCharacters {
            block.text = String(block.text.prefix(max(0, limits.maxCharacters - characters)))
            full = true
            problem("the text was cut at \(limits.maxCharacters) characters")
        }
        characters += block.text.count
        if !block.text.isEmpty { result.blocks.append(block) }
    }

    /// Runs of white space (line breaks inside a paragraph included) as one space; control
    /// characters dropped, and combining marks with nothing to combine with (at the start or
    /// after a space, where they would join the space to the next word).
    static func normalized(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace || scalar == "\u{00A0}" {
                pendingSpace = !output.isEmpty
            } else if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                continue
            } else if output.isEmpty || pendingSpace, [.nonspacingMark, .spacingMark, .enclosingMark].contains(scalar.properties.generalCategory) {
                continue
            } else {
                if pendingSpace { output.unicodeScalars.append(" ") }
                pendingSpace = false
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}

/// What one extraction may take and give.
public struct ExtractionLimits: Sendable, Hashable {
    /// The largest input, in bytes. Default: 64 MiB.
    public var maxInputBytes: Int
    /// The largest part unpacked from an archive (DOCX, ODT), in bytes: a zip bomb stops
    /// here. Default: 64 MiB.
    public var maxUnpackedBytes: Int
    /// The most text kept, in characters; the rest is cut and reported. Default: 5,000,000.
    public var maxCharacters: Int

    public init(maxInputBytes: Int = 64 << 20, maxUnpackedBytes: Int = 64 << 20, maxCharacters: Int = 5_000_000) {
        self.maxInputBytes = maxInputBytes
        self.maxUnpackedBytes = maxUnpackedBytes
        self.maxCharacters = maxCharacters
    }
}

/// Why a document gave no text.
public struct ExtractionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
