import ContentLines
import Foundation

/// Decoding of values across vCard versions: RFC 6350 escapes, and the
/// `ENCODING=QUOTED-PRINTABLE` and `CHARSET` of vCard 2.1.
enum VCardText {
    static func decode(_ property: ContentLine, version: VCardVersion) -> String {
        let encoding = property.parameter("ENCODING")?.value?.uppercased()
        let isQuotedPrintable =
            encoding == "QUOTED-PRINTABLE"
            || property.parameters.contains { $0.rawValue == nil && $0.name == "QUOTED-PRINTABLE" }
        if isQuotedPrintable {
            let bytes = quotedPrintableDecode(property.value)
            let charset = property.parameter("CHARSET")?.value?.uppercased()
            if charset == "ISO-8859-1" || charset == "WINDOWS-1252",
                let text = String(bytes: bytes, encoding: .isoLatin1)
            {
                return text
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        return version == .v2_1 ? property.value : TextValue.unescape(property.value)
    }

    /// Decodes quoted-printable (RFC 2045 §6.7); malformed escapes are kept as written.
    static func quotedPrintableDecode(_ text: String) -> [UInt8] {
        let input = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            if input[index] == UInt8(ascii: "="), index + 2 < input.count,
                let high = hexValue(input[index + 1]), let low = hexValue(input[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(input[index])
                index += 1
            }
        }
        return output
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}

/// `TYPE` parameters across versions: `TYPE=work,voice`, `TYPE=work;TYPE=voice`, and
/// vCard 2.1's bare `;WORK;VOICE`.
enum VCardTypes {
    static let bareTypeNames: Set<String> = [
        "HOME", "WORK", "PREF", "VOICE", "FAX", "CELL", "PAGER", "MSG", "VIDEO", "BBS", "MODEM", "CAR", "ISDN",
        "PCS", "INTERNET", "X400", "DOM", "INTL", "POSTAL", "PARCEL", "GIF", "JPEG", "PNG",
    ]

    static func types(of property: ContentLine) -> [String] {
        var types: [String] = []
        for parameter in property.parameters {
            if parameter.name == "TYPE" {
                // `TYPE="work,voice"` (RFC 6350's own example) is a list too.
                types += parameter.values.flatMap { $0.split(separator: ",") }.map { $0.lowercased() }
            } else if parameter.rawValue == nil, bareTypeNames.contains(parameter.name) {
                types.append(parameter.name.lowercased())
            }
        }
        return types
    }
}
