/// One reply from an SMTP server (RFC 5321 §4.2): a three-digit code, the enhanced status
/// code when the server sends one (RFC 3463), and its text lines.
///
///     reply-line = *( Reply-code "-" [ textstring ] CRLF ) Reply-code [ SP textstring ] CRLF
public struct SMTPReply: Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    /// `5.1.1` and the like, when the server gives one on the first line.
    public var enhancedCode: String?
    /// The text of each line, without the code.
    public var lines: [String]

    public init(code: Int, enhancedCode: String? = nil, lines: [String]) {
        self.code = code
        self.enhancedCode = enhancedCode
        self.lines = lines
    }

    /// What the first digit says (RFC 5321 §4.2.1).
    public enum Kind: Sendable, Hashable {
        /// 2yz: done.
        case positiveCompletion
        /// 3yz: go on (DATA's 354, AUTH's 334).
        case positiveIntermediate
        /// 4yz: not now; the same command may succeed later.
        case transientNegative
        /// 5yz: no; do not repeat it unchanged.
        case permanentNegative
    }

    public var kind: Kind {
        switch code / 100 {
        case 2: .positiveCompletion
        case 3: .positiveIntermediate
        case 4: .transientNegative
        default: .permanentNegative
        }
    }

    /// The first line's text, for errors and logs.
    public var description: String { "\(code)" + (enhancedCode.map { " \($0)" } ?? "") + " " + (lines.first ?? "") }
}

/// Why a server's bytes are not SMTP replies.
public struct SMTPProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    public var detail: String

    public init(_ detail: String) { self.detail = detail }

    public var description: String { detail }
}

/// Reads replies from bytes as they arrive, fed in any pieces; a reply is complete at its
/// last line (`250 ` rather than `250-`). Bounded: a line over ``maxLineBytes`` or a reply
/// over ``maxLines`` lines is an error, not a growing buffer.
public struct SMTPReplyDecoder: Sendable {
    /// RFC 5321 §4.5.3.1.5 allows 512; servers send longer EHLO lines now and then.
    public let maxLineBytes: Int
    public let maxLines: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var pending: [(code: Int, text: String)] = []
    /// The bytes of the lines in ``pending``, a reply not yet ended.
    private var pendingByteCount = 0

    public init(maxLineBytes: Int = 4096, maxLines: Int = 256) {
        self.maxLineBytes = maxLineBytes
        self.maxLines = maxLines
    }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if start > 0, start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete reply, or `nil` until more bytes arrive.
    public mutating func next() throws(SMTPProtocolError) -> SMTPReply? {
        while let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
            var line = buffer[start..<newline]
            pendingByteCount += newline + 1 - start
            start = newline + 1
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            guard line.count <= maxLineBytes else { throw SMTPProtocolError("a reply line is longer than \(maxLineBytes) bytes") }
            let (code, isLast, text) = try Self.split(line)
            if let first = pending.first, first.code != code {
                throw SMTPProtocolError("a multi-line reply changed its code from \(first.code) to \(code)")
            }
            pending.append((code, text))
            guard pending.count <= maxLines else { throw SMTPProtocolError("a reply has more than \(maxLines) lines") }
            if isLast {
                defer { pending = []; pendingByteCount = 0 }
                return Self.reply(pending)
            }
        }
        guard buffer.count - start <= maxLineBytes else { throw SMTPProtocolError("a reply line is longer than \(maxLineBytes) bytes") }
        return nil
    }

    /// Bytes received but not yet a whole reply: a line not yet ended, and the lines of a
    /// multi-line reply whose last line has not come.
    public var bufferedByteCount: Int { buffer.count - start + pendingByteCount }

    private static func split(_ line: ArraySlice<UInt8>) throws(SMTPProtocolError) -> (Int, Bool, String) {
        let digits = line.prefix(3)
        guard digits.count == 3, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let first = digits.first, (UInt8(ascii: "2")...UInt8(ascii: "5")).contains(first)
        else { throw SMTPProtocolError("a reply line does not start with a reply code") }
        let code = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        let rest = line.dropFirst(3)
        guard let separator = rest.first else { return (code, true, "") }
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
            throw SMTPProtocolError("a reply code is followed by neither a space nor a hyphen")
        }
        return (code, separator == UInt8(ascii: " "), String(decoding: rest.dropFirst(), as: UTF8.self))
    }

    private static func reply(_ lines: [(code: Int, text: String)]) -> SMTPReply {
        var texts = lines.map(\.text)
        var enhanced: String?
        // status-code = class "." subject "." detail (RFC 3463), with the class the reply's.
        if let first = texts.first {
            let space = first.firstIndex(of: " ") ?? first.endIndex
            let candidate = first[..<space]
            let parts = candidate.split(separator: ".", omittingEmptySubsequences: false)
            if parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCIIDigit) }),
               parts[0] == String(lines[0].code / 100) {
                enhanced = String(candidate)
                texts[0] = String(first[space...].drop(while: { $0 == " " }))
            }
        }
        return SMTPReply(code: lines[0].code, enhancedCode: enhanced, lines: texts)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
