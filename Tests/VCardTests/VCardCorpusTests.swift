import ContentLines
import Foundation
import SwitchboardTestSupport
import Testing
import VCard

@Suite struct VCardCorpus {
    static let expectedFailures: [String: String] = [
        "calcard/vcard/073.vcf": "property name with '/' (X-messaging/xmpp-All) right after BEGIN",
        "ical/libical/test-data/user-cal.vcf": "an iCalendar file named .vcf",
    ]

    static let files =
        Corpus.files(endingIn: [".vcf"])
        + Corpus.files(endingIn: [""], under: "ical/libical/test-data").filter { $0.contains("vcardfuzz") }

    @Test func corpusIsPresent() {
        #expect(Self.files.count > 120)
    }

    @Test(arguments: files)
    func parsesOrFailsCleanly(_ path: String) throws {
        let bytes = try Corpus.bytes(path)
        let parsed: ParsedVCards
        do {
            parsed = try VCardParser().parse(bytes)
        } catch {
            let expected = Self.expectedFailures[path] != nil || path.contains("vcardfuzz")
            #expect(expected, "\(path) failed: \(error)")
            return
        }
        #expect(Self.expectedFailures[path] == nil, "\(path) is listed as failing but parses")
        // Nothing silently dropped.
        let repairs = Dictionary(grouping: parsed.warnings, by: \.repair).mapValues(\.count)
        let expected = try contentLineCount(bytes) - (repairs[.strayEnd] ?? 0) + (repairs[.missingEnd] ?? 0)
        let output = VCardSerializer().serialize(parsed.cards)
        #expect(try contentLineCount(output) == expected, "\(path) lost or gained content lines")
        let reparsed = try VCardParser().parse(output)
        #expect(reparsed.cards == parsed.cards)

        // Every card converts to both versions and back to the same text values.
        for card in parsed.cards {
            for target in [VCardVersion.v4, .v3] {
                let converted = card.converted(to: target)
                #expect(converted.version == target)
                let written = VCardSerializer().serialize([converted])
                let read = try VCardParser().parse(written).cards
                #expect(read == [converted], "\(path) → \(target.rawValue) did not survive a round trip")
                #expect(converted.formattedName == card.formattedName, "\(path) → \(target.rawValue) changed FN")
                #expect(converted.emails.map(\.value) == card.emails.map(\.value))
            }
        }
    }

    @Test(arguments: files)
    func cleanFilesRoundTripToIdenticalContentLines(_ path: String) throws {
        let bytes = try Corpus.bytes(path)
        guard let parsed = try? VCardParser().parse(bytes),
            parsed.warnings.allSatisfy({ $0.repair == .bareLineFeed })
        else { return }
        let output = VCardSerializer().serialize(parsed.cards)
        #expect(try contentLines(output) == contentLines(bytes), "\(path) did not round-trip")
    }
}

private func contentLines(_ bytes: [UInt8]) throws -> [ContentLine] {
    var diagnostics = Diagnostics(strict: false)
    var lines: [ContentLine] = []
    let options = ContentLineParser.Options(
        allowsGroups: true, allowsParametersWithoutValue: true, joinsQuotedPrintableSoftBreaks: true)
    try ContentLineParser(options: options).parse(bytes, diagnostics: &diagnostics) { line, _ in lines.append(line) }
    return lines
}

private func contentLineCount(_ bytes: [UInt8]) throws -> Int {
    try contentLines(bytes).count
}
