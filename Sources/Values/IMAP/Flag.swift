/// A message flag: a system flag (`\Seen`) or a keyword (`$Forwarded`, `Important`).
/// Servers add keywords, so this is an open set; flags compare ignoring case (RFC 9051 §2.3.2).
public struct Flag: Sendable, Hashable, CustomStringConvertible {
    /// The flag as the server spelled it.
    public let rawValue: String

    /// A flag from its name; `nil` when it holds a byte no flag may (a space, a parenthesis,
    /// a quote, a control character, 8-bit bytes, or `\` anywhere but first), so a flag
    /// reaches a command only as the atom it is.
    public init?(_ rawValue: String) {
        let bytes = Array(rawValue.utf8)
        guard !bytes.isEmpty, bytes.count <= 256 else { return nil }
        for (offset, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: "\\"), offset == 0, bytes.count > 1 { continue }
            guard Self.isAtomByte(byte) else { return nil }
        }
        self.rawValue = rawValue
    }

    init(unchecked rawValue: String) { self.rawValue = rawValue }

    /// atom-char: any CHAR except atom-specials (RFC 9051 §9).
    static func isAtomByte(_ byte: UInt8) -> Bool {
        guard byte > 0x20, byte < 0x7F else { return false }
        switch byte {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "{"), UInt8(ascii: "%"), UInt8(ascii: "*"),
             UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "]"):
            return false
        default:
            return true
        }
    }

    public static let seen = Flag(unchecked: "\\Seen")
    public static let answered = Flag(unchecked: "\\Answered")
    public static let flagged = Flag(unchecked: "\\Flagged")
    public static let deleted = Flag(unchecked: "\\Deleted")
    public static let draft = Flag(unchecked: "\\Draft")

    public var description: String { rawValue }

    public static func == (lhs: Flag, rhs: Flag) -> Bool { lhs.rawValue.lowercased() == rhs.rawValue.lowercased() }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue.lowercased()) }
}

/// Something a server says it can do (RFC 9051 §7.2.2). Servers add their own, so this is
/// an open set; names are kept upper-case.
public struct Capability: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue.uppercased() }

    public static let imap4rev1 = Capability("IMAP4rev1")
    public static let imap4rev2 = Capability("IMAP4rev2")
    public static let startTLS = Capability("STARTTLS")
    public static let loginDisabled = Capability("LOGINDISABLED")
    public static let authPlain = Capability("AUTH=PLAIN")
    /// SASL initial response in the AUTHENTICATE command (RFC 4959).
    public static let saslIR = Capability("SASL-IR")
    public static let idle = Capability("IDLE")
    public static let move = Capability("MOVE")
    public static let uidPlus = Capability("UIDPLUS")
    public static let condStore = Capability("CONDSTORE")
    public static let qresync = Capability("QRESYNC")
    public static let enable = Capability("ENABLE")
    /// Non-synchronising literals of any size (RFC 7888).
    public static let literalPlus = Capability("LITERAL+")
    /// Non-synchronising literals up to 4,096 bytes (RFC 7888).
    public static let literalMinus = Capability("LITERAL-")
    public static let specialUse = Capability("SPECIAL-USE")
    public static let listExtended = Capability("LIST-EXTENDED")
    public static let threadReferences = Capability("THREAD=REFERENCES")

    public var description: String { rawValue }
}
