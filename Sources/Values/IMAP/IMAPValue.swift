/// One item of a response's data as the grammar writes it: an atom (numbers, flags and
/// keywords are atoms too), a string (quoted or a literal, as bytes), `NIL`, or a
/// parenthesised list. Responses are read into these first and typed afterwards, so a
/// response the client does not know is still read whole and kept.
public enum IMAPValue: Sendable, Hashable {
    case atom(String)
    case string([UInt8])
    case `nil`
    case list([IMAPValue])

    /// The value as a number, when it is an atom of digits.
    public var number: UInt64? {
        guard case .atom(let text) = self, !text.isEmpty, text.utf8.count <= 19 else { return nil }
        var value: UInt64 = 0
        for byte in text.utf8 {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// The value as a 32-bit number (a UID, a sequence number, a count).
    public var number32: UInt32? { number.flatMap { UInt32(exactly: $0) } }

    /// An atom's or a string's text (strings read as UTF-8, repaired), `nil` for `NIL` and lists.
    public var text: String? {
        switch self {
        case .atom(let text): text
        case .string(let bytes): String(decoding: bytes, as: UTF8.self)
        case .nil, .list: nil
        }
    }

    /// A list's items; `NIL` reads as no items.
    public var items: [IMAPValue]? {
        switch self {
        case .list(let items): items
        case .nil: []
        case .atom, .string: nil
        }
    }

    /// Whether this is the atom `name`, ignoring case.
    public func isAtom(_ name: String) -> Bool {
        guard case .atom(let text) = self else { return false }
        return text.utf8.count == name.utf8.count && text.uppercased() == name.uppercased()
    }
}
