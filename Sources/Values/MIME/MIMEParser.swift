/// Reads Internet messages (RFC 5322) with MIME bodies (RFC 2045–2049) into ``MIMEMessage``s:
/// multiparts of any nesting up to the limits, headers unfolded, bodies kept as written
/// (``MIMEPart/decodedBody`` and ``MIMEPart/text`` decode them). Lenient as mail readers
/// must be — LF or CRLF line ends, a missing closing delimiter, stray header lines — with each
/// repair reported in ``MIMEMessage/problems``; only a message over the size limit is refused.
public struct MIMEParser: Sendable {
    public var limits: MIMELimits

    public init(limits: MIMELimits = MIMELimits()) {
        self.limits = limits
    }

    /// The message in `bytes`.
    public func parse(_ bytes: [UInt8]) throws(MIMEError) -> MIMEMessage {
        guard bytes.count <= limits.maxMessageBytes else {
            throw MIMEError(.inputTooLarge, offset: 0, detail: "\(bytes.count) bytes, the limit is \(limits.maxMessageBytes)")
        }
        var state = State()
        let root = part(bytes[...], depth: 0, state: &state)
        return MIMEMessage(root: root, problems: state.problems)
    }

    private struct State {
        var problems: [MIMEError] = []
        var parts = 0
    }

    /// One part: `header CRLF body` (RFC 5322 §2.1); a multipart's body split at its boundary.
    private func part(_ bytes: ArraySlice<UInt8>, depth: Int, state: inout State) -> MIMEPart {
        state.parts += 1
        let (headerBytes, bodyStart) = Self.headerBlock(bytes)
        var headerSlice = headerBytes
        if headerSlice.count > limits.maxHeaderBytes {
            state.problems.append(MIMEError(.headerTooLarge, offset: bytes.startIndex, detail: "the limit is \(limits.maxHeaderBytes) bytes"))
            headerSlice = headerSlice.prefix(limits.maxHeaderBytes)
        }
        let header = MessageHeader.parse(headerSlice, problems: &state.problems)
        let body = bytes[bodyStart...]
        let type = header.contentType
        guard type.isMultipart else { return MIMEPart(header: header, body: Array(body), offset: bytes.startIndex) }
        guard let boundary = type.parameters["boundary"], !boundary.isEmpty, boundary.utf8.count <= 200 else {
            state.problems.append(MIMEError(.missingBoundary, offset: bytes.startIndex, detail: type.mediaType))
            return MIMEPart(header: header, body: Array(body), offset: bytes.startIndex)
        }
        guard depth < limits.maxDepth else {
            state.problems.append(MIMEError(.nestingTooDeep, offset: bytes.startIndex, detail: "the limit is \(limits.maxDepth)"))
            return MIMEPart(header: header, body: Array(body), offset: bytes.startIndex)
        }
        var parts: [MIMEPart] = []
        let (sections, closed) = Self.sections(of: body, boundary: Array(boundary.utf8))
        if !closed {
            state.problems.append(MIMEError(.unterminatedMultipart, offset: body.endIndex, detail: type.mediaType))
        }
        for section in sections {
            guard state.parts < limits.maxParts else {
                state.problems.append(MIMEError(.tooManyParts, offset: section.startIndex, detail: "the limit is \(limits.maxParts)"))
                break
            }
            parts.append(part(section, depth: depth + 1, state: &state))
        }
        return MIMEPart(header: header, parts: parts, offset: bytes.startIndex)
    }

    /// The header block and where the body starts: after the first empty line. A part that
    /// starts with an empty line has no header; one without any is all header when it starts
    /// with a field, else all body (a body part that forgot its empty line loses nothing).
    static func headerBlock(_ bytes: ArraySlice<UInt8>) -> (ArraySlice<UInt8>, Int) {
        for (offset, line) in Lines(bytes) where line.isEmpty {
            let lineEnd = bytes[offset...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? bytes.endIndex
            return (bytes[bytes.startIndex..<offset], lineEnd)
        }
        var lines = Lines(bytes)
        guard let (_, first) = lines.next(), MessageHeader.isField(first) else { return (bytes[bytes.startIndex..<bytes.startIndex], bytes.startIndex) }
        return (bytes, bytes.endIndex)
    }

    /// The body parts between the delimiter lines `--boundary` (RFC 2046 §5.1.1): the line
    /// break before a delimiter belongs to it, the preamble before the first and the epilogue
    /// after the closing `--boundary--` are dropped. Also whether the closing delimiter was there.
    static func sections(of body: ArraySlice<UInt8>, boundary: [UInt8]) -> ([ArraySlice<UInt8>], Bool) {
        let delimiter = [UInt8(ascii: "-"), UInt8(ascii: "-")] + boundary
        var sections: [ArraySlice<UInt8>] = []
        var sectionStart: Int?
        for (offset, line) in Lines(body) where line.starts(with: delimiter) {
            let rest = line.dropFirst(delimiter.count)
            let closing = rest.starts(with: [UInt8(ascii: "-"), UInt8(ascii: "-")])
            let trailer = closing ? rest.dropFirst(2) : rest
            guard trailer.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) else { continue }
            if let start = sectionStart {
                var end = offset
                if end > start, body[end - 1] == UInt8(ascii: "\n") { end -= 1 }
                if end > start, body[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                sections.append(body[start..<max(start, end)])
            }
            if closing { return (sections, true) }
            let lineEnd = body[offset...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? body.endIndex
            sectionStart = lineEnd
        }
        if let start = sectionStart, start < body.endIndex { sections.append(body[start...]) }
        return (sections, false)
    }
}
