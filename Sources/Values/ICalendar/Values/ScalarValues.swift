public import Foundation
import MIME

/// A CAL-ADDRESS value (RFC 5545 §3.3.3): a URI naming a calendar user, usually `mailto:`.
public struct CalendarUserAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The URI as written.
    public var uri: String

    /// Creates an address from a URI.
    public init(uri: String) { self.uri = uri }

    /// Creates a `mailto:` address.
    public init(email: String) { self.uri = "mailto:" + email }

    /// A `mailto:` address from outside (an API request, a command line): `anna@example.org`
    /// or `mailto:anna@example.org`, held to ``MailAddress``'s rules; `nil` for anything else.
    /// Nothing that passes can carry a parameter, a line break or a second address into a
    /// calendar object.
    public init?(mailAddress text: String) {
        let address = text.utf8.count > 7 && text.prefix(7).lowercased() == "mailto:" ? String(text.dropFirst(7)) : text
        guard let mail = MailAddress(address) else { return nil }
        uri = "mailto:" + mail.address
    }

    /// The e-mail address of a `mailto:` URI (scheme matched case-insensitively).
    public var email: String? {
        guard uri.utf8.count > 7, uri.prefix(7).lowercased() == "mailto:" else { return nil }
        return String(uri.dropFirst(7))
    }

    public var description: String { uri }
}

/// A GEO value (RFC 5545 §3.8.1.6): latitude and longitude in degrees.
public struct Geo: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Degrees north, -90…90.
    public var latitude: Double
    /// Degrees east, -180…180.
    public var longitude: Double

    /// Creates a position.
    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    /// Parses `geovalue = float ";" float`.
    public init(parsing text: some StringProtocol) throws(ValueError) {
        let parts = text.split(separator: ";", omittingEmptySubsequences: false)
        guard parts.count == 2, let latitude = try? ScalarValue.float(parts[0]),
            let longitude = try? ScalarValue.float(parts[1]),
            abs(latitude) <= 90, abs(longitude) <= 180
        else { throw ValueError(type: "GEO", hint: "expected latitude;longitude in degrees") }
        self.init(latitude: latitude, longitude: longitude)
    }

    /// `37.386013;-122.082932`.
    public var icalendarText: String { "\(latitude);\(longitude)" }

    public var description: String { icalendarText }
}

/// Parsers for the value types that map onto Swift scalars (RFC 5545 §3.3).
public enum ScalarValue {
    /// BOOLEAN (§3.3.2): `TRUE` or `FALSE`, case-insensitive.
    public static func boolean(_ text: some StringProtocol) throws(ValueError) -> Bool {
        switch text.uppercased() {
        case "TRUE": return true
        case "FALSE": return false
        default: throw ValueError(type: "BOOLEAN", hint: "expected TRUE or FALSE")
        }
    }

    /// INTEGER (§3.3.8): `["+" / "-"] 1*DIGIT`, within 32 bits.
    public static func integer(_ text: some StringProtocol) throws(ValueError) -> Int {
        let digits = text.first == "+" ? Substring(text).dropFirst() : Substring(text)
        guard let value = Int32(digits) else {
            throw ValueError(type: "INTEGER", hint: "expected a whole number within 32 bits")
        }
        return Int(value)
    }

    /// FLOAT (§3.3.7): `["+" / "-"] 1*DIGIT ["." 1*DIGIT]`.
    public static func float(_ text: some StringProtocol) throws(ValueError) -> Double {
        var body = Substring(text)
        if body.first == "+" || body.first == "-" { body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }),
            let value = Double(text.first == "+" ? String(text.dropFirst()) : String(text))
        else { throw ValueError(type: "FLOAT", hint: "expected a decimal number") }
        return value
    }

    /// BINARY (§3.3.1): base64 with `ENCODING=BASE64`.
    public static func binary(_ text: some StringProtocol) throws(ValueError) -> Data {
        guard let data = Data(base64Encoded: String(text), options: .ignoreUnknownCharacters) else {
            throw ValueError(type: "BINARY", hint: "expected base64")
        }
        return data
    }
}
