import ContentLines
import Foundation
import ICalendar
import SwitchboardTestSupport
import Testing

/// Every iCalendar file of the shared corpus either parses or fails with a typed error;
/// nothing is silently dropped; what parses strictly round-trips to identical content lines.
@Suite struct ICalendarCorpus {
    /// Files that do not parse even leniently, with the reason. All are deliberately broken.
    static let expectedFailures: [String: String] = [
        "calcard/ical/049.ics": "fuzzer output: binary garbage before BEGIN",
        "calcard/ical/049.ics.out": "that library's output for the garbage input holds no component",
        "calcard/ical/050.ics": "fuzzer output: binary garbage before BEGIN",
        "calcard/ical/050.ics.out": "that library's output for the garbage input holds no component",
        "ical/libical/src/test/2446.ics": "no BEGIN line at all",
        "ical/libical/test-data/caltime.ics": "fuzzer input: DTSTART line without ':'",
        "ical/libical/test-data/crash.ics": "crash reproducer: '.' inside a parameter name",
        "ical/libical/test-data/get_char_test.ics": "fuzzer input: control characters in names",
        "ical/libical/test-data/issue250.ics": "crash reproducer: 'BEGIN;' with an empty parameter and no value",
        "ical/libical/test-data/issue251.ics": "crash reproducer: '^' inside a parameter name",
        "ical/libical/test-data/issue252.ics": "crash reproducer: '@' in a component name",
        "ical/libical/test-data/issue253.ics": "crash reproducer: control character in a component name",
        "ical/libical/test-data/malloc.ics": "fuzzer input: parameter without a name",
        "ical/libical/test-data/zday.ics": "fuzzer input: quoted parameter value never closed",
        "ical/python-icalendar/calendars/fuzz_testcase_0_char_in_component_name.ics":
            "fuzzer input: control character in a component name",
    ]

    static let files = Corpus.files(endingIn: [".ics", ".ics.out"])

    @Test func corpusIsPresent() {
        #expect(Self.files.count > 1500, "the shared corpus was not found at \(Corpus.root.path)")
    }

    @Test(arguments: files)
    func parsesOrFailsCleanly(_ path: String) throws {
        let bytes = try Corpus.bytes(path)
        let parsed: ParsedCalendar
        do {
            parsed = try ICalendarParser().parse(bytes)
        } catch {
            #expect(Self.expectedFailures[path] != nil, "\(path) failed: \(error)")
            return
        }
        #expect(Self.expectedFailures[path] == nil, "\(path) is listed as failing but parses")

        // Nothing silently dropped: every content line comes back, less stray ENDs,
        // plus the ENDs that were missing.
        let inputLines = try contentLineCount(bytes, strict: false)
        let repairs = Dictionary(grouping: parsed.warnings, by: \.repair).mapValues(\.count)
        let expected = inputLines - (repairs[.strayEnd] ?? 0) + (repairs[.missingEnd] ?? 0)
        let output = ICalendarSerializer().serialize(parsed.components)
        #expect(try contentLineCount(output, strict: false) == expected, "\(path) lost or gained content lines")

        // Serializing is idempotent and what we write parses again to the same tree.
        let reparsed = try ICalendarParser().parse(output)
        #expect(reparsed.components == parsed.components, "\(path) changed on a second round trip")
        #expect(ICalendarSerializer().serialize(reparsed.components) == output)
    }

    /// Files whose only breakage is their line endings (most of the corpus was stored
    /// with LF) must parse strictly once CRLF is restored, and round-trip to identical
    /// content lines: only folding and line endings may change.
    @Test(arguments: files)
    func cleanFilesRoundTripToIdenticalContentLines(_ path: String) throws {
        let bytes = try Corpus.bytes(path)
        guard let parsed = try? ICalendarParser().parse(bytes), isClean(parsed) else { return }
        let strict = try ICalendarParser(options: .init(strict: true)).parse(withCRLF(bytes))
        #expect(strict.components == parsed.components)
        let output = ICalendarSerializer().serialize(parsed.components)
        #expect(try contentLines(output) == contentLines(bytes), "\(path) did not round-trip")
    }

    @Test func mostOfTheCorpusIsClean() {
        let clean = Self.files.filter { path in
            (try? ICalendarParser().parse(Corpus.bytes(path))).map(isClean) ?? false
        }
        // A floor, not a target: it keeps a regression from hiding behind leniency.
        #expect(clean.count * 100 / Self.files.count >= 90, "only \(clean.count) of \(Self.files.count) are clean")
    }
}

private func isClean(_ parsed: ParsedCalendar) -> Bool {
    parsed.warnings.allSatisfy { $0.repair == .bareLineFeed }
}

private func withCRLF(_ bytes: [UInt8]) -> [UInt8] {
    var result: [UInt8] = []
    result.reserveCapacity(bytes.count + bytes.count / 20)
    for (index, byte) in bytes.enumerated() {
        if byte == UInt8(ascii: "\n"), index == 0 || bytes[index - 1] != UInt8(ascii: "\r") {
            result.append(UInt8(ascii: "\r"))
        }
        result.append(byte)
    }
    return result
}

private func contentLines(_ bytes: [UInt8]) throws -> [ContentLine] {
    var diagnostics = Diagnostics(strict: false)
    var lines: [ContentLine] = []
    try ContentLineParser().parse(bytes, diagnostics: &diagnostics) { line, _ in lines.append(line) }
    return lines
}

private func contentLineCount(_ bytes: [UInt8], strict: Bool) throws -> Int {
    var diagnostics = Diagnostics(strict: strict)
    var count = 0
    try ContentLineParser().parse(bytes, diagnostics: &diagnostics) { _, _ in count += 1 }
    return count
}
