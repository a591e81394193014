/// A header value with parameters, `value; name=token; name="quoted"` (RFC 2045 §5.1), with
/// RFC 2231 extended parameters: `name*=charset'lang'percent-encoded` and continuations
/// `name*0=…; name*1*=…`, put together and decoded.
public struct ParameterizedValue: Sendable, Hashable {
    /// The value before the first `;`, trimmed.
    public var value: String
    /// The parameters by lower-case name, decoded.
    public var parameters: [String: String]
    /// The names of the parameters written in RFC 2231's extended form (their charset is
    /// known, so RFC 2047 words in them are text, not encoding).
    public var extendedNames: Set<String>

    /// Reads `text`; `nil` when it has no value before the parameters.
    ///
    ///     content := value *(";" parameter)
    ///     parameter := attribute "=" value          ; RFC 2045 §5.1
    ///     parameter := attribute "*" [section] ["*"] "=" value   ; RFC 2231 §3–4
    public init?(parsing text: String) {
        let pieces = Self.split(text)
        guard let first = pieces.first?.trimmingASCIIWhitespace(), !first.isEmpty else { return nil }
        var rawParameters: [(name: String, value: String, quoted: Bool)] = []
        for piece in pieces.dropFirst() {
            guard let equals = piece.unicodeScalars.firstIndex(of: "=") else { continue }
            let name = piece[piece.startIndex..<equals].trimmingASCIIWhitespace()
            var raw = piece[piece.index(after: equals)...].trimmingASCIIWhitespace()
            let quoted = raw.hasPrefix("\"")
            if quoted { raw = Self.unquote(raw) }
            rawParameters.append((name, raw, quoted))
        }
        self.init(value: first, rawParameters: rawParameters)
    }

    /// A value and its parameters as a protocol hands them over already split (IMAP's
    /// `body-fld-param`): names as sent (`name*0*` and the like), values unquoted; `quoted`
    /// says a value was a quoted string, which RFC 2231 never percent-decodes.
    public init(value: String, rawParameters: [(name: String, value: String, quoted: Bool)]) {
        self.value = value
        var plain: [String: String] = [:]
        var sections: [String: [Int: (text: String, encoded: Bool)]] = [:]
        for (rawName, raw, quoted) in rawParameters {
            var name = rawName.lowercased()
            guard !name.isEmpty else { continue }
            var encoded = false
            if name.hasSuffix("*") {
                encoded = !quoted
                name.removeLast()
            }
            if let star = name.lastIndex(of: "*"), let section = Int(name[name.index(after: star)...]), section >= 0, section < 1_000 {
                sections[String(name[name.startIndex..<star]), default: [:]][section] = (raw, encoded)
            } else if encoded {
                sections[name, default: [:]][0] = (raw, true)
            } else {
                plain[name] = raw
            }
        }
        for (name, parts) in sections {
            plain[name] = Self.joined(parts)
        }
        parameters = plain
        extendedNames = Set(sections.keys)
    }

    /// RFC 2231 sections in order: the first encoded one names the charset, and every encoded
    /// one is percent-decoded in it.
    private static func joined(_ parts: [Int: (text: String, encoded: Bool)]) -> String {
        var charset = "us-ascii"
        var bytes: [UInt8] = []
        for (index, part) in parts.sorted(by: { $0.key < $1.key }).enumerated() {
            guard part.value.encoded else {
                bytes += Array(part.value.text.utf8)
                continue
            }
            var text = Substring(part.value.text)
            if index == 0 {
                let fields = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                if fields.count == 3 {
                    charset = String(fields[0]).isEmpty ? charset : String(fields[0])
                    text = fields[2]
                }
            }
            bytes += percentDecoded(text)
        }
        return Charset.decode(bytes, charset: charset) ?? Latin1OrUTF8.string(bytes)
    }

    private static func percentDecoded(_ text: Substring) -> [UInt8] {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
               let high = TransferEncoding.hexValue(bytes[index + 1]), let low = TransferEncoding.hexValue(bytes[index + 2]) {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return output
    }

    /// The pieces between `;`s outside quotes (read as Unicode scalars: a delimiter before a
    /// combining mark is still one).
    private static func split(_ text: String) -> [Substring] {
        let scalars = text.unicodeScalars
        var pieces: [Substring] = []
        var start = scalars.startIndex
        var inQuotes = false
        var escaped = false
        var index = scalars.startIndex
        while index < scalars.endIndex {
            let scalar = scalars[index]
            if escaped {
                escaped = false
            } else if scalar == "\\" && inQuotes {
                escaped = true
            } else if scalar == "\"" {
                inQuotes.toggle()
            } else if scalar == ";" && !inQuotes {
                pieces.append(Substring(scalars[start..<index]))
                start = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        pieces.append(Substring(scalars[start...]))
        return pieces
    }

    /// A quoted-string without its quotes and with its backslash escapes undone (RFC 5322 §3.2.4).
    private static func unquote(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        var escaped = false
        for scalar in text.unicodeScalars.dropFirst() {
            if escaped {
                result.append(scalar)
                escaped = false
            } else if scalar == "\\" {
                escaped = true
            } else if scalar == "\"" {
                break
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }
}

/// A `Content-Type` (RFC 2045 §5): type, subtype and parameters.
public struct ContentType: Sendable, Hashable {
    /// The top-level type, lower case (`text`, `multipart`, `image`…).
    public var type: String
    /// The subtype, lower case (`plain`, `mixed`, `calendar`…).
    public var subtype: String
    public var parameters: [String: String]

    /// `text/plain; charset=us-ascii`, what a part without a readable `Content-Type` is (§5.2).
    public static let defaultType = ContentType(type: "text", subtype: "plain", parameters: ["charset": "us-ascii"])

    public init(type: String, subtype: String, parameters: [String: String] = [:]) {
        self.type = type
        self.subtype = subtype
        self.parameters = parameters
    }

    /// Reads a `Content-Type` value; `nil` without a `type/subtype`.
    public init?(parsing text: String) {
        guard let parsed = ParameterizedValue(parsing: text) else { return nil }
        let names = parsed.value.lowercased().split(separator: "/", maxSplits: 1)
        guard names.count == 2, !names[0].isEmpty, !names[1].isEmpty else { return nil }
        self.init(type: String(names[0]), subtype: String(names[1]).trimmingASCIIWhitespace(), parameters: parsed.parameters)
    }

    /// `type/subtype`.
    public var mediaType: String { type + "/" + subtype }
    /// The `charset` parameter, if any.
    public var charset: String? { parameters["charset"] }
    /// Whether this is a `multipart/*` type.
    public var isMultipart: Bool { type == "multipart" }
}

/// A `Content-Disposition` (RFC 2183): `inline` or `attachment`, with its file name.
public struct ContentDisposition: Sendable, Hashable {
    /// The disposition type, lower case.
    public var type: String
    public var parameters: [String: String]
    private var extendedNames: Set<String>

    /// Reads a `Content-Disposition` value.
    public init?(parsing text: String) {
        guard let parsed = ParameterizedValue(parsing: text) else { return nil }
        type = parsed.value.lowercased()
        parameters = parsed.parameters
        extendedNames = parsed.extendedNames
    }

    /// Whether the part is meant to be saved rather than shown.
    public var isAttachment: Bool { type == "attachment" }
    /// The `filename` parameter: RFC 2231 decoded, or RFC 2047 decoded when written plain
    /// (what many clients send, against RFC 2047 §5).
    public var filename: String? {
        guard let name = parameters["filename"] else { return nil }
        return extendedNames.contains("filename") ? name : EncodedWords.decode(name)
    }
}
