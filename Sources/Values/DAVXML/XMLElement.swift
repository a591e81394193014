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

    /// The text with leading and trailing white space removed.
    public var trimmedText: String {
        var scalars = Substring(text)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
