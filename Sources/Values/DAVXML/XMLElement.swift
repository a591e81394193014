/// A namespace-qualified XML name (`{DAV:}href`).
public struct QualifiedName: Sendable, Hashable, CustomStringConvertible {
    /// The namespace URI; empty for an element in no namespace.
    public var namespace: String
    /// The local name.
    public var name: String

    /// Creates a name.
    public init(_ namespace: String, _ name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// `{DAV:}name`.
    public static func dav(_ name: String) -> QualifiedName { QualifiedName("DAV:", name) }
    /// `{urn:ietf:params:xml:ns:caldav}name`.
    public static func caldav(_ name: String) -> QualifiedName { QualifiedName("urn:ietf:params:xml:ns:caldav", name) }
    /// `{urn:ietf:params:xml:ns:carddav}name`.
    public static func carddav(_ name: String) -> QualifiedName { QualifiedName("urn:ietf:params:xml:ns:carddav", name) }

    public var description: String { "{\(namespace)}\(name)" }
}

/// An element of a parsed XML document: its name, attributes, children and text. The
/// prefixes a server chose are gone; names carry their namespaces.
public struct XMLElement: Sendable, Hashable {
    /// The element's name.
    public var name: QualifiedName
    /// Attributes by qualified name.
    public var attributes: [QualifiedName: String]
    /// Child elements, in order.
    public var children: [XMLElement]
    /// The element's own text (character data and CDATA), concatenated.
    public var text: String
    /// Where in its parent's ``text`` this element began (UTF-8 bytes of the parent's text
    /// before it), so mixed content can be read in order (``contents``).
    public var offsetInParentText = 0

    /// Creates an element.
    public init(
        name: QualifiedName, attributes: [QualifiedName: String] = [:], children: [XMLElement] = [], text: String = ""
    ) {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    /// The first child with this name.
    public func child(_ name: QualifiedName) -> XMLElement? { children.first { $0.name == name } }

    /// Every child with this name.
    public func children(_ name: QualifiedName) -> [XMLElement] { children.filter { $0.name == name } }

    /// A part of mixed content.
    public enum Content: Sendable, Hashable {
        case text(Substring)
        case element(XMLElement)
    }

    /// The element's text and children in document order (`a<b/>c` is `a`, `<b/>`, `c`).
    public var contents: [Content] {
        var parts: [Content] = []
        var position = text.startIndex
        for child in children {
            let offset = text.utf8.index(text.startIndex, offsetBy: min(child.offsetInParentText, text.utf8.count))
            if offset > position { parts.append(.text(text[position..<offset])) }
            parts.append(.element(child))
            position = max(position, offset)
        }
        if position < text.endIndex { parts.append(.text(text[position...])) }
        return parts
    }

    /// An attribute by its local name, whatever prefix the document gave it (`w:val` → `val`).
    public func attribute(_ localName: String) -> String? {
        attributes.first { $0.key.name == localName || $0.key.name.hasSuffix(":" + localName) }?.value
    }

    /// The text with leading and trailing white space removed.
    public var trimmedText: String {
        var scalars = Substring(text)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
