public import Foundation

/// Why a model or its tokenizer could not be read.
public struct EmbeddingModelError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// BERT's tokenizer as Hugging Face's `tokenizers` runs it from a `tokenizer.json` with a
/// `BertNormalizer`, a `BertPreTokenizer` and a `WordPiece` model: text cleaned (control
/// characters dropped, white space made spaces), CJK characters set apart, accents
/// stripped and letters lowercased (as the file says), split at white space and
/// punctuation, each word cut greedily into the longest pieces the vocabulary has
/// (continuations prefixed `##`), a word with no such cut or longer than 100 characters
/// `[UNK]`; then `[CLS] … [SEP]`, cut to `maxLength`.
public struct WordPieceTokenizer: Sendable {
    private let vocabulary: [String: Int32]
    private let continuationPrefix: String
    private let maxWordCharacters: Int
    private let lowercase: Bool
    private let stripAccents: Bool
    public let unknownID: Int32
    public let classID: Int32
    public let separatorID: Int32
    public let paddingID: Int32

    /// Reads `tokenizer.json`.
    public init(json: Data) throws(EmbeddingModelError) {
        let root: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: json) as? [String: Any] else { throw EmbeddingModelError("tokenizer.json is not an object") }
            root = object
        } catch let error as EmbeddingModelError {
            throw error
        } catch {
            throw EmbeddingModelError("tokenizer.json: \(error)")
        }
        guard let model = root["model"] as? [String: Any], model["type"] as? String == "WordPiece",
              let vocab = model["vocab"] as? [String: Any]
        else { throw EmbeddingModelError("tokenizer.json: not a WordPiece model") }
        var vocabulary: [String: Int32] = [:]
        vocabulary.reserveCapacity(vocab.count)
        for (token, id) in vocab {
            guard let id = (id as? NSNumber)?.int32Value else { throw EmbeddingModelError("tokenizer.json: the id of \(token) is not a number") }
            vocabulary[token] = id
        }
        self.vocabulary = vocabulary
        continuationPrefix = model["continuing_subword_prefix"] as? String ?? "##"
        maxWordCharacters = (model["max_input_chars_per_word"] as? NSNumber)?.intValue ?? 100
        let normalizer = root["normalizer"] as? [String: Any]
        guard normalizer == nil || normalizer?["type"] as? String == "BertNormalizer" else {
            throw EmbeddingModelError("tokenizer.json: a normalizer other than BertNormalizer")
        }
        lowercase = normalizer?["lowercase"] as? Bool ?? true
        // `null` follows `lowercase`, as in `tokenizers`.
        stripAccents = normalizer?["strip_accents"] as? Bool ?? lowercase
        func id(_ token: String) throws(EmbeddingModelError) -> Int32 {
            guard let id = vocabulary[token] else { throw EmbeddingModelError("tokenizer.json: no \(token) in the vocabulary") }
            return id
        }
        unknownID = try id(model["unk_token"] as? String ?? "[UNK]")
        classID = try id("[CLS]")
        separatorID = try id("[SEP]")
        paddingID = try id("[PAD]")
    }

    /// The ids of `text` between `[CLS]` and `[SEP]`, at most `maxLength` in all.
    public func encode(_ text: String, maxLength: Int = 256) -> [Int32] {
        var ids: [Int32] = [classID]
        let room = max(0, maxLength - 2)
        for word in words(normalized(text)) {
            for id in pieces(word) {
                guard ids.count - 1 < room else { break }
                ids.append(id)
            }
            if ids.count - 1 >= room { break }
        }
        ids.append(separatorID)
        return ids
    }

    /// The word's pieces, or `[UNK]`.
    private func pieces(_ word: [Unicode.Scalar]) -> [Int32] {
        guard word.count <= maxWordCharacters else { return [unknownID] }
        var ids: [Int32] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int32?
            while start < end {
                var candidate = start > 0 ? continuationPrefix : ""
                candidate.unicodeScalars.append(contentsOf: word[start..<end])
                if let id = vocabulary[candidate] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let found else { return [unknownID] }
            ids.append(found)
            start = end
        }
        return ids
    }

    /// BertNormalizer: clean, set CJK apart, strip accents, lowercase.
    func normalized(_ text: String) -> [Unicode.Scalar] {
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value == 0 || scalar.value == 0xFFFD || Self.isControl(scalar) { continue }
            if Self.isWhitespace(scalar) {
                cleaned.append(" ")
            } else if Self.isChinese(scalar) {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        var result = String(cleaned)
        if stripAccents {
            result = String(String.UnicodeScalarView(result.decomposedStringWithCanonicalMapping.unicodeScalars.filter {
                $0.properties.generalCategory != .nonspacingMark
            }))
        }
        if lowercase {
            var lowered = String.UnicodeScalarView()
            for scalar in result.unicodeScalars { lowered.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars) }
            return Array(lowered)
        }
        return Array(result.unicodeScalars)
    }

    /// BertPreTokenizer: words split at white space, each punctuation character a word.
    func words(_ scalars: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for scalar in scalars {
            if scalar.properties.isWhitespace {
                if !current.isEmpty { words.append(current) }
                current = []
            } else if Self.isPunctuation(scalar) {
                if !current.isEmpty { words.append(current) }
                words.append([scalar])
                current = []
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar.properties.isWhitespace
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar != "\t", scalar != "\n", scalar != "\r" else { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return true
        default: return false
        }
    }

    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII, (0x21...0x2F).contains(scalar.value) || (0x3A...0x40).contains(scalar.value)
            || (0x5B...0x60).contains(scalar.value) || (0x7B...0x7E).contains(scalar.value) {
            return true
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    static func isChinese(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF,
             0x2F800...0x2FA1F:
            true
        default:
            false
        }
    }
}
