public import ContentLines
public import Foundation

/// A `PHOTO`, `LOGO` or `SOUND`: inline bytes or a URI, in any version's form
/// (`ENCODING=b;TYPE=JPEG`, 2.1's `ENCODING=BASE64`, 4.0's `data:` URI).
public enum Media: Sendable, Hashable {
    /// Bytes carried in the card, with their media type when known (`image/jpeg`).
    case inline(Data, mediaType: String?)
    /// A reference.
    case uri(String)

    /// Reads a property; `nil` when inline data is not valid base64.
    public init?(property: ContentLine) {
        let value = property.value
        if value.hasPrefix("data:") {
            guard let comma = value.firstIndex(of: ",") else { return nil }
            let header = value[value.index(value.startIndex, offsetBy: 5)..<comma]
            let payload = String(value[value.index(after: comma)...])
            guard header.hasSuffix(";base64"), let data = Data(base64Encoded: payload, options: .ignoreUnknownCharacters)
            else { return nil }
            let mediaType = header.dropLast(7)
            self = .inline(data, mediaType: mediaType.isEmpty ? nil : String(mediaType))
            return
        }
        let encoding = property.parameter("ENCODING")?.value?.uppercased()
        let isBase64 =
            encoding == "B" || encoding == "BASE64"
            || property.parameters.contains { $0.rawValue == nil && $0.name == "BASE64" }
        guard isBase64 else {
            self = .uri(value)
            return
        }
        guard let data = Data(base64Encoded: value, options: .ignoreUnknownCharacters) else { return nil }
        let type =
            property.parameter("TYPE")?.value
            ?? property.parameters.first { $0.rawValue == nil && VCardTypes.bareTypeNames.contains($0.name) }?.name
        self = .inline(data, mediaType: type.map(Media.mediaType(forVCard3Type:)))
    }

    /// `image/jpeg` for 3.0's `JPEG`; a value that is already a media type stays.
    static func mediaType(forVCard3Type type: String) -> String {
        type.contains("/") ? type.lowercased() : "image/" + type.lowercased()
    }

    /// The 3.0 `TYPE` for a media type (`image/jpeg` → `JPEG`).
    static func vCard3Type(forMediaType mediaType: String) -> String {
        (mediaType.split(separator: "/").last.map(String.init) ?? mediaType).uppercased()
    }
}
