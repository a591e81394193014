import Foundation
import FuzzerSupport
import MIME

/// One fuzz input, read as a message under small limits: whatever the bytes, the parse ends
/// (with a message or a typed error), holds to its limits, and every part's decoders — transfer
/// encoding, charset, encoded words, parameters — return.
func fuzz(_ bytes: [UInt8]) {
    let limits = MIMELimits(maxMessageBytes: 1 << 20, maxHeaderBytes: 16 << 10, maxParts: 64, maxDepth: 8)
    guard let message = try? MIMEParser(limits: limits).parse(bytes) else { return }
    var count = 0
    func visit(_ part: MIMEPart, depth: Int) {
        count += 1
        precondition(depth <= limits.maxDepth, "multiparts nest deeper than the limit")
        _ = part.text
        _ = part.filename
        _ = part.isAttachment
        _ = part.decodedBody
        for field in part.header.fields { _ = EncodedWords.decode(field.value) }
        for child in part.parts { visit(child, depth: depth + 1) }
    }
    visit(message.root, depth: 0)
    precondition(count <= limits.maxParts, "more parts than the limit")
    _ = message.plainText
    _ = message.htmlText
    writtenReadsBack(bytes)
}

/// The same bytes as a subject, a display name, a file name and a text (split at NUL):
/// whatever they hold, the written message reads back with exactly those values and the
/// fields the writer wrote — no value adds a field or a part.
func writtenReadsBack(_ bytes: [UInt8]) {
    let pieces = bytes.split(separator: 0, maxSplits: 3, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    let subject = pieces[0]
    let name = pieces.count > 1 ? pieces[1] : ""
    let filename = pieces.count > 2 && !pieces[2].isEmpty ? pieces[2] : "file"
    let text = pieces.count > 3 ? pieces[3] : ""
    let address = MailAddress("anna@example.org")!
    let draft = MessageDraft(from: Mailbox(address, name: name), to: [Mailbox(address)], subject: subject, date: Date(timeIntervalSince1970: 0),
                             messageID: "1@example.org", text: text,
                             attachments: [Attachment(filename: filename, mediaType: "application/octet-stream", data: bytes)])
    let written = MessageWriter().write(draft)
    precondition(written.allSatisfy { $0 < 128 }, "a written message is not 7-bit")
    guard let message = try? MIMEParser().parse(written) else { fatalError("a written message does not parse") }
    precondition(message.problems.isEmpty, "a written message reads with problems")
    precondition(message.header.fields.map(\.name) == ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"],
                 "a value added or lost a field")
    precondition(message.subject == subject, "the subject changed on the way")
    precondition(message.attachments.count == 1 && message.attachments[0].filename == filename, "the file name changed on the way")
    precondition(message.attachments[0].decodedBody == bytes, "the attachment changed on the way")
    let expected = MessageWriter.lines(of: text).map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\r\n")
    precondition(message.plainText == expected, "the text changed on the way")
}

/// `MIMEFuzzer [libFuzzer options] [CORPUS…]` under libFuzzer, or `MIMEFuzzer FILE…` to replay.
@main
struct MIMEFuzzerMain {
    static func main() throws {
        try FuzzerMain.run { data, size in
            fuzz(Array(UnsafeBufferPointer(start: data, count: size)))
            return 0
        }
    }
}
