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
    static let allowedAttributes: [String: Set<String>] = ["a": ["href", "title"], "td": ["colspan", "rowspan"], "th": ["colspan", "rowspan"]]
    static let linkSchemes = ["http:", "https:", "mailto:"]
    /// Open tags kept at most; deeper ones are dropped (their text stays).
    static let maxDepth = 128

    private struct Writer {
        var scanner: HTMLScanner
        var bytes: [UInt8] = []
        var open: [String] = []

        init(input: [UInt8]) {
            scanner = HTMLScanner(input)
            bytes.reserveCapacity(input.count)
        }

        var output: String { String(decoding: bytes, as: UTF8.self) }

        mutating func run() {
            while let token = scanner.next() {
                switch token {
                case .text(let text):
                    for byte in text {
                        if byte == UInt8(ascii: ">") { bytes.append(contentsOf: Array("&gt;".utf8)) } else { bytes.append(byte) }
                    }
                case .loneLessThan:
                    bytes.append(contentsOf: Array("&lt;".utf8))
                case .end(let name):
                    if let position = open.lastIndex(of: name) {
                        for tag in open[position...].reversed() { bytes.append(contentsOf: Array("</\(tag)>".utf8)) }
                        open.removeSubrange(position...)
                    }
                case .start(let name, let attributes):
                    guard HTMLSanitizer.allowedTags.contains(name), open.count < HTMLSanitizer.maxDepth else { continue }
                    var tag = "<" + name
                    for (attribute, value) in attributes where HTMLSanitizer.allowedAttributes[name]?.contains(attribute) == true {
                        guard let kept = Self.keptValue(attribute, value) else { continue }
                        tag += " \(attribute)=\"\(Self.escape(kept))\""
                    }
                    if name == "a" { tag += " rel=\"noopener noreferrer nofollow\"" }
                    bytes.append(contentsOf: Array((tag + ">").utf8))
                    if !HTMLSanitizer.voidTags.contains(name) { open.append(name) }
                }
            }
            for tag in open.reversed() { bytes.append(contentsOf: Array("</\(tag)>".utf8)) }
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

    }
}
