/// A property parameter (`TZID=Europe/Berlin`, `TYPE=work,voice`, `CN="Doe, Jane"`).
///
/// The value is kept exactly as written (quotes, commas and RFC 6868 caret escapes
/// included) so that a parse and a serialization give back the same text; ``values``
/// decodes it on access.
public struct Parameter: Sendable, Hashable {
    /// The parameter name, upper case (`TZID`, `X-FOO`).
    public var name: String
    /// The value text exactly as it appears after `=`, or `nil` for a vCard 2.1 style
    /// parameter without `=` (`TEL;HOME:…`).
    public var rawValue: String?

    /// Creates a parameter from already-encoded text.
    public init(name: String, rawValue: String?) {
        self.name = name
        self.rawValue = rawValue
    }

    /// Creates a parameter from decoded values, quoting and caret-escaping as needed.
    public init(name: String, values: [String]) {
        self.name = name
        self.rawValue = values.map(Parameter.encode).joined(separator: ",")
    }

    /// Creates a single-valued parameter.
    public init(name: String, value: String) {
        self.init(name: name, values: [value])
    }

    /// The decoded values: split at commas outside quotes, unquoted, RFC 6868 decoded.
    public var values: [String] {
        guard let rawValue else { return [] }
        if Parameter.isPlain(rawValue) { return [rawValue] }
        var result: [String] = []
        var current = ""
        var inQuotes = false
        for character in rawValue {
            switch character {
            case "\"":
                inQuotes.toggle()
            case "," where !inQuotes:
                result.append(Parameter.decodeCarets(current))
                current = ""
            default:
                current.append(character)
            }
        }
        result.append(Parameter.decodeCarets(current))
        return result
    }

    /// The first decoded value, or `nil` when there is none.
    public var value: String? {
        guard let rawValue else { return nil }
        return Parameter.isPlain(rawValue) ? rawValue : values.first
    }

    /// Whether raw text needs no decoding: no quotes, commas or carets.
    private static func isPlain(_ raw: String) -> Bool {
        !raw.utf8.contains { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "^") }
    }

    /// Encodes one value: RFC 6868 caret escapes, and quotes when it holds `:`, `;` or `,`.
    static func encode(_ value: String) -> String {
        var needsQuotes = false
        var encoded = ""
        for character in value {
            switch character {
            case "^": encoded += "^^"
            case "\n", "\r\n", "\r": encoded += "^n"
            case "\"": encoded += "^'"
            case ":", ";", ",": needsQuotes = true; encoded.append(character)
            default: encoded.append(character)
            }
        }
        return needsQuotes ? "\"\(encoded)\"" : encoded
    }

    /// Decodes RFC 6868 escapes (`^n`, `^^`, `^'`); any other `^` stays as written.
    static func decodeCarets(_ text: String) -> String {
        guard text.contains("^") else { return text }
        var result = ""
        var iterator = text.makeIterator()
        while let character = iterator.next() {
            guard character == "^" else { result.append(character); continue }
            switch iterator.next() {
            case "n"?, "N"?: result.append("\n")
            case "^"?: result.append("^")
            case "'"?: result.append("\"")
            case let other?: result.append("^"); result.append(other)
            case nil: result.append("^")
            }
        }
        return result
    }
}
