import ContentLines
import FuzzerSupport
import VCard

/// One fuzz input: whatever the bytes, parsing returns or throws a typed error; what
/// parses serializes and parses again to the same cards, and converts to both versions.
func fuzz(_ bytes: [UInt8]) {
    let limits = ParserLimits(maxInputSize: 1 << 20, maxLineLength: 1 << 16, maxPropertyCount: 20_000)
    _ = try? VCardParser(options: .init(strict: true, limits: limits)).parse(bytes)
    guard let parsed = try? VCardParser(options: .init(limits: limits)).parse(bytes) else { return }
    let output = VCardSerializer().serialize(parsed.cards)
    guard let reparsed = try? VCardParser().parse(output) else { fatalError("serialized output does not parse again") }
    precondition(reparsed.cards == parsed.cards, "round trip changed the cards")
    for card in parsed.cards {
        for version in [VCardVersion.v3, .v4] {
            let converted = card.converted(to: version)
            precondition(converted.version == version, "conversion did not set the version")
            _ = converted.photo
            _ = converted.addresses
            _ = converted.name
        }
    }
    _ = ContactGroups.collect(from: parsed.cards)
}

/// `VCardFuzzer [libFuzzer options] [CORPUS…]` under libFuzzer, or `VCardFuzzer FILE…` to replay.
@main
struct VCardFuzzerMain {
    static func main() throws {
        try FuzzerMain.run { data, size in
            fuzz(Array(UnsafeBufferPointer(start: data, count: size)))
            return 0
        }
    }
}
