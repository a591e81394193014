/// A passage of a document for the index: its text, where it is (the headings above it and
/// its page, to cite), and which blocks of the ``ExtractedText`` it came from.
public struct Chunk: Sendable, Hashable {
    /// Its place in the document's chunks, from 0.
    public var index: Int
    public var text: String
    public var headingPath: [String]
    public var page: Int?
    /// The blocks it covers (indices into ``ExtractedText/blocks``).
    public var blocks: ClosedRange<Int>
}

/// Cuts a document into chunks by its structure: a heading starts a new chunk (and opens it),
/// a page break too; paragraphs of one section and page fill a chunk up to `targetWords`, and a
/// paragraph longer than that is cut into windows. Consecutive chunks of one section share
/// `overlapWords` words, so a sentence cut at a boundary is whole in one of them. Words
/// approximate the model's tokens (about 1.3 WordPiece tokens each for English prose).
public struct Chunker: Sendable, Hashable {
    public var targetWords: Int
    public var overlapWords: Int

    public init(targetWords: Int = 180, overlapWords: Int = 30) {
        self.targetWords = max(8, targetWords)
        self.overlapWords = max(0, min(overlapWords, targetWords / 2))
    }

    public func chunks(_ document: ExtractedText) -> [Chunk] {
        var chunks: [Chunk] = []
        var words: [Substring] = []
        // Words not yet in a chunk (the overlap carried over is in one already).
        var pending = 0
        var first = 0
        var last = 0
        var section: (headings: [String], page: Int?)?
        func emit(keepingOverlap: Bool) {
            guard let current = section, pending > 0 else { return }
            pending = 0
            chunks.append(Chunk(index: chunks.count, text: words.joined(separator: " "), headingPath: current.headings, page: current.page,
                                blocks: first...last))
            words = keepingOverlap && overlapWords > 0 ? Array(words.suffix(overlapWords)) : []
            first = last
        }
        for (position, block) in document.blocks.enumerated() {
            let place: (headings: [String], page: Int?)
            if case .heading = block.kind {
                place = (block.headingPath + [block.text], block.page)
            } else {
                place = (block.headingPath, block.page)
            }
            if section.map({ $0.headings != place.headings || $0.page != place.page }) ?? true {
                emit(keepingOverlap: false)
                words = []
                pending = 0
                section = place
                first = position
            }
            last = position
            for word in block.text.split(whereSeparator: \.isWhitespace) {
                words.append(word)
                pending += 1
                if words.count >= targetWords { emit(keepingOverlap: true) }
            }
        }
        emit(keepingOverlap: false)
        return chunks
    }
}
