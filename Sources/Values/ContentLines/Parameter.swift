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
    ///
    /// Like every escape in this module it reads Unicode scalars: a quote or comma
    /// followed by a combining mark still counts.
    public var values: [String] {
        guard let rawValue else { return [] }
        if Parameter.isPlain(rawValue) { return [rawValue] }
        var result: [String] = []
        var current = ""
        var inQuotes = false
        for scalar in rawValue.unicodeScalars {
            switch scalar {
            case "\"":
                inQuotes.toggle()
            case "," where !inQuotes:
                result.append(Parameter.decodeCarets(current))
                current = ""
            default:
                current.unicodeScalars.append(scalar)
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
        var afterCarriageReturn = false
        for scalar in value.unicodeScalars {
            defer { afterCarriageReturn = scalar == "\r" }
            switch scalar {
            case "^": encoded += "^^"
            case "\r": encoded += "^n"
            case "\n": if !afterCarriageReturn { encoded += "^n" }
            case "\"": encoded += "^'"
            case ":", ";", ",": needsQuotes = true; encoded.unicodeScalars.append(scalar)
            default: encoded.unicodeScalars.append(scalar)
            }
        }
        return needsQuotes ? "\"\(encoded)\"" : encoded
    }

    /// Decodes RFC 6868 escapes (`^n`, `^^`, `^'`); any other `^` stays as written.
    static func decodeCarets(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "^")) else { return text }
        var result = ""
        var iterator = text.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            guard scalar == "^" else { result.unicodeScalars.append(scalar); continue }
            switch iterator.next() {
            case "n"?, "N"?: result.unicodeScalars.append("\n")
            case "^"?: result.unicodeScalars.append("^")
            case "'"?: result.unicodeScalars.append("\"")
            case let other?: result.unicodeScalars.append("^"); result.unicodeScalars.append(other)
            case nil: result.unicodeScalars.append("^")
            }
        }
        return result
    }
}
