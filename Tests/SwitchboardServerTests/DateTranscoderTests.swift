import Foundation
@testable import SwitchboardServer
import Testing

@Suite struct DateTranscoderTests {
    static let valid: [(String, Double)] = [
        ("2026-03-02T09:00:00Z", 1_772_442_000),
        ("2026-03-02t09:00:00z", 1_772_442_000),
        ("2026-03-02 09:00:00Z", 1_772_442_000),
        ("2026-03-02T10:00:00+01:00", 1_772_442_000),
        ("2026-03-01T22:30:00-10:30", 1_772_442_000),
        ("2026-03-02T09:00:00.250Z", 1_772_442_000.25),
        ("2028-02-29T00:00:00Z", 1_835_395_200),
        ("1970-01-01T00:00:00Z", 0),
    ]

    @Test(arguments: valid)
    func readsRFC3339(_ text: String, _ seconds: Double) throws {
        #expect(try RFC3339DateTranscoder().decode(text).timeIntervalSince1970 == seconds)
    }

    @Test(arguments: ["", "2026-03-02", "2026-03-02T09:00:00", "2026-13-02T09:00:00Z", "2026-02-30T09:00:00Z", "2026-03-02T24:00:00Z",
                      "2026-03-02T09:00:00+1:00", "2026-03-02T09:00:00.Z", "2026-03-02T09:00:00Zjunk", "yesterday", "２０２６-03-02T09:00:00Z"])
    func refusesTheRest(_ text: String) {
        #expect(throws: RFC3339DateTranscoder.Malformed.self) { try RFC3339DateTranscoder().decode(text) }
    }

    @Test func writesUTCWholeSecondsAndReadsThemBack() throws {
        let transcoder = RFC3339DateTranscoder()
        for seconds in stride(from: -86_400.0 * 365 * 30, through: 86_400 * 365 * 80, by: 86_400 * 37.3) {
            let date = Date(timeIntervalSince1970: seconds.rounded(.down))
            let text = try transcoder.encode(date)
            #expect(try transcoder.decode(text) == date, "\(text)")
        }
        #expect(try transcoder.encode(Date(timeIntervalSince1970: 1_772_442_000.9)) == "2026-03-02T09:00:00Z")
    }
}
