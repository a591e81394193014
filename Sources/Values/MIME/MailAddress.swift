/// A mail address from outside (an API request, a command line, a header): an RFC 5322
/// addr-spec with a dot-atom local part and a host name (UTF-8 allowed, RFC 6531), at most
/// ``maxBytes``. Nothing that passes can carry a space, a quote, a line break, a parameter or
/// a second address into a header or a calendar object.
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address, `local@domain`.
    public let address: String

    /// The longest address accepted, in bytes (RFC 5321 §4.5.3.1: 64 for the local part, 255
    /// for the domain).
    public static let maxBytes = 320

    /// The address in `text`, or `nil` when it is not one.
    ///
    ///     addr-spec = dot-atom "@" domain     ; RFC 5322 §3.4.1, without quoted local parts or literals
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count <= Self.maxBytes, let at = bytes.lastIndex(of: UInt8(ascii: "@")) else { return nil }
        let local = bytes[..<at]
        let domain = bytes[(at + 1)...]
        guard (1...64).contains(local.count), (1...255).contains(domain.count),
              Self.isDotAtom(local, allowed: Self.atomBytes), Self.isDotAtom(domain, allowed: Self.labelBytes),
              !domain.split(separator: UInt8(ascii: ".")).contains(where: {
                  $0.first == UInt8(ascii: "-") || $0.last == UInt8(ascii: "-") || $0.count > 63
              })
        else { return nil }
        address = text
    }

    public var description: String { address }

    /// RFC 5322 `atext`: letters, digits and ``!#$%&'*+-/=?^_`{|}~``.
    private static let atomBytes = Set(Array("!#$%&'*+-/=?^_`{|}~".utf8))
    /// A host name label's punctuation (letters and digits are allowed everywhere).
    private static let labelBytes = Set(Array("-".utf8))

    /// Whether `bytes` are atoms of letters, digits, `allowed` bytes or non-ASCII UTF-8,
    /// separated by single dots.
    private static func isDotAtom(_ bytes: ArraySlice<UInt8>, allowed: Set<UInt8>) -> Bool {
        var previousWasDot = true
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if previousWasDot { return false }
                previousWasDot = true
                continue
            }
            previousWasDot = false
            let isAlphanumeric = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            guard isAlphanumeric || byte >= 0x80 || allowed.contains(byte) else { return false }
        }
        return !previousWasDot
    }
}
