import FuzzerSupport
import IMAP
import SMTP

/// One fuzz input, as a server's bytes under small limits: the IMAP responses read from it
/// whole are the ones read when it arrives in pieces (the first byte sets the piece size),
/// errors included; the same holds for SMTP replies; and the same bytes as command
/// arguments never make the encoder write more than one command.
func fuzz(_ bytes: [UInt8]) {
    let limits = IMAPLimits(maxLineBytes: 4096, maxLiteralBytes: 64 << 10, maxResponseBytes: 256 << 10, maxNesting: 16)
    let pieceSize = Int(bytes.first ?? 1) % 17 + 1
    precondition(imapResponses(bytes, limits: limits, pieceSize: bytes.count + 1) == imapResponses(bytes, limits: limits, pieceSize: pieceSize),
                 "IMAP responses depend on how the bytes arrive")
    precondition(smtpReplies(bytes, pieceSize: bytes.count + 1) == smtpReplies(bytes, pieceSize: pieceSize),
                 "SMTP replies depend on how the bytes arrive")
    oneCommandOnly(String(decoding: bytes, as: UTF8.self))
}

/// The responses in `bytes` fed `pieceSize` at a time, and the error that ended them if one did.
func imapResponses(_ bytes: [UInt8], limits: IMAPLimits, pieceSize: Int) -> ([Response], IMAPError.Code?) {
    var decoder = ResponseDecoder(limits: limits)
    var read: [Response] = []
    var start = 0
    while start < bytes.count {
        decoder.append(bytes[start..<min(start + pieceSize, bytes.count)])
        start += pieceSize
        do {
            while let response = try decoder.next() { read.append(response) }
        } catch {
            return (read, error.code)
        }
    }
    return (read, nil)
}

func smtpReplies(_ bytes: [UInt8], pieceSize: Int) -> [String] {
    var decoder = SMTPReplyDecoder(maxLineBytes: 512, maxLines: 32)
    var read: [String] = []
    var start = 0
    while start < bytes.count {
        decoder.append(bytes[start..<min(start + pieceSize, bytes.count)])
        start += pieceSize
        do {
            while let reply = try decoder.next() { read.append("\(reply.code) \(reply.enhancedCode ?? "") \(reply.lines)") }
        } catch {
            read.append("error")
            return read
        }
    }
    return read
}

/// Whatever a user name, password, search text or folder name holds, the command is one
/// command: outside its literals there is exactly one CRLF, at the end.
func oneCommandOnly(_ text: String) {
    let commands: [Command] = [
        .login(user: text, password: text),
        .uidSearch(.and([.subject(text), .not(.from(text))])),
        .select(MailboxName(text), condStore: true),
        .append(MailboxName(text), flags: [], message: Array(text.utf8)),
    ]
    for mode in [LiteralMode.synchronizing, .nonSynchronizing, .nonSynchronizingUpTo4096] {
        for command in commands {
            let encoded = CommandEncoder(literalMode: mode).encode(command, tag: "A1")
            precondition(lineCount(encoded.pieces.flatMap { $0 }) == 1, "a value ended a command early or started another")
        }
    }
}

/// Lines outside literals: a line ending in `{n}`, `{n+}` or `~{n}` before its CRLF is
/// followed by n bytes of literal, which are skipped (and may hold anything).
func lineCount(_ bytes: [UInt8]) -> Int {
    var lines = 0
    var lineStart = 0
    var index = 0
    while index < bytes.count {
        guard bytes[index] == 0x0A else { index += 1; continue }
        lines += 1
        var line = bytes[lineStart..<index]
        if line.last == 0x0D { line = line.dropLast() }
        index += 1
        if line.last == UInt8(ascii: "}"), let open = line.lastIndex(of: UInt8(ascii: "{")) {
            var digits = line[(open + 1)..<(line.endIndex - 1)]
            if digits.last == UInt8(ascii: "+") || digits.last == UInt8(ascii: "-") { digits = digits.dropLast() }
            if !digits.isEmpty, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }), let length = Int(String(decoding: digits, as: UTF8.self)) {
                lines -= 1
                index += length
            }
        }
        lineStart = index
    }
    return lines
}

/// `IMAPFuzzer [libFuzzer options] [CORPUS…]` under libFuzzer, or `IMAPFuzzer FILE…` to replay.
@main
struct IMAPFuzzerMain {
    static func main() throws {
        try FuzzerMain.run { data, size in
            fuzz(Array(UnsafeBufferPointer(start: data, count: size)))
            return 0
        }
    }
}
