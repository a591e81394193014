import ContentLines

/// Writes ``VCard``s: CRLF line breaks, folded at 75 octets, every property as held.
public struct VCardSerializer: Sendable {
    /// Creates a serializer.
    public init() {}

    /// The bytes of `cards`, one after the other.
    public func serialize(_ cards: [VCard]) -> [UInt8] {
        var writer = ContentLineWriter()
        for card in cards {
            writer.write(name: "BEGIN", value: "VCARD")
            for property in card.properties { writer.write(property) }
            writer.write(name: "END", value: "VCARD")
        }
        return writer.bytes
    }

    /// The text of one card.
    public func string(_ card: VCard) -> String {
        String(decoding: serialize([card]), as: UTF8.self)
    }
}
