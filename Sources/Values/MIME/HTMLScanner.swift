/// HTML read as a stream of tokens, leniently and without a DOM: text (character references
/// kept as written), start tags with their attributes (names lower-cased, values decoded),
/// end tags, and a `<` that starts no markup. Comments, declarations and processing
/// instructions are skipped, and so are elements that are never text to a reader (scripts,
/// styles, frames, forms' controls, `head`…), with everything they enclose. Both
/// ``HTMLSanitizer`` and ``HTMLText`` read HTML through it.
public struct HTMLScanner {
    public enum Token: Equatable {
        case text(ArraySlice<UInt8>)
        case start(name: String, attributes: [(String, String)])
        case end(name: String)
        case loneLessThan

        public static func == (lhs: Token, rhs: Token) -> Bool {
            switch (lhs, rhs) {
            case (.text(let a), .text(let b)): a.elementsEqual(b)
            case (.start(let a, let x), .start(let b, let y)): a == b && x.elementsEqual(y, by: ==)
            case (.end(let a), .end(let b)): a == b
            case (.loneLessThan, .loneLessThan): true
            default: false
            }
        }
    }

    /// Tags dropped together with everything they enclose.
    public static let droppedWithContent: Set<String> = [
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "noscript", "template", "title", "head", "svg",
        "math", "textarea", "select", "option", "button", "xmp", "plaintext", "noembed", "noframes",
    ]

    let input: [UInt8]
    var index = 0

    public init(_ input: [UInt8]) {
        self.input = input
    }

    /// The next token; `nil` at the end.
    public mutating func next() -> Token? {
        while index < input.count {
            if input[index] != UInt8(ascii: "<") {
                let start = index
                index = input[index...].firstIndex(of: UInt8(ascii: "<")) ?? input.count
                return .text(input[start..<index])
            }
            if let token = markup() { return token }
        }
        return nil
    }

    /// At `<`: a comment, a declaration, an end tag, a start tag, or a lone `<`; `nil` for
    /// what is skipped.
    private mutating func markup() -> Token? {
        let next = index + 1 < input.count ? input[index + 1] : 0
        if next == UInt8(ascii: "!") || next == UInt8(ascii: "?") {
            if input[index...].starts(with: Array("<!--".utf8)) {
                index = end(of: Array("-->".utf8), from: index + 4)
            } else {
                index = end(of: [UInt8(ascii: ">")], from: index + 2)
            }
            return nil
        }
        if next == UInt8(ascii: "/") {
            index += 2
            let name = tagName()
            index = end(of: [UInt8(ascii: ">")], from: index)
            return .end(name: name)
        }
        guard Self.isLetter(next) else {
            index += 1
            return .loneLessThan
        }
        index += 1
        let name = tagName()
        let attributes = attributeList()
        if Self.droppedWithContent.contains(name) {
            index = endTag(name)
            return nil
        }
        return .start(name: name, attributes: attributes)
    }

    /// A tag name, lower-cased (letters, digits, `-`, `:`).
    private mutating func tagName() -> String {
        let start = index
        while index < input.count, Self.isLetter(input[index]) || Self.isDigit(input[index]) || input[index] == UInt8(ascii: "-") || input[index] == UInt8(ascii: ":") {
            index += 1
        }
        return String(decoding: input[start..<index], as: UTF8.self).lowercased()
    }

    /// The attributes up to the tag's `>` (which is consumed), names lower-cased and
    /// values with their character references decoded.
    private mutating func attributeList() -> [(String, String)] {
        var attributes: [(String, String)] = []
        while index < input.count {
            while index < input.count, Self.isSpace(input[index]) || input[index] == UInt8(ascii: "/") { index += 1 }
            guard index < input.count else { break }
            if input[index] == UInt8(ascii: ">") {
                index += 1
                break
            }
            let start = index
            while index < input.count, !Self.isSpace(input[index]), ![UInt8(ascii: "="), UInt8(ascii: ">"), UInt8(ascii: "/")].contains(input[index]) {
                index += 1
            }
            let name = String(decoding: input[start..<index], as: UTF8.self).lowercased()
            if index == start { index += 1; continue }
            while index < input.count, Self.isSpace(input[index]) { index += 1 }
            var value = ""
            if index < input.count, input[index] == UInt8(ascii: "=") {
                index += 1
                while index < input.count, Self.isSpace(input[index]) { index += 1 }
                if index < input.count, input[index] == UInt8(ascii: "\"") || input[index] == UInt8(ascii: "'") {
                    let quote = input[index]
                    let valueStart = index + 1
                    index = valueStart
                    while index < input.count, input[index] != quote { index += 1 }
                    value = String(decoding: input[valueStart..<min(index, input.count)], as: UTF8.self)
                    index = min(index + 1, input.count)
                } else {
                    let valueStart = index
                    while index < input.count, !Self.isSpace(input[index]), input[index] != UInt8(ascii: ">") { index += 1 }
                    value = String(decoding: input[valueStart..<index], as: UTF8.self)
                }
            }
            attributes.append((name, Self.decodeReferences(value)))
        }
        return attributes
    }

    /// Where the element `name` (dropped with its content) ends: after its end tag, or at
    /// the end of the input.
    private func endTag(_ name: String) -> Int {
        let closing = Array("</\(name)".utf8)
        var position = index
        while position < input.count {
            guard let found = input[position...].firstIndex(of: UInt8(ascii: "<")) else { return input.count }
            let candidate = input[found..<min(found + closing.count, input.count)].map { $0 | (Self.isLetter($0) ? 0x20 : 0) }
            if candidate == closing {
                return end(of: [UInt8(ascii: ">")], from: found + closing.count)
            }
            position = found + 1
        }
        return input.count
    }

    /// The index after the next `marker` from `start`, or the end of the input.
    private func end(of marker: [UInt8], from start: Int) -> Int {
        var position = start
        while position + marker.count <= input.count {
            if input[position..<(position + marker.count)].elementsEqual(marker) { return position + marker.count }
            position += 1
        }
        return input.count
    }

    /// `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&#NN;` and `&#xNN;` decoded; other
    /// references stay as written.
    public static func decodeReferences(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        var rest = Substring(text)
        while let ampersand = rest.firstIndex(of: "&") {
            result += rest[..<ampersand]
            rest = rest[ampersand...]
            guard let semicolon = rest.prefix(12).firstIndex(of: ";") else {
                result += "&"
                rest = rest.dropFirst()
                continue
            }
            let name = rest[rest.index(after: rest.startIndex)..<semicolon]
            let named: [Substring: String] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'"]
            var decoded: String?
            if let character = named[name] {
                decoded = character
            } else if name.hasPrefix("#x") || name.hasPrefix("#X"), let value = UInt32(name.dropFirst(2), radix: 16), let scalar = Unicode.Scalar(value) {
                decoded = String(Character(scalar))
            } else if name.hasPrefix("#"), let value = UInt32(name.dropFirst()), let scalar = Unicode.Scalar(value) {
                decoded = String(Character(scalar))
            }
            if let decoded {
                result += decoded
                rest = rest[rest.index(after: semicolon)...]
            } else {
                result += "&"
                rest = rest.dropFirst()
            }
        }
        return result + rest
    }

    static func isLetter(_ byte: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) }
    static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    static func isSpace(_ byte: UInt8) -> Bool { [0x20, 0x09, 0x0A, 0x0C, 0x0D].contains(byte) }
}
