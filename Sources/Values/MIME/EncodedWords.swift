import Foundation

/// RFC 2047 encoded words in header text: `=?charset?B?…?=` and `=?charset?Q?…?=`.
public enum EncodedWords {
    /// The text with every well-formed encoded word decoded; whitespace between two adjacent
    /// encoded words is dropped (§6.2), anything malformed or in an unknown charset stays as
    /// written.
    ///
    ///     encoded-word = "=?" charset ["*" language] "?" encoding "?" encoded-text "?="
    public static func decode(_ text: String) -> String {
        guard text.contains("=?") else { return text }
        var result = ""
        var rest = Substring(text)
        var previousWasWord = false
        while let start = rest.range(of: "=?") {
            let before = rest[rest.startIndex..<start.lowerBound]
            guard let (decoded, end) = word(in: rest[start.lowerBound...]) else {
                result += rest[rest.startIndex..<start.upperBound]
                previousWasWord = false
                rest = rest[start.upperBound...]
                continue
            }
            // Whitespace between two encoded words is not text.
            if !previousWasWord || !before.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) {
                result += before
            }
            result += decoded
            previousWasWord = true
            rest = rest[end...]
        }
        return result + rest
    }

    /// The encoded word at the start of `text` decoded, and where it ends.
    private static func word(in text: Substring) -> (String, Substring.Index)? {
        let parts = text.dropFirst(2).split(separator: "?", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, parts[3].hasPrefix("="), !parts[0].isEmpty, parts[2].count <= 1_000,
              !parts[2].contains(" ")
        else { return nil }
        let charset = parts[0].split(separator: "*", maxSplits: 1).first.map(String.init) ?? ""
        let bytes: [UInt8]
        switch parts[1].lowercased() {
        case "b": bytes = TransferEncoding.base64(Array(parts[2].utf8))
        case "q": bytes = qEncoded(parts[2])
        default: return nil
        }
        guard let decoded = Charset.decode(bytes, charset: charset) else { return nil }
        return (decoded, parts[3].index(after: parts[3].startIndex))
    }

    /// The "Q" encoding (§4.2): quoted-printable with `_` for a space.
    private static func qEncoded(_ text: Substring) -> [UInt8] {
        var output: [UInt8] = []
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "_") {
                output.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "="), index + 2 < bytes.count,
                      let high = TransferEncoding.hexValue(bytes[index + 1]), let low = TransferEncoding.hexValue(bytes[index + 2]) {
                output.append(high << 4 | low)
                index += 2
            } else {
                output.append(byte)
            }
            index += 1
        }
        return output
    }
}
