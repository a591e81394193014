import Foundation

/// Text in the charsets mail is written in (RFC 2045 §5.1 `charset`, RFC 2047): UTF-8,
/// US-ASCII, ISO-8859-1, -2, -15 and Windows-1250 to -1254. Names are matched as IANA
/// registers them, with their common aliases.
public enum Charset {
    /// `bytes` read in the charset named, or `nil` when the name is not known here.
    /// Bytes that are not valid in a known charset become U+FFFD, never an error.
    public static func decode(_ bytes: some Collection<UInt8>, charset name: String) -> String? {
        switch name.trimmingASCIIWhitespace().lowercased() {
        case "utf-8", "utf8", "unicode-1-1-utf-8":
            return String(decoding: bytes, as: UTF8.self)
        case "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us":
            return String(String.UnicodeScalarView(bytes.map { $0 < 128 ? Unicode.Scalar($0) : "\u{FFFD}" }))
        case "iso-8859-1", "iso8859-1", "latin1", "l1", "iso_8859-1":
            return latin1(bytes)
        case "iso-8859-15", "iso8859-15", "latin-9", "latin9":
            return String(String.UnicodeScalarView(bytes.map { latin9[$0] ?? Unicode.Scalar($0) }))
        case "iso-8859-2", "iso8859-2", "latin2", "l2": return foundation(bytes, .isoLatin2)
        case "windows-1250", "cp1250": return foundation(bytes, .windowsCP1250)
        case "windows-1251", "cp1251": return foundation(bytes, .windowsCP1251)
        case "windows-1252", "cp1252": return foundation(bytes, .windowsCP1252)
        case "windows-1253", "cp1253": return foundation(bytes, .windowsCP1253)
        case "windows-1254", "cp1254": return foundation(bytes, .windowsCP1254)
        default: return nil
        }
    }

    /// `bytes` as ISO-8859-1: each byte the code point of the same number, so none is lost.
    static func latin1(_ bytes: some Collection<UInt8>) -> String {
        String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    /// Where ISO-8859-15 differs from ISO-8859-1.
    private static let latin9: [UInt8: Unicode.Scalar] = [
        0xA4: "\u{20AC}", 0xA6: "\u{0160}", 0xA8: "\u{0161}", 0xB4: "\u{017D}",
        0xB8: "\u{017E}", 0xBC: "\u{0152}", 0xBD: "\u{0153}", 0xBE: "\u{0178}",
    ]

    private static func foundation(_ bytes: some Collection<UInt8>, _ encoding: String.Encoding) -> String {
        // A single-byte charset's undefined bytes make Foundation give up on the whole text:
        // decode byte by byte then, undefined ones as U+FFFD.
        if let text = String(data: Data(bytes), encoding: encoding) { return text }
        return bytes.map { String(data: Data([$0]), encoding: encoding) ?? "\u{FFFD}" }.joined()
    }
}
