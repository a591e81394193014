/// A mailbox's name, as text. On the wire it is modified UTF-7 (RFC 3501 §5.1.3): printable
/// ASCII stands for itself, `&` is `&-`, and anything else is UTF-16 in a modified base64
/// between `&` and `-`. `INBOX` is the same mailbox in any case (RFC 9051 §5.1).
public struct MailboxName: Sendable, Hashable, CustomStringConvertible, Comparable {
    /// The name as people read it.
    public let name: String

    public static let inbox = MailboxName("INBOX")

    public init(_ name: String) {
        self.name = name.uppercased() == "INBOX" ? "INBOX" : name
    }

    /// A name as it came over the wire; bytes that are not valid modified UTF-7 are kept as
    /// they are (read as UTF-8), so a server's odd name still names its mailbox.
    public init(wire bytes: [UInt8]) {
        self.init(Self.decodeModifiedUTF7(bytes) ?? String(decoding: bytes, as: UTF8.self))
    }

    /// The name in modified UTF-7, as commands send it.
    public var wireBytes: [UInt8] { Self.encodeModifiedUTF7(name) }

    public var description: String { name }
    public static func < (lhs: MailboxName, rhs: MailboxName) -> Bool { lhs.name < rhs.name }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".utf8)

    static func encodeModifiedUTF7(_ text: String) -> [UInt8] {
        var output: [UInt8] = []
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            var bytes: [UInt8] = []
            for unit in pending { bytes.append(UInt8(unit >> 8)); bytes.append(UInt8(unit & 0xFF)) }
            output.append(UInt8(ascii: "&"))
            var index = 0
            while index < bytes.count {
                let chunk = bytes[index..<min(index + 3, bytes.count)]
                let b0 = chunk[chunk.startIndex]
                let b1 = chunk.count > 1 ? chunk[chunk.startIndex + 1] : 0
                let b2 = chunk.count > 2 ? chunk[chunk.startIndex + 2] : 0
                output.append(alphabet[Int(b0 >> 2)])
                output.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
                if chunk.count > 1 { output.append(alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)]) }
                if chunk.count > 2 { output.append(alphabet[Int(b2 & 0x3F)]) }
                index += 3
            }
            output.append(UInt8(ascii: "-"))
            pending.removeAll()
        }
        for scalar in text.unicodeScalars {
            if scalar.value >= 0x20, scalar.value <= 0x7E {
                flush()
                output.append(UInt8(scalar.value))
                if scalar == "&" { output.append(UInt8(ascii: "-")) }
            } else {
                pending.append(contentsOf: String(scalar).utf16)
            }
        }
        flush()
        return output
    }

    static func decodeModifiedUTF7(_ bytes: [UInt8]) -> String? {
        var result = ""
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte >= 0x20, byte <= 0x7E else { return nil }
            guard byte == UInt8(ascii: "&") else {
                result.unicodeScalars.append(Unicode.Scalar(byte))
                index += 1
                continue
            }
            guard let end = bytes[(index + 1)...].firstIndex(of: UInt8(ascii: "-")) else { return nil }
            if end == index + 1 {
                result.append("&")
                index = end + 1
                continue
            }
            var bits: UInt32 = 0
            var bitCount = 0
            var units: [UInt16] = []
            var pendingHigh: UInt16?
            for symbol in bytes[(index + 1)..<end] {
                guard let value = alphabet.firstIndex(of: symbol) else { return nil }
                bits = bits << 6 | UInt32(value)
                bitCount += 6
                if bitCount >= 8 {
                    bitCount -= 8
                    let octet = UInt16((bits >> UInt32(bitCount)) & 0xFF)
                    if let high = pendingHigh {
                        units.append(high << 8 | octet)
                        pendingHigh = nil
                    } else {
                        pendingHigh = octet
                    }
                }
            }
            guard pendingHigh == nil, let decoded = String(validating: units, as: UTF16.self) else { return nil }
            result += decoded
            index = end + 1
        }
        return result
    }
}

/// One mailbox a LIST response names (RFC 9051 §7.3.1): its attributes, its hierarchy
/// separator (any character a server uses, or none for a flat namespace) and its name.
public struct ListEntry: Sendable, Hashable {
    public var attributes: [Flag]
    public var separator: Character?
    public var name: MailboxName

    public init(attributes: [Flag], separator: Character?, name: MailboxName) {
        self.attributes = attributes
        self.separator = separator
        self.name = name
    }

    /// What the mailbox is for, by its special-use attribute (RFC 6154), if it has one.
    public var specialUse: SpecialUse? {
        for attribute in attributes {
            if let use = SpecialUse(rawValue: attribute.rawValue.lowercased()) { return use }
        }
        return name == .inbox ? .inbox : nil
    }

    /// Whether the mailbox can be selected (no `\Noselect` or `\NonExistent`).
    public var isSelectable: Bool {
        !attributes.contains(Flag(unchecked: "\\Noselect")) && !attributes.contains(Flag(unchecked: "\\NonExistent"))
    }

    /// The special uses of RFC 6154, and the inbox.
    public enum SpecialUse: String, Sendable, Hashable, CaseIterable {
        case inbox = "inbox"
        case all = "\\all"
        case archive = "\\archive"
        case drafts = "\\drafts"
        case flagged = "\\flagged"
        case junk = "\\junk"
        case sent = "\\sent"
        case trash = "\\trash"

        /// The name the API and CLI show (`sent`, `trash`, …).
        public var label: String { rawValue.hasPrefix("\\") ? String(rawValue.dropFirst()) : rawValue }
    }
}
