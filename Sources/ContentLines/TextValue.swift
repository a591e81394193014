/// The TEXT value escapes shared by iCalendar (RFC 5545 §3.3.11) and vCard
/// (RFC 6350 §3.4): `\\`, `\;`, `\,` and `\n` (or `\N`).
public enum TextValue {
    /// Decodes one TEXT value. Unknown escapes keep the escaped character.
    public static func unescape(_ text: some StringProtocol) -> String {
        guard text.contains("\\") else { return String(text) }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var escaped = false
        for character in text {
            if escaped {
                switch character {
                case "n", "N": result.append("\n")
                default: result.append(character)
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        if escaped { result.append("\\") }
        return result
    }

    /// Encodes one TEXT value.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "\\": result += "\\\\"
            case ";": result += "\\;"
            case ",": result += "\\,"
            case "\n", "\r\n", "\r": result += "\\n"
            default: result.append(character)
            }
        }
        return result
    }

    /// Splits a value at every unescaped `separator`, without decoding the parts.
    public static func split(_ text: some StringProtocol, separator: Character) -> [Substring] {
        let text = Substring(text)
        var parts: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        var escaped = false
        while index < text.endIndex {
            let character = text[index]
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == separator {
                parts.append(text[start..<index])
                start = text.index(after: index)
            }
            index = text.index(after: index)
        }
        parts.append(text[start..<text.endIndex])
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
