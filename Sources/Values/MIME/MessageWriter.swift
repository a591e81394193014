import Foundation

/// Writes a ``MessageDraft`` as an Internet message (RFC 5322, MIME): 7-bit only, every line
/// at most 76 characters but for header folding points, CRLF line ends. Text is UTF-8 in
/// quoted-printable, files base64, non-ASCII header text RFC 2047 encoded words, non-ASCII
/// file names RFC 2231 parameters. No field value can end its line or add a field: line
/// breaks in a subject or a name are encoded, never written.
///
/// The structure: the text (with the HTML as a `multipart/alternative`, and the invitation as
/// its last alternative, as iMIP clients expect), then the attachments in a `multipart/mixed`.
public struct MessageWriter: Sendable {
    /// What makes this writer's boundaries unique.
    private let seed = UUID().uuidString

    /// A writer with random boundaries.
    public init() {}

    /// The boundary of the `index`th multipart: it begins with `=_`, which neither
    /// quoted-printable nor base64 output can hold, so no content can end a part.
    private func boundary(_ index: Int) -> String { "=_sb_\(seed)_\(index)" }

    /// The message's bytes.
    public func write(_ draft: MessageDraft) -> [UInt8] {
        var output = HeaderOutput()
        output.field("From", Self.mailboxes([draft.from]))
        output.field("To", Self.mailboxes(draft.to))
        if !draft.cc.isEmpty { output.field("Cc", Self.mailboxes(draft.cc)) }
        output.field("Subject", Self.headerText(draft.subject))
        output.field("Date", Self.date(draft.date))
        output.field("Message-ID", "<" + Self.messageID(draft.messageID) + ">")
        if !draft.inReplyTo.isEmpty {
            let ids = draft.inReplyTo.map { "<" + Self.messageID($0) + ">" }
            output.field("In-Reply-To", ids.last ?? "")
            output.field("References", ids.joined(separator: " "))
        }
        output.field("MIME-Version", "1.0")
        var boundaries = 0
        func nextBoundary() -> String {
            boundaries += 1
            return boundary(boundaries)
        }
        var alternatives = [Self.textPart("plain", draft.text)]
        if let html = draft.html { alternatives.append(Self.textPart("html", html)) }
        if let invitation = draft.invitation {
            alternatives.append(Self.textPart("calendar", invitation.calendar, parameters: "; method=" + Self.token(invitation.method)))
        }
        var body = alternatives.count == 1 ? alternatives[0] : Self.multipart("alternative", alternatives, boundary: nextBoundary())
        if !draft.attachments.isEmpty {
            body = Self.multipart("mixed", [body] + draft.attachments.map(Self.attachmentPart), boundary: nextBoundary())
        }
        // The top part's fields are the message's own.
        output.append(body.header)
        return output.bytes + body.content
    }

    /// A part: its header fields and its content.
    private struct Part {
        var header: HeaderOutput
        var content: [UInt8]
        var bytes: [UInt8] { header.bytes + content }
    }

    // MARK: Parts

    /// `Content-Type: text/…; charset=utf-8`, quoted-printable.
    private static func textPart(_ subtype: String, _ text: String, parameters: String = "") -> Part {
        var header = HeaderOutput()
        header.field("Content-Type", "text/\(subtype); charset=utf-8" + parameters)
        header.field("Content-Transfer-Encoding", "quoted-printable")
        return Part(header: header, content: quotedPrintable(text))
    }

    private static func attachmentPart(_ attachment: Attachment) -> Part {
        var header = HeaderOutput()
        let type = ContentType(parsing: attachment.mediaType).map { token($0.type) + "/" + token($0.subtype) } ?? "application/octet-stream"
        header.field("Content-Type", type)
        header.field("Content-Disposition", "attachment; " + filenameParameter(attachment.filename))
        header.field("Content-Transfer-Encoding", "base64")
        return Part(header: header, content: base64Lines(attachment.data))
    }

    private static func multipart(_ subtype: String, _ parts: [Part], boundary: String) -> Part {
        var header = HeaderOutput()
        header.field("Content-Type", "multipart/\(subtype); boundary=\"\(boundary)\"")
        var content: [UInt8] = []
        for part in parts {
            content += Array("--\(boundary)\r\n".utf8) + part.bytes + [13, 10]
        }
        return Part(header: header, content: content + Array("--\(boundary)--\r\n".utf8))
    }

    // MARK: Encodings

    /// UTF-8 text in quoted-printable (RFC 2045 §6.7): line breaks as CRLF, lines soft-broken
    /// before 76 characters, `=`, controls, non-ASCII and a line's trailing space escaped.
    static func quotedPrintable(_ text: String) -> [UInt8] {
        var output: [UInt8] = []
        let lines = lines(of: text)
        for (index, line) in lines.enumerated() {
            let bytes = Array(line)
            var width = 0
            for (position, byte) in bytes.enumerated() {
                let last = position == bytes.count - 1
                let plain = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || ((byte == 32 || byte == 9) && !last)
                let piece: [UInt8] = plain ? [byte] : [UInt8(ascii: "="), hex(byte >> 4), hex(byte & 15)]
                if width + piece.count > 75 {
                    output += [UInt8(ascii: "="), 13, 10]
                    width = 0
                }
                output += piece
                width += piece.count
            }
            if index < lines.count - 1 { output += [13, 10] }
        }
        return output
    }

    /// The lines a text is written as (and reads back as, joined by CRLF): split at each
    /// line break — CRLF, LF or a lone CR — read as bytes, so no combining mark hides one.
    public static func lines(of text: String) -> [ArraySlice<UInt8>] {
        var normalized: [UInt8] = []
        var afterCarriageReturn = false
        for byte in text.utf8 {
            defer { afterCarriageReturn = byte == 13 }
            if byte == 13 { normalized.append(10) } else if byte != 10 || !afterCarriageReturn { normalized.append(byte) }
        }
        return normalized.split(separator: 10, omittingEmptySubsequences: false)
    }

    private static func hex(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10
    }

    /// base64 in lines of 76 characters (RFC 2045 §6.8).
    static func base64Lines(_ data: [UInt8]) -> [UInt8] {
        let encoded = Array(Data(data).base64EncodedString().utf8)
        var output: [UInt8] = []
        output.reserveCapacity(encoded.count + encoded.count / 38 + 2)
        for start in stride(from: 0, to: encoded.count, by: 76) {
            output += encoded[start..<min(start + 76, encoded.count)] + [13, 10]
        }
        return output
    }

    /// Header text: as it is when it is printable ASCII (and looks like no encoded word, and
    /// neither starts nor ends with a space, which readers trim), else RFC 2047 encoded words
    /// (UTF-8, "B"), none longer than 75 characters and no character split between two.
    static func headerText(_ text: String) -> String {
        let plain = text.utf8.allSatisfy { $0 >= 32 && $0 <= 126 } && !text.contains("=?") && text.first != " " && text.last != " "
        if plain { return text }
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            // 39 bytes make 52 base64 characters: a word of 64, on a line of at most 78 after `Subject: `.
            if chunk.count + bytes.count > 39 {
                words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words.joined(separator: " ")
    }

    /// `Name <address>`, the name quoted (RFC 5322 §3.2.4) or encoded words.
    static func mailboxes(_ mailboxes: [Mailbox]) -> String {
        mailboxes.map { mailbox in
            guard let name = mailbox.name, !name.isEmpty else { return mailbox.address.address }
            let quotable = name.utf8.allSatisfy { $0 >= 32 && $0 <= 126 } && !name.contains("=?")
            let shown = quotable ? "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
                : headerText(name)
            return shown + " <" + mailbox.address.address + ">"
        }.joined(separator: ", ")
    }

    /// A `filename` parameter: quoted when short printable ASCII, else RFC 2231
    /// `filename*0*=utf-8''…; filename*1*=…` in sections short enough to fold between.
    static func filenameParameter(_ name: String) -> String {
        let quotable = name.utf8.count <= 60 && !name.contains("=?")
            && name.utf8.allSatisfy { $0 >= 32 && $0 <= 126 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        if quotable { return "filename=\"\(name)\"" }
        var sections: [String] = []
        var section = ""
        for scalar in name.unicodeScalars {
            var encoded = ""
            for byte in String(scalar).utf8 {
                let unreserved = (byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A) || "-._~".utf8.contains(byte)
                encoded += unreserved ? String(UnicodeScalar(byte)) : "%" + String(UnicodeScalar(hex(byte >> 4))) + String(UnicodeScalar(hex(byte & 15)))
            }
            if section.count + encoded.count > 50 {
                sections.append(section)
                section = ""
            }
            section += encoded
        }
        sections.append(section)
        return sections.enumerated().map { index, text in "filename*\(index)*=" + (index == 0 ? "utf-8''" : "") + text }.joined(separator: "; ")
    }

    /// An RFC 5322 date in UTC (`Mon, 07 Dec 2026 09:00:00 +0000`, §3.3).
    static func date(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let time = seconds - days * 86_400
        // Civil date from days since 1970-01-01 (H. Hinnant, "chrono-compatible date algorithms").
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let weekday = ((days % 7) + 10) % 7  // 1970-01-01 was a Thursday (index 3)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekdays[Int(weekday)]), \(two(day)) \(months[Int(month) - 1]) \(year) \(two(time / 3_600)):\(two(time / 60 % 60)):\(two(time % 60)) +0000"
    }

    private static let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// A message id without brackets, spaces, controls or a second `<`/`>`.
    static func messageID(_ id: String) -> String {
        String(id.unicodeScalars.filter { $0.value > 32 && $0.value < 127 && $0 != "<" && $0 != ">" }.map(Character.init))
    }

    /// An RFC 2045 token: what is not one is dropped.
    static func token(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.value > 32 && $0.value < 127 && !"()<>@,;:\\\"/[]?=".unicodeScalars.contains($0) }.map(Character.init))
    }
}

/// Header fields as bytes, folded at spaces to keep lines under 78 characters where the
/// value allows it, and ended with the empty line.
private struct HeaderOutput {
    private var lines: [UInt8] = []

    mutating func append(_ other: HeaderOutput) { lines += other.lines }

    mutating func field(_ name: String, _ value: String) {
        var line = name + ":"
        var width = line.count
        for word in value.split(separator: " ", omittingEmptySubsequences: false) {
            if width + 1 + word.count > 76, width > name.count + 1 {
                lines += Array((line + "\r\n").utf8)
                line = ""
                width = 0
            }
            line += " " + word
            width += 1 + word.count
        }
        lines += Array((line + "\r\n").utf8)
    }

    var bytes: [UInt8] { lines + [13, 10] }
}
