/// One header field as written: its name and its value unfolded (CRLF followed by
/// whitespace removed, RFC 5322 §2.2.3), not yet decoded.
public struct HeaderField: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// The header of a message or of a body part (RFC 5322 §2.2, RFC 2045 §3).
public struct MessageHeader: Sendable, Hashable {
    /// The fields in order.
    public var fields: [HeaderField]

    public init(fields: [HeaderField] = []) {
        self.fields = fields
    }

    /// The first field's raw value with this name (compared case-insensitively).
    public subscript(name: String) -> String? {
        let wanted = name.lowercased()
        return fields.first { $0.name.lowercased() == wanted }?.value
    }

    /// Every value of the fields with this name, in order.
    public func values(_ name: String) -> [String] {
        let wanted = name.lowercased()
        return fields.filter { $0.name.lowercased() == wanted }.map(\.value)
    }

    /// The first field's value with RFC 2047 encoded words decoded (`Subject`, display names).
    public func decoded(_ name: String) -> String? {
        self[name].map(EncodedWords.decode)
    }

    /// The part's `Content-Type` (RFC 2045 §5): `text/plain; charset=us-ascii` when absent
    /// or unreadable (§5.2).
    public var contentType: ContentType {
        self["Content-Type"].flatMap(ContentType.init(parsing:)) ?? .defaultType
    }

    /// The part's `Content-Disposition` (RFC 2183), if any.
    public var contentDisposition: ContentDisposition? {
        self["Content-Disposition"].flatMap(ContentDisposition.init(parsing:))
    }

    /// The part's `Content-Transfer-Encoding` (RFC 2045 §6), lower case; `7bit` when absent.
    public var transferEncoding: String {
        (self["Content-Transfer-Encoding"] ?? "7bit").trimmingASCIIWhitespace().lowercased()
    }

    /// Reads a header block (every byte before the empty line) into fields. Lines that are
    /// neither a field nor a continuation are skipped and reported.
    ///
    ///     fields = *(field-name ":" unstructured CRLF)   ; RFC 5322 §3.6.8, obs-FWS allowed
    static func parse(_ bytes: ArraySlice<UInt8>, problems: inout [MIMEError]) -> MessageHeader {
        var fields: [HeaderField] = []
        var current: (name: String, value: [UInt8])?
        func finish() {
            if let field = current {
                fields.append(HeaderField(name: field.name, value: Latin1OrUTF8.string(field.value).trimmingASCIIWhitespace()))
            }
            current = nil
        }
        for (start, line) in Lines(bytes) {
            if let first = line.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
                if current != nil {
                    current!.value.append(contentsOf: line)
                } else {
                    problems.append(MIMEError(.malformedHeader, offset: start, detail: "a continuation with no field before it"))
                }
                continue
            }
            finish()
            guard isField(line), let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                if !line.isEmpty { problems.append(MIMEError(.malformedHeader, offset: start, detail: "a line without a field name")) }
                continue
            }
            current = (String(decoding: line[line.startIndex..<colon], as: UTF8.self), Array(line[(colon + 1)...]))
        }
        finish()
        return MessageHeader(fields: fields)
    }
}

extension MessageHeader {
    /// Whether `line` starts a field: a name of printable ASCII, then `:` (RFC 5322 §2.2).
    static func isField(_ line: ArraySlice<UInt8>) -> Bool {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else { return false }
        return line[line.startIndex..<colon].allSatisfy { $0 > 32 && $0 < 127 }
    }
}

/// The lines of a byte range, split at LF with a CR before it dropped, each with its offset.
struct Lines: Sequence, IteratorProtocol {
    private var rest: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { rest = bytes }

    mutating func next() -> (offset: Int, line: ArraySlice<UInt8>)? {
        guard !rest.isEmpty else { return nil }
        let start = rest.startIndex
        if let newline = rest.firstIndex(of: UInt8(ascii: "\n")) {
            var line = rest[start..<newline]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            rest = rest[(newline + 1)...]
            return (start, line)
        }
        let line = rest
        rest = rest[rest.endIndex...]
        return (start, line)
    }
}

/// Header bytes as text: UTF-8 when they are (RFC 6532), else Latin-1 byte for byte, so no
/// byte is ever lost or replaced.
enum Latin1OrUTF8 {
    static func string(_ bytes: some Collection<UInt8>) -> String {
        String(validating: bytes, as: UTF8.self) ?? Charset.latin1(bytes)
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs, CRs and LFs.
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
