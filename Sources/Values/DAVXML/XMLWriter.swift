/// Writes an ``XMLElement`` tree as a request body: UTF-8, a prefix per namespace
/// declared on the root (`d` for DAV:, `c` for CalDAV, `card` for CardDAV, `n0`… for
/// others), text and attribute values escaped.
public enum XMLWriter {
    /// The document text, with an XML declaration.
    public static func document(_ root: XMLElement) -> String {
        var prefixes: [String: String] = [:]
        collectNamespaces(root, into: &prefixes)
        var text = #"<?xml version="1.0" encoding="utf-8"?>"#
        write(root, prefixes: prefixes, isRoot: true, to: &text)
        return text
    }

    private static let knownPrefixes = [
        "DAV:": "d", "urn:ietf:params:xml:ns:caldav": "c", "urn:ietf:params:xml:ns:carddav": "card",
        "http://calendarserver.org/ns/": "cs", "http://apple.com/ns/ical/": "ical",
    ]

    private static func collectNamespaces(_ element: XMLElement, into prefixes: inout [String: String]) {
        let namespace = element.name.namespace
        if !namespace.isEmpty, prefixes[namespace] == nil {
            prefixes[namespace] = knownPrefixes[namespace] ?? "n\(prefixes.count)"
        }
        for child in element.children { collectNamespaces(child, into: &prefixes) }
    }

    private static func write(_ element: XMLElement, prefixes: [String: String], isRoot: Bool, to text: inout String) {
        let name = qualified(element.name, prefixes)
        text += "<" + name
        if isRoot {
            for (namespace, prefix) in prefixes.sorted(by: { $0.value < $1.value }) {
                text += " xmlns:\(prefix)=\"\(escape(namespace, quotes: true))\""
            }
        }
        for (attribute, value) in element.attributes.sorted(by: { $0.key.name < $1.key.name }) {
            text += " \(attribute.name)=\"\(escape(value, quotes: true))\""
        }
        guard !element.children.isEmpty || !element.text.isEmpty else {
            text += "/>"
            return
        }
        text += ">" + escape(element.text, quotes: false)
        for child in element.children { write(child, prefixes: prefixes, isRoot: false, to: &text) }
        text += "</" + name + ">"
    }

    private static func qualified(_ name: QualifiedName, _ prefixes: [String: String]) -> String {
        guard let prefix = prefixes[name.namespace] else { return name.name }
        return prefix + ":" + name.name
    }

    /// Escapes `&`, `<`, `>` (and quotes in attribute values).
    ///
    /// Reads Unicode scalars, not characters: `<` followed by a combining mark is one
    /// `Character` that equals no markup character, and must still be escaped.
    static func escape(_ text: String, quotes: Bool) -> String {
        func isMarkup(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
                || (quotes && (byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")))
        }
        guard text.utf8.contains(where: isMarkup) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"" where quotes: result += "&quot;"
            case "'" where quotes: result += "&apos;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
