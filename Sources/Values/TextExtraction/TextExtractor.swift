import DAVXML
public import Foundation
import MIME

/// The formats text is extracted from here. PDF is read by poppler's `pdftotext` (a process,
/// run by the indexer), whose pages come back through ``ExtractedText/pages(_:limits:)``.
public enum DocumentFormat: String, Sendable, Hashable, CaseIterable {
    case plainText = "text"
    case markdown
    case html
    case docx
    case odt
    case pdf

    /// The format a file's name (or, failing that, its media type) says it is.
    public init?(fileName: String, mediaType: String? = nil) {
        let dot = fileName.lastIndex(of: ".").map { fileName.index(after: $0) }
        switch dot.map({ fileName[$0...].lowercased() }) {
        case "txt", "text", "csv", "log": self = .plainText
        case "md", "markdown": self = .markdown
        case "html", "htm", "xhtml": self = .html
        case "docx": self = .docx
        case "odt": self = .odt
        case "pdf": self = .pdf
        default:
            switch mediaType?.lowercased().split(separator: ";").first.map({ $0.trimmingCharacters(in: .whitespaces) }) {
            case "text/plain": self = .plainText
            case "text/markdown": self = .markdown
            case "text/html", "application/xhtml+xml": self = .html
            case "application/vnd.openxmlformats-officedocument.wordprocessingml.document": self = .docx
            case "application/vnd.oasis.opendocument.text": self = .odt
            case "application/pdf": self = .pdf
            default: return nil
            }
        }
    }
}

/// Text with its structure from plain text, Markdown, HTML (what a reader sees: no scripts,
/// styles or markup), DOCX and ODT (paragraphs and headings from the document's XML), within
/// ``ExtractionLimits``. A document that cannot be read gives a typed error; one that reads
/// in part gives what it could with its problems listed.
public struct TextExtractor: Sendable {
    public var limits: ExtractionLimits

    public init(limits: ExtractionLimits = ExtractionLimits()) {
        self.limits = limits
    }

    public func extract(_ bytes: [UInt8], format: DocumentFormat) throws(ExtractionError) -> ExtractedText {
        guard bytes.count <= limits.maxInputBytes else { throw ExtractionError("larger than \(limits.maxInputBytes) bytes") }
        switch format {
        case .plainText: return plainText(Self.decode(bytes))
        case .markdown: return markdown(Self.decode(bytes))
        case .html: return html(bytes)
        case .docx: return try office(bytes, part: "word/document.xml", read: Self.wordBody)
        case .odt: return try office(bytes, part: "content.xml", read: Self.openDocumentBody)
        case .pdf: throw ExtractionError("PDF is read by pdftotext; pass its pages to ExtractedText.pages")
        }
    }

    // MARK: Plain text and Markdown

    /// Paragraphs are separated by blank lines.
    func plainText(_ text: String) -> ExtractedText {
        var writer = BlockWriter(limits: limits)
        for paragraph in Self.paragraphs(text) { writer.paragraph(paragraph) }
        return writer.result
    }

    /// ATX headings (`#`…`######`) and setext headings (underlined `===`/`---`) make the
    /// heading path; fenced code stays one block; list items and quotes are paragraphs with
    /// their markers removed, emphasis and link syntax reduced to their text.
    func markdown(_ text: String) -> ExtractedText {
        var writer = BlockWriter(limits: limits)
        var paragraph: [Substring] = []
        var fence: Substring?
        var code: [Substring] = []
        func flush() {
            if !paragraph.isEmpty { writer.paragraph(Self.inlineMarkdown(paragraph.joined(separator: " "))) }
            paragraph = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map({ $0.hasSuffix("\r") ? $0.dropLast() : $0 }) {
            let trimmed = line.drop { $0 == " " }
            if let open = fence {
                if trimmed.hasPrefix(open) {
                    writer.paragraph(code.joined(separator: "\n"))
                    code = []
                    fence = nil
                } else {
                    code.append(line)
                }
                continue
            }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                flush()
                fence = trimmed.prefix(3)
                continue
            }
            if trimmed.hasPrefix("#") {
                let level = trimmed.prefix { $0 == "#" }.count
                let rest = trimmed.dropFirst(level)
                if level <= 6, rest.isEmpty || rest.first == " " {
                    flush()
                    writer.heading(Self.inlineMarkdown(String(rest.trimmingCharacters(in: CharacterSet(charactersIn: " #")))), level: level)
                    continue
                }
            }
            if !paragraph.isEmpty, !trimmed.isEmpty, trimmed.allSatisfy({ $0 == "=" }) || (trimmed.allSatisfy({ $0 == "-" }) && trimmed.count >= 2) {
                let title = paragraph.joined(separator: " ")
                paragraph = []
                writer.heading(Self.inlineMarkdown(title), level: trimmed.first == "=" ? 1 : 2)
                continue
            }
            if trimmed.isEmpty {
                flush()
                continue
            }
            var content = trimmed
            for marker in ["> ", "- ", "* ", "+ "] where content.hasPrefix(marker) { content = content.dropFirst(marker.count) }
            if let dot = content.firstIndex(of: "."), content[..<dot].allSatisfy(\.isNumber), !content[..<dot].isEmpty,
                content[content.index(after: dot)...].first == " " {
                if !paragraph.isEmpty { flush() }
                content = content[content.index(after: dot)...].dropFirst()
            } else if content.startIndex != trimmed.startIndex, !paragraph.isEmpty {
                flush()
            }
            paragraph.append(content)
        }
        if !code.isEmpty { writer.paragraph(code.joined(separator: "\n")) }
        flush()
        return writer.result
    }

    /// `**a**`, `_a_`, `` `a` ``, `[text](url)` and `![alt](url)` as their text.
    static func inlineMarkdown(_ text: String) -> String {
        var output = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "!" || character == "[" {
                let open = character == "!" ? text.index(after: index) : index
                if open < text.endIndex, text[open] == "[", let close = text[open...].firstIndex(of: "]"),
                    text.index(after: close) < text.endIndex, text[text.index(after: close)] == "(",
                    let end = text[close...].firstIndex(of: ")") {
                    output += text[text.index(after: open)..<close]
                    index = text.index(after: end)
                    continue
                }
            }
            if !"*_`".contains(character) { output.append(character) }
            index = text.index(after: index)
        }
        return output
    }

    static func paragraphs(_ text: String) -> [String] {
        text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n")
    }

    // MARK: HTML

    /// The visible text: headings `h1`–`h6` and block elements (paragraphs, list items, table
    /// cells, line breaks) end blocks; scripts, styles and the head are not text, and neither
    /// is the page's chrome (``isChrome(_:attributes:)``: menus, search boxes, hidden parts),
    /// which would otherwise repeat on every page of a site.
    func html(_ bytes: [UInt8]) -> ExtractedText {
        var writer = BlockWriter(limits: limits)
        var scanner = HTMLScanner(bytes)
        var current: [UInt8] = []
        var heading: Int?
        /// The chrome element being skipped, and how deep in elements of its name.
        var chrome: (name: String, depth: Int)?
        func flush() {
            let text = HTMLScanner.decodeReferences(String(decoding: current, as: UTF8.self)).replacingOccurrences(of: "&nbsp;", with: " ")
            if let heading { writer.heading(text, level: heading) } else { writer.paragraph(text) }
            current = []
        }
        while let token = scanner.next(), !writer.full {
            if let skipped = chrome {
                switch token {
                case .start(let name, _) where name == skipped.name: chrome?.depth += 1
                case .end(let name) where name == skipped.name: chrome = skipped.depth > 1 ? (name, skipped.depth - 1) : nil
                default: break
                }
                continue
            }
            switch token {
            case .text(let text): current += text
            case .loneLessThan: current.append(UInt8(ascii: "<"))
            case .start(let name, let attributes) where Self.isChrome(name, attributes: attributes) && !Self.voidTags.contains(name):
                flush()
                chrome = (name, 1)
            case .start(let name, _):
                if let level = Self.headingLevel(name) {
                    flush()
                    heading = level
                } else if Self.blockTags.contains(name) {
                    flush()
                }
            case .end(let name):
                if Self.headingLevel(name) != nil {
                    flush()
                    heading = nil
                } else if Self.blockTags.contains(name) {
                    flush()
                }
            }
        }
        flush()
        return writer.result
    }

    /// Whether an element is the page's chrome rather than its content: `nav`, an element
    /// whose ARIA role is navigation, search, banner or contentinfo (a site's menus, search
    /// box, header and footer, as Sphinx, MkDocs and most themes mark them), or one that is
    /// hidden (`hidden`, `aria-hidden="true"`).
    static func isChrome(_ name: String, attributes: [(String, String)]) -> Bool {
        if name == "nav" { return true }
        for (attribute, value) in attributes {
            switch attribute {
            case "role" where ["navigation", "search", "banner", "contentinfo"].contains(value.lowercased()): return true
            case "hidden": return true
            case "aria-hidden" where value.lowercased() == "true": return true
            default: continue
            }
        }
        return false
    }

    /// Elements without content or end tag: never skipped as chrome (no end would come).
    static let voidTags: Set<String> = ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]

    static let blockTags: Set<String> = [
        "p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "td", "th", "blockquote", "pre", "section", "article", "header",
        "footer", "nav", "aside", "main", "figure", "figcaption", "hr", "address", "body", "caption",
    ]

    static func headingLevel(_ name: String) -> Int? {
        guard name.count == 2, name.first == "h", let level = Int(name.dropFirst()), (1...6).contains(level) else { return nil }
        return level
    }

    // MARK: Office documents

    /// Reads the XML part `part` of a zip container, within the limits, through `read`.
    func office(_ bytes: [UInt8], part: String, read: (XMLElement, inout BlockWriter) -> Void) throws(ExtractionError) -> ExtractedText {
        guard let xml = try ZipContainer(bytes: bytes).read(part, limit: limits.maxUnpackedBytes) else {
            throw ExtractionError("no \(part) in the container")
        }
        let limit = limits.maxUnpackedBytes
        let root: XMLElement
        do {
            root = try XMLDocumentParser(limits: XMLLimits(maxBodySize: limit, maxDepth: 256)).parse(xml)
        } catch {
            throw ExtractionError("\(part) is not readable XML: \(error)")
        }
        var writer = BlockWriter(limits: limits)
        read(root, &writer)
        return writer.result
    }

    static let word = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

    /// WordprocessingML: every `w:p` (tables' too) in order; the `Title` style and
    /// `Heading1`…`Heading9` (or an outline level) make headings, the title above the rest.
    static func wordBody(_ root: XMLElement, _ writer: inout BlockWriter) {
        func visit(_ element: XMLElement) {
            guard element.name != QualifiedName(word, "p") else {
                var text = ""
                func collect(_ node: XMLElement) {
                    switch node.name {
                    case QualifiedName(word, "t"): text += node.text
                    case QualifiedName(word, "tab"): text += "\t"
                    case QualifiedName(word, "br"), QualifiedName(word, "cr"): text += "\n"
                    case QualifiedName(word, "pPr"), QualifiedName(word, "instrText"), QualifiedName(word, "delText"): return
                    default: break
                    }
                    node.children.forEach(collect)
                }
                collect(element)
                let properties = element.child(QualifiedName(word, "pPr"))
                let style = properties?.child(QualifiedName(word, "pStyle"))?.attribute("val")?.lowercased() ?? ""
                let outline = properties?.child(QualifiedName(word, "outlineLvl"))?.attribute("val").flatMap { Int($0) }
                // The title above the first level of headings.
                if style == "title" {
                    writer.heading(text, level: 1)
                } else if style.hasPrefix("heading"), let level = Int(style.dropFirst("heading".count)) {
                    writer.heading(text, level: min(level, 9) + 1)
                } else if let outline, outline < 9 {
                    writer.heading(text, level: outline + 2)
                } else {
                    writer.paragraph(text)
                }
                return
            }
            element.children.forEach(visit)
        }
        visit(root)
    }

    static let openDocumentText = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"

    /// OpenDocument text: `text:h` (with its outline level) and `text:p`, in order; spaces,
    /// tabs and line breaks as written.
    static func openDocumentBody(_ root: XMLElement, _ writer: inout BlockWriter) {
        func content(_ element: XMLElement) -> String {
            var text = ""
            for part in element.contents {
                guard case .element(let child) = part else {
                    if case .text(let run) = part { text += run }
                    continue
                }
                switch child.name {
                case QualifiedName(openDocumentText, "s"):
                    text += String(repeating: " ", count: child.attribute("c").flatMap { Int($0) }.map { min(max($0, 1), 100) } ?? 1)
                case QualifiedName(openDocumentText, "tab"): text += "\t"
                case QualifiedName(openDocumentText, "line-break"): text += "\n"
                case QualifiedName(openDocumentText, "note"): continue
                default: text += content(child)
                }
            }
            return text
        }
        func visit(_ element: XMLElement) {
            switch element.name {
            case QualifiedName(openDocumentText, "h"):
                let level = element.attribute("outline-level").flatMap { Int($0) } ?? 1
                writer.heading(content(element), level: max(1, min(level, 9)))
            case QualifiedName(openDocumentText, "p"):
                writer.paragraph(content(element))
            default:
                element.children.forEach(visit)
            }
        }
        visit(root)
    }

    /// UTF-8 (a BOM dropped), else Windows-1252, which every byte decodes as.
    static func decode(_ bytes: [UInt8]) -> String {
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        if let text = String(validating: body, as: UTF8.self) { return text }
        return Charset.decode(body, charset: "windows-1252") ?? String(decoding: body, as: UTF8.self)
    }
}

extension ExtractedText {
    /// The text of a paged document (one string per page, as `pdftotext` writes them):
    /// paragraphs by blank lines, each with its page number.
    public static func pages(_ pages: [String], limits: ExtractionLimits = ExtractionLimits()) -> ExtractedText {
        var writer = BlockWriter(limits: limits)
        for (index, page) in pages.enumerated() {
            for paragraph in TextExtractor.paragraphs(page) { writer.paragraph(paragraph, page: index + 1) }
        }
        return writer.result
    }
}
