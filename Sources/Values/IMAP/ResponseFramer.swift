/// Cuts a server's byte stream into whole responses: a line, and where it ends with a
/// literal's announcement (`{n}`, `{n+}`, `~{n}`), the literal's bytes and the line after
/// it, until a line ends without one (RFC 9051 §4.3, §7.5). Bytes may arrive in any pieces,
/// one at a time included; a frame is handed out only when it is complete, so the parser
/// never sees half a response. A literal larger than the limit is refused when it is
/// announced, before its bytes are waited for.
public struct ResponseFramer: Sendable {
    public let limits: IMAPLimits
    private var buffer: [UInt8] = []
    /// Where the frame being assembled starts.
    private var frameStart = 0
    /// Where scanning for the next line end resumes.
    private var scanIndex = 0
    /// Where the current line (after the last literal) starts.
    private var lineStart = 0

    public init(limits: IMAPLimits = IMAPLimits()) {
        self.limits = limits
    }

    /// Bytes received, in order.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if frameStart > 0, frameStart >= buffer.count / 2 {
            buffer.removeSubrange(0..<frameStart)
            scanIndex -= frameStart
            lineStart -= frameStart
            frameStart = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Bytes received but not yet handed out as a frame.
    public var bufferedByteCount: Int { buffer.count - frameStart }

    /// The next complete response (CRLF included), or `nil` until more bytes arrive.
    public mutating func nextFrame() throws(IMAPError) -> [UInt8]? {
        while true {
            guard let lineFeed = firstLineFeed(from: scanIndex) else {
                if buffer.count - lineStart > limits.maxLineBytes {
                    throw IMAPError(.lineTooLong, offset: lineStart - frameStart, detail: "over \(limits.maxLineBytes) bytes")
                }
                scanIndex = buffer.count
                return nil
            }
            if lineFeed + 1 - lineStart > limits.maxLineBytes {
                throw IMAPError(.lineTooLong, offset: lineStart - frameStart, detail: "over \(limits.maxLineBytes) bytes")
            }
            if let literalLength = try literalAnnounced(endingAt: lineFeed) {
                let literalEnd = lineFeed + 1 + literalLength
                if literalEnd - frameStart > limits.maxResponseBytes {
                    throw IMAPError(.responseTooLarge, offset: lineFeed - frameStart, detail: "over \(limits.maxResponseBytes) bytes")
                }
                guard buffer.count >= literalEnd else {
                    scanIndex = lineFeed  // re-read the announcement once more bytes came
                    return nil
                }
                lineStart = literalEnd
                scanIndex = literalEnd
                continue
            }
            let frame = Array(buffer[frameStart...lineFeed])
            frameStart = lineFeed + 1
            lineStart = frameStart
            scanIndex = frameStart
            return frame
        }
    }

    private func firstLineFeed(from start: Int) -> Int? {
        var index = start
        while index < buffer.count {
            if buffer[index] == UInt8(ascii: "\n") { return index }
            index += 1
        }
        return nil
    }

    /// The length of the literal announced at the end of the line ending at `lineFeed`
    /// (`{123}`, `{123+}`, `~{123}`), `nil` when the line announces none.
    private func literalAnnounced(endingAt lineFeed: Int) throws(IMAPError) -> Int? {
        var end = lineFeed
        if end > lineStart, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        guard end > lineStart, buffer[end - 1] == UInt8(ascii: "}") else { return nil }
        var index = end - 2
        if index >= lineStart, buffer[index] == UInt8(ascii: "+") || buffer[index] == UInt8(ascii: "-") { index -= 1 }
        let digitsEnd = index + 1
        while index >= lineStart, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(buffer[index]) { index -= 1 }
        guard index >= lineStart, buffer[index] == UInt8(ascii: "{"), index + 1 < digitsEnd else { return nil }
        let digits = buffer[(index + 1)..<digitsEnd]
        guard digits.count <= 12 else {
            throw IMAPError(.literalTooLarge, offset: index - frameStart, detail: "over \(limits.maxLiteralBytes) bytes")
        }
        let length = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        if length > limits.maxLiteralBytes {
            throw IMAPError(.literalTooLarge, offset: index - frameStart, detail: "\(length) bytes, over \(limits.maxLiteralBytes)")
        }
        return length
    }
}
