import Foundation
import SwitchboardTestSupport
import Testing
import VCard

/// Inputs the fuzzer once failed on: each parses or fails typed, and what it writes
/// parses to the same.
@Suite struct VCardFuzzRegressions {
    static let files = Regressions.files()

    @Test func regressionsArePresent() { #expect(!Self.files.isEmpty) }

    @Test(arguments: files)
    func roundTripIsStable(_ path: String) throws {
        // Failing with a typed error is fine; trapping or changing on a round trip is not.
        guard let parsed = try? VCardParser().parse(Array(try Data(contentsOf: URL(fileURLWithPath: path)))) else { return }
        let reparsed = try VCardParser().parse(VCardSerializer().serialize(parsed.cards))
        #expect(reparsed.cards == parsed.cards)
    }
}
