/// The TEXT value escapes shared by iCalendar (RFC 5545 §3.3.11) and vCard
/// (RFC 6350 §3.4): `\\`, `\;`, `\,` and `\n` (or `\N`).
public enum TextValue {
    /// Decodes one TEXT value. Unknown escapes keep the escaped character.
    ///
    /// Works on Unicode scalars, not characters: a combining mark after a backslash
    /// must not hide the backslash (`\` + U+0301 is one `Character`).
    public static func unescape(_ text: some StringProtocol) -> String {
        guard text.utf8.contains(UInt8(ascii: "\\")) else { return String(text) }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var escaped = false
        for scalar in text.unicodeScalars {
            if escaped {
                switch scalar {
                case "n", "N": result.unicodeScalars.append("\n")
                default: result.unicodeScalars.append(scalar)
                }
                escaped = false
            } else if scalar == "\\" {
                escaped = true
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        if escaped { result.append("\\") }
        return result
    }

    /// Encodes one TEXT value; every line break (`CRLF`, `LF` or a lone `CR`) becomes `\n`.
    ///
    /// Works on Unicode scalars, not characters: a `,` followed by a combining mark is one
    /// `Character` that equals no delimiter, and must still be escaped.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var afterCarriageReturn = false
        for scalar in text.unicodeScalars {
            defer { afterCarriageReturn = scalar == "\r" }
            switch scalar {
            case "\\": result += "\\\\"
            case ";": result += "\\;"
            case ",": result += "\\,"
            case "\r": result += "\\n"
            case "\n": if !afterCarriageReturn { result += "\\n" }
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// The text with every line break (`CRLF` or a lone `CR`) as `LF`: what a TEXT value
    /// reads back as after ``escape(_:)``. Reads Unicode scalars, like the escapes.
    public static func normalizingLineBreaks(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "\r")) else { return text }
        var result = String.UnicodeScalarView()
        var afterCarriageReturn = false
        for scalar in text.unicodeScalars {
            defer { afterCarriageReturn = scalar == "\r" }
            if scalar == "\r" {
                result.append("\n")
            } else if scalar != "\n" || !afterCarriageReturn {
                result.append(scalar)
            }
        }
        return String(result)
    }

    /// Splits a value at every unescaped `separator`, without decoding the parts.
    /// Works on Unicode scalars, so a separator followed by a combining mark still separates.
    public static func split(_ text: some StringProtocol, separator: Unicode.Scalar) -> [Substring] {
        let text = Substring(text)
        let scalars = text.unicodeScalars
        var parts: [Substring] = []
        var start = scalars.startIndex
        var index = scalars.startIndex
        var escaped = false
        while index < scalars.endIndex {
            let scalar = scalars[index]
            if escaped {
                escaped = false
            } else if scalar == "\\" {
                escaped = true
            } else if scalar == separator {
                parts.append(Substring(scalars[start..<index]))
                start = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        parts.append(Substring(scalars[start..<scalars.endIndex]))
        return parts
    }

    /// Decodes a comma-separated list of TEXT values (`CATEGORIES:a,b\,c` → `["a", "b,c"]`).
    public static func list(_ text: some StringProtocol) -> [String] {
        split(text, separator: ",").map(unescape)
    }

    /// The text with a backslash added before every unescaped `first` or `second` byte,
    /// or `nil` when there is none.
    public static func escapingUnescaped(_ first: UInt8, _ second: UInt8, in text: String) -> String? {
        var text = text
        return text.withUTF8 { bytes -> String? in
            var escaped = false
            var firstOffset: Int?
            for offset in bytes.indices {
                let byte = bytes[offset]
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == first || byte == second {
                    firstOffset = offset
                    break
                }
            }
            guard let firstOffset else { return nil }
            var result = Array(bytes[..<firstOffset])
            result.reserveCapacity(bytes.count + 8)
            escaped = false
            for byte in bytes[firstOffset...] {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == first || byte == second {
                    result.append(UInt8(ascii: "\\"))
                }
                result.append(byte)
            }
            return String(decoding: result, as: UTF8.self)
        }
    }
}
