public import MIME

/// A command the client sends (RFC 5321 §4.1, RFC 3207, RFC 4954, RFC 1870, RFC 6152,
/// RFC 6531). Every value in one is typed: a ``MailAddress`` cannot hold a space, a `>` or a
/// line break, and the host name is checked when the command is made.
public enum SMTPCommand: Sendable, Hashable {
    case ehlo(SMTPClientName)
    case helo(SMTPClientName)
    case startTLS
    /// `AUTH PLAIN` with its initial response (RFC 4616), base64.
    case authPlain(initialResponse: String)
    /// `AUTH LOGIN`; the user name and password follow as ``saslResponse(_:)``.
    case authLogin
    /// A base64 line answering a 334 challenge.
    case saslResponse(String)
    /// `MAIL FROM:<address>` with the message's size when the server takes SIZE, BODY=8BITMIME
    /// for 8-bit content, and SMTPUTF8 for an internationalised address.
    case mailFrom(MailAddress?, size: Int?, eightBit: Bool, smtpUTF8: Bool)
    case rcptTo(MailAddress)
    case data
    case rset
    case noop
    case quit

    /// The command's line, CRLF included.
    public var bytes: [UInt8] {
        let line: String
        switch self {
        case .ehlo(let name): line = "EHLO \(name)"
        case .helo(let name): line = "HELO \(name)"
        case .startTLS: line = "STARTTLS"
        case .authPlain(let response): line = "AUTH PLAIN \(Self.base64Only(response))"
        case .authLogin: line = "AUTH LOGIN"
        case .saslResponse(let response): line = Self.base64Only(response)
        case .mailFrom(let address, let size, let eightBit, let smtpUTF8):
            var text = "MAIL FROM:<\(address?.address ?? "")>"
            if let size { text += " SIZE=\(size)" }
            if eightBit { text += " BODY=8BITMIME" }
            if smtpUTF8 { text += " SMTPUTF8" }
            line = text
        case .rcptTo(let address): line = "RCPT TO:<\(address.address)>"
        case .data: line = "DATA"
        case .rset: line = "RSET"
        case .noop: line = "NOOP"
        case .quit: line = "QUIT"
        }
        return Array(line.utf8) + [0x0D, 0x0A]
    }

    /// The verb, for errors and logs (never an argument: AUTH's carry secrets).
    public var verb: String {
        switch self {
        case .ehlo: "EHLO"
        case .helo: "HELO"
        case .startTLS: "STARTTLS"
        case .authPlain, .authLogin: "AUTH"
        case .saslResponse: "AUTH"
        case .mailFrom: "MAIL"
        case .rcptTo: "RCPT"
        case .data: "DATA"
        case .rset: "RSET"
        case .noop: "NOOP"
        case .quit: "QUIT"
        }
    }

    /// `text`, which the client made by base64 encoding: anything else is its own mistake.
    private static func base64Only(_ text: String) -> String {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=".utf8)
        precondition(text.utf8.allSatisfy(allowed.contains), "a SASL response must be base64")
        return text
    }
}

/// The name the client gives in EHLO: a host name, or an address literal such as
/// `[127.0.0.1]` (RFC 5321 §4.1.1.1).
public struct SMTPClientName: Sendable, Hashable, CustomStringConvertible {
    public let description: String

    /// `name` when it is a host name of letters, digits, hyphens and dots or a bracketed
    /// address literal; `nil` otherwise.
    public init?(_ name: String) {
        let bytes = Array(name.utf8)
        guard (1...255).contains(bytes.count) else { return nil }
        let isLiteral = bytes.first == UInt8(ascii: "[") && bytes.last == UInt8(ascii: "]")
            && bytes.dropFirst().dropLast().allSatisfy { Self.hostBytes.contains($0) || $0 == UInt8(ascii: ":") }
        let isHost = bytes.allSatisfy(Self.hostBytes.contains) && bytes.first != UInt8(ascii: ".")
        guard isLiteral || isHost else { return nil }
        description = name
    }

    /// The literal for an IPv4 or IPv6 address (`[192.0.2.1]`, `[IPv6:…]`).
    public static func literal(ipAddress: String) -> SMTPClientName? {
        SMTPClientName(ipAddress.contains(":") ? "[IPv6:\(ipAddress)]" : "[\(ipAddress)]")
    }

    private static let hostBytes = Set(Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.".utf8))
}

/// A message made ready for DATA (RFC 5321 §4.5.2): every line ending CRLF, a leading dot
/// doubled, and the lone dot that ends it.
public enum SMTPMessageData {
    public static func encode(_ message: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(message.count + message.count / 64 + 5)
        var atLineStart = true
        var index = 0
        while index < message.count {
            let byte = message[index]
            if atLineStart, byte == UInt8(ascii: ".") { out.append(UInt8(ascii: ".")) }
            switch byte {
            case 0x0D:
                out.append(contentsOf: [0x0D, 0x0A])
                if index + 1 < message.count, message[index + 1] == 0x0A { index += 1 }
                atLineStart = true
            case 0x0A:
                out.append(contentsOf: [0x0D, 0x0A])
                atLineStart = true
            default:
                out.append(byte)
                atLineStart = false
            }
            index += 1
        }
        if !atLineStart { out.append(contentsOf: [0x0D, 0x0A]) }
        out.append(contentsOf: [UInt8(ascii: "."), 0x0D, 0x0A])
        return out
    }

    /// Whether `message` has bytes over 127, so that it needs BODY=8BITMIME.
    public static func isEightBit(_ message: [UInt8]) -> Bool { message.contains { $0 >= 0x80 } }
}
