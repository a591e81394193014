import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Why an XML body was refused.
public struct XMLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a stable code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case tooLarge = "too-large"
            case documentTypeDeclaration = "document-type-declaration"
            case malformed
            case truncated
            case tooDeep = "too-deep"
            case tooManyElements = "too-many-elements"
            case unexpectedRoot = "unexpected-root"
            case unsupportedEncoding = "unsupported-encoding"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The body is larger than ``XMLLimits/maxBodySize``.
        public static let tooLarge = Code(.tooLarge)
        /// The body has a `<!DOCTYPE` or `<!ENTITY`: refused before parsing (no entity expansion, internal or external).
        public static let documentTypeDeclaration = Code(.documentTypeDeclaration)
        /// The XML is not well-formed.
        public static let malformed = Code(.malformed)
        /// The document ended before its root element closed.
        public static let truncated = Code(.truncated)
        /// Elements nest deeper than ``XMLLimits/maxDepth``.
        public static let tooDeep = Code(.tooDeep)
        /// The body has more elements than ``XMLLimits/maxElements``.
        public static let tooManyElements = Code(.tooManyElements)
        /// The root element is not the one expected.
        public static let unexpectedRoot = Code(.unexpectedRoot)
        /// The body is not UTF-8 (with or without a byte order mark), or declares another
        /// encoding: refused, so that what the checks read is what the parser reads.
        public static let unsupportedEncoding = Code(.unsupportedEncoding)

        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// A short explanation (never the body itself).
    public var hint: String

    /// Creates an error.
    public init(_ code: Code, hint: String) {
        self.code = code
        self.hint = hint
    }

    public var description: String { "\(code): \(hint)" }
}

/// Bounds on the XML a server may send.
public struct XMLLimits: Sendable, Hashable {
    /// The largest body, in bytes. Default: 64 MiB.
    public var maxBodySize: Int
    /// The deepest element nesting. Default: 64.
    public var maxDepth: Int
    /// The most elements. Default: 2,000,000.
    public var maxElements: Int

    /// Creates limits.
    public init(maxBodySize: Int = 64 << 20, maxDepth: Int = 64, maxElements: Int = 2_000_000) {
        self.maxBodySize = maxBodySize
        self.maxDepth = maxDepth
        self.maxElements = maxElements
    }
}

/// Parses an XML body into an ``XMLElement`` tree, safely: a size limit, no DTD at all
/// (FoundationXML spends seconds on a small document that repeats an internal entity),
/// depth and element limits, and a check that the root element closed (XMLParser
/// reports success for a truncated document).
public struct XMLDocumentParser: Sendable {
    /// The bounds in force.
    public var limits: XMLLimits

    /// Creates a parser.
    public init(limits: XMLLimits = XMLLimits()) { self.limits = limits }

    /// The root element of `body`.
    public func parse(_ body: [UInt8]) throws(XMLError) -> XMLElement {
        guard body.count <= limits.maxBodySize else {
            throw XMLError(.tooLarge, hint: "body has \(body.count) bytes, the limit is \(limits.maxBodySize)")
        }
        // Only UTF-8 is read: libxml2 would decode UTF-16 (found by its NUL bytes) or a
        // declared UTF-7 and see a DOCTYPE the byte scan below cannot. With UTF-8 the
        // bytes scanned are the characters parsed. FoundationXML also crashes on an
        // element name that is not valid UTF-8 (found by fuzzing).
        guard String(validating: body, as: UTF8.self) != nil else {
            throw XMLError(.unsupportedEncoding, hint: "the body is not valid UTF-8")
        }
        if let offset = body.firstIndex(of: 0) {
            throw XMLError(.unsupportedEncoding, hint: "NUL byte at offset \(offset): UTF-16 and UTF-32 are refused")
        }
        if let encoding = Self.declaredEncoding(body), !["utf-8", "utf8", "us-ascii"].contains(encoding.lowercased()) {
            throw XMLError(.unsupportedEncoding, hint: "the body declares encoding \(encoding.prefix(40)); only UTF-8 is read")
        }
        if Self.containsDeclaration(body) {
            throw XMLError(.documentTypeDeclaration, hint: "DOCTYPE and ENTITY declarations are refused")
        }
        // FoundationXML crashes on a processing instruction without data (`<?x?>`), found
        // by fuzzing. DAV servers send no processing instructions.
        if let offset = Self.processingInstructionOffset(body) {
            throw XMLError(.malformed, hint: "processing instruction at byte \(offset) refused")
        }
        let parser = XMLParser(data: Data(body))
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        let builder = TreeBuilder(limits: limits)
        parser.delegate = builder
        let succeeded = parser.parse()
        if let error = builder.error { throw error }
        guard succeeded else {
            throw XMLError(.malformed, hint: parser.parserError.map { "\($0.localizedDescription)" } ?? "not well-formed")
        }
        guard let root = builder.root, builder.stack.isEmpty else {
            throw XMLError(.truncated, hint: "the document ended before its root element closed")
        }
        return root
    }

    /// Where a processing instruction (`<?`) other than a leading XML declaration starts.
    static func processingInstructionOffset(_ body: [UInt8]) -> Int? {
        var start = 0
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        while start < body.count, [0x20, 0x09, 0x0D, 0x0A].contains(body[start]) { start += 1 }
        if body[start...].starts(with: Array("<?xml".utf8)), start + 5 < body.count, [0x20, 0x09, 0x0D, 0x0A].contains(body[start + 5]) {
            guard let end = (start..<(body.count - 1)).first(where: { body[$0] == UInt8(ascii: "?") && body[$0 + 1] == UInt8(ascii: ">") }) else {
                return start
            }
            // A declaration holds no markup: a `<` before its `?>` starts another instruction.
            if let markup = body[(start + 5)..<end].firstIndex(of: UInt8(ascii: "<")) { return markup }
            start = end + 2
        }
        guard start < body.count - 1 else { return nil }
        return (start..<(body.count - 1)).first { body[$0] == UInt8(ascii: "<") && body[$0 + 1] == UInt8(ascii: "?") }
    }

    /// The `encoding` of a leading XML declaration (`<?xml version="1.0" encoding="…"?>`),
    /// if it names one.
    static func declaredEncoding(_ body: [UInt8]) -> String? {
        var start = body.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while start < body.count, [0x20, 0x09, 0x0D, 0x0A].contains(body[start]) { start += 1 }
        guard body[start...].starts(with: Array("<?xml".utf8)) else { return nil }
        let declaration = body[start...].prefix(while: { $0 != UInt8(ascii: ">") })
        let text = String(decoding: declaration, as: UTF8.self)
        guard let name = text.range(of: "encoding") else { return nil }
        let rest = text[name.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return String(rest.prefix(40)) }
        return String(rest.dropFirst().prefix { $0 != quote })
    }

    /// Whether the bytes hold `<!DOCTYPE` or `<!ENTITY` (case-insensitive).
    static func containsDeclaration(_ body: [UInt8]) -> Bool {
        let markers: [[UInt8]] = [Array("<!DOCTYPE".utf8), Array("<!ENTITY".utf8)]
        guard body.count >= 8 else { return false }
        for index in 0..<(body.count - 1) where body[index] == UInt8(ascii: "<") && body[index + 1] == UInt8(ascii: "!") {
            for marker in markers where index + marker.count <= body.count {
                var matches = true
                for offset in 2..<marker.count {
                    let byte = body[index + offset]
                    let lower = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 32 : byte
                    if lower != marker[offset] { matches = false; break }
                }
                if matches { return true }
            }
        }
        return false
    }
}

/// Builds the tree from XMLParser's callbacks.
///
/// `@unchecked Sendable` is not claimed: the builder lives on the parsing thread only
/// and is dropped when `parse` returns.
private final class TreeBuilder: NSObject, XMLParserDelegate {
    let limits: XMLLimits
    var stack: [XMLElement] = []
    var root: XMLElement?
    var error: XMLError?
    var elements = 0

    init(limits: XMLLimits) { self.limits = limits }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        elements += 1
        if elements > limits.maxElements {
            fail(parser, XMLError(.tooManyElements, hint: "more than \(limits.maxElements) elements"))
            return
        }
        if stack.count >= limits.maxDepth {
            fail(parser, XMLError(.tooDeep, hint: "elements nest deeper than \(limits.maxDepth)"))
            return
        }
        var attributeNames: [QualifiedName: String] = [:]
        for (key, value) in attributes { attributeNames[QualifiedName("", key)] = value }
        var element = XMLElement(name: QualifiedName(namespaceURI ?? "", elementName), attributes: attributeNames)
        element.offsetInParentText = stack.last?.text.utf8.count ?? 0
        stack.append(element)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard let element = stack.popLast() else { return }
        if stack.isEmpty {
            root = element
        } else {
            stack[stack.count - 1].children.append(element)
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
    }

    // A second guard behind the byte scan: any declaration the parser itself reports ends
    // the parse before an entity is expanded.
    func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
        fail(parser, XMLError(.documentTypeDeclaration, hint: "ENTITY declarations are refused"))
    }

    func parser(_ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?, systemID: String?) {
        fail(parser, XMLError(.documentTypeDeclaration, hint: "ENTITY declarations are refused"))
    }

    func parser(_ parser: XMLParser, foundElementDeclarationWithName elementName: String, model: String) {
        fail(parser, XMLError(.documentTypeDeclaration, hint: "DOCTYPE declarations are refused"))
    }

    private func fail(_ parser: XMLParser, _ error: XMLError) {
        if self.error == nil { self.error = error }
        parser.abortParsing()
    }
}
