/// A message's HTML made safe to show inside a page (RFC 2557 mail is not trusted content):
/// the output is written anew from an allowlist, never copied through. It keeps text and
/// formatting (paragraphs, emphasis, lists, quotes, tables, headings, links to `http`,
/// `https` and `mailto`) and drops everything else: scripts, styles, frames, forms, images
/// (remote ones would tell the sender the message was read), event attributes, comments.
/// Text between tags keeps its entities; a lone `<` becomes `&lt;`. Open tags are closed.
public enum HTMLSanitizer {
    /// The safe form of `html`.
    public static func sanitize(_ html: String) -> String {
        var writer = Writer(input: Array(html.utf8))
        writer.run()
        return writer.output
    }

    /// Tags kept (without attributes unless listed in ``allowedAttributes``).
    static let allowedTags: Set<String> = [
        "a", "b", "i", "u", "s", "em", "strong", "small", "sub", "sup", "p", "br", "div", "span", "ul", "ol", "li", "dl", "dt", "dd",
        "blockquote", "pre", "code", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption",
    ]
    /// Tags that never enclose anything.
    static let voidTags: Set<String> = ["br", "hr"]
    /// Tags dropped together with everything they enclose.
    static let droppedWithContent: Set<String> = [
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "noscript", "template", "title", "head", "svg",
        "math", "textarea", "select", "option", "button", "xmp", "plaintext", "noembed", "noframes",
    ]
    static let allowedAttributes: [String: Set<String>] = ["a": ["href", "title"], "td": ["colspan", "rowspan"], "th": ["colspan", "rowspan"]]
    static let linkSchemes = ["http:", "https:", "mailto:"]
    /// Open tags kept at most; deeper ones are dropped (their text stays).
    static let maxDepth = 128

    private struct Writer {
        let input: [UInt8]
        var index = 0
        var bytes: [UInt8] = []
        var open: [String] = []

        init(input: [UInt8]) {
            self.input = input
            bytes.reserveCapacity(input.count)
        }

        var output: String { String(decoding: bytes, as: UTF8.self) }

        mutating func run() {
            while index < input.count {
                let byte = input[index]
                if byte == UInt8(ascii: "<") {
                    markup()
                } else {
                    if byte == UInt8(ascii: ">") { bytes.append(contentsOf: Array("&gt;".utf8)) } else { bytes.append(byte) }
                    index += 1
                }
            }
            for tag in open.reversed() { bytes.append(contentsOf: Array("</\(tag)>".utf8)) }
        }

        /// At `<`: a comment, a declaration, an end tag, a start tag, or a lone `<`.
        mutating func markup() {
            let next = index + 1 < input.count ? input[index + 1] : 0
            if next == UInt8(ascii: "!") || next == UInt8(ascii: "?") {
                if input[index...].starts(with: Array("<!--".utf8)) {
                    index = end(of: Array("-->".utf8), from: index + 4)
                } else {
                    index = end(of: [UInt8(ascii: ">")], from: index + 2)
                }
                return
            }
            if next == UInt8(ascii: "/") {
                index += 2
                let name = tagName()
                index = end(of: [UInt8(ascii: ">")], from: index)
                if let position = open.lastIndex(of: name) {
                    for tag in open[position...].reversed() { bytes.append(contentsOf: Array("</\(tag)>".utf8)) }
                    open.removeSubrange(position...)
                }
                return
            }
            guard Self.isLetter(next) else {
                bytes.append(contentsOf: Array("&lt;".utf8))
                index += 1
                return
            }
            index += 1
            let name = tagName()
            let attributes = attributeList()
            if HTMLSanitizer.droppedWithContent.contains(name) {
                index = endTag(name)
                return
            }
            guard HTMLSanitizer.allowedTags.contains(name), open.count < HTMLSanitizer.maxDepth else { return }
            var tag = "<" + name
            for (attribute, value) in attributes where HTMLSanitizer.allowedAttributes[name]?.contains(attribute) == true {
                guard let kept = Self.keptValue(attribute, value) else { continue }
                tag += " \(attribute)=\"\(Self.escape(kept))\""
            }
            if name == "a" { tag += " rel=\"noopener noreferrer nofollow\"" }
            bytes.append(contentsOf: Array((tag + ">").utf8))
            if !HTMLSanitizer.voidTags.contains(name) { open.append(name) }
        }

        /// A tag name, lower-cased (letters, digits, `-`, `:`).
        mutating func tagName() -> String {
            let start = index
            while index < input.count, Self.isLetter(input[index]) || Self.isDigit(input[index]) || input[index] == UInt8(ascii: "-") || input[index] == UInt8(ascii: ":") {
                index += 1
            }
            return String(decoding: input[start..<index], as: UTF8.self).lowercased()
        }

        /// The attributes up to the tag's `>` (which is consumed), names lower-cased and
        /// values with their character references decoded.
        mutating func attributeList() -> [(String, String)] {
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
        func endTag(_ name: String) -> Int {
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
        func end(of marker: [UInt8], from start: Int) -> Int {
            var position = start
            while position + marker.count <= input.count {
                if input[position..<(position + marker.count)].elementsEqual(marker) { return position + marker.count }
                position += 1
            }
            return input.count
        }

        /// An attribute's value if it is safe to keep: a link only to an allowed scheme (or a
        /// relative fragment), spans only as small numbers.
        static func keptValue(_ attribute: String, _ value: String) -> String? {
            switch attribute {
            case "href":
                let compact = String(value.unicodeScalars.filter { $0.value > 0x20 && $0.value != 0x7F }.map(Character.init)).lowercased()
                return HTMLSanitizer.linkSchemes.contains(where: compact.hasPrefix) ? value : nil
            case "colspan", "rowspan":
                guard let number = Int(value), (1...100).contains(number) else { return nil }
                return String(number)
            default:
                return value
            }
        }

        /// `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&#NN;` and `&#xNN;` decoded; other
        /// references stay as written.
        static func decodeReferences(_ text: String) -> String {
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

        static func escape(_ text: String) -> String {
            var escaped = ""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "&": escaped += "&amp;"
                case "<": escaped += "&lt;"
                case ">": escaped += "&gt;"
                case "\"": escaped += "&quot;"
                case "'": escaped += "&#39;"
                default: escaped.unicodeScalars.append(scalar)
                }
            }
            return escaped
        }

        static func isLetter(_ byte: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) }
        static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        static func isSpace(_ byte: UInt8) -> Bool { [0x20, 0x09, 0x0A, 0x0C, 0x0D].contains(byte) }
    }
}
