import Foundation
import SwitchboardTestSupport
import Testing

/// Runs the built `switchboard` executable as a user would.
private func run(_ arguments: [String], input: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
    let binary = Bundle.main.bundleURL.appendingPathComponent("switchboard")
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    let stdout = Pipe()
    let stderr = Pipe()
    let stdin = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try stdin.fileHandleForWriting.close()
    let out = stdout.fileHandleForReading.readDataToEndOfFile()
    let err = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
}

private func temporaryFile(_ contents: String, suffix: String) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-\(UUID().uuidString)\(suffix)")
    try Data(contents.utf8).write(to: url)
    return url.path
}

@Suite struct ICSCommands {
    static let event = """
        BEGIN:VCALENDAR\r
        VERSION:2.0\r
        PRODID:-//test//EN\r
        BEGIN:VEVENT\r
        UID:1\r
        DTSTAMP:20240101T000000Z\r
        DTSTART:20240101T100000Z\r
        SUMMARY:Hello\r
        END:VEVENT\r
        BEGIN:VTODO\r
        UID:2\r
        DTSTAMP:20240101T000000Z\r
        END:VTODO\r
        END:VCALENDAR\r

        """

    @Test func validatePrintsASummaryLine() throws {
        let result = try run(["ics", "validate", try temporaryFile(Self.event, suffix: ".ics")])
        #expect(result.status == 0)
        #expect(result.stdout.split(separator: "\n").last == "components=3 events=1 todos=1 timezones=0 warnings=0")
    }

    @Test func lenientValidationReportsEachRepairWithItsLine() throws {
        let broken = Self.event.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "SUMMARY:Hello", with: "summary:Hello, world")
        let path = try temporaryFile(broken, suffix: ".ics")
        let lenient = try run(["ics", "validate", path])
        #expect(lenient.status == 0)
        #expect(lenient.stderr.contains("\(path):1:16: warning: bare-line-feed"))
        #expect(lenient.stderr.contains("\(path):8:1: warning: lowercase-name"))
        #expect(lenient.stderr.contains("\(path):8:9: warning: unescaped-text"))
        #expect(lenient.stdout.hasSuffix("warnings=3\n"))
        let strict = try run(["ics", "validate", "--strict", path])
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("\(path):1:16: error: repair-not-allowed"))
    }

    @Test func unparseableFileExitsOneWithLineAndColumn() throws {
        let path = try temporaryFile("BEGIN:VCALENDAR\r\nATTENDEE;CN=\"open:mailto:a@b\r\n", suffix: ".ics")
        let result = try run(["ics", "validate", path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(path):2:13: error: unterminated-quote: ATTENDEE:"))
    }

    @Test func normalizeWritesCRLFAndFolds() throws {
        let long = Self.event.replacingOccurrences(of: "SUMMARY:Hello", with: "SUMMARY:" + String(repeating: "long ", count: 30))
        let result = try run(["ics", "normalize", "-"], input: long.replacingOccurrences(of: "\r\n", with: "\n"))
        #expect(result.status == 0)
        #expect(result.stdout.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 75 })
        #expect(result.stdout.replacingOccurrences(of: "\r\n ", with: "") == long)
    }

    @Test func normalizeCanAddMissingTimeZones() throws {
        let zoned = Self.event.replacingOccurrences(of: "DTSTART:20240101T100000Z", with: "DTSTART;TZID=Europe/Paris:20240101T100000")
        let result = try run(["ics", "normalize", "--add-missing-timezones", "-"], input: zoned)
        #expect(result.status == 0)
        #expect(result.stdout.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n"))
    }
}

@Suite struct ExpandCommand {
    static let series = """
        BEGIN:VCALENDAR\r
        VERSION:2.0\r
        PRODID:-//test//EN\r
        BEGIN:VEVENT\r
        UID:standup\r
        DTSTART;TZID=Europe/Berlin:20240325T090000\r
        DTEND;TZID=Europe/Berlin:20240325T091500\r
        RRULE:FREQ=DAILY;COUNT=10\r
        EXDATE;TZID=Europe/Berlin:20240327T090000\r
        END:VEVENT\r
        BEGIN:VEVENT\r
        UID:holiday\r
        DTSTART;VALUE=DATE:20240329\r
        END:VEVENT\r
        END:VCALENDAR\r

        """

    @Test func jsonLinesAcrossTheDSTChange() throws {
        let path = try temporaryFile(Self.series, suffix: ".ics")
        let result = try run(["ics", "expand", path, "--from", "20240325", "--to", "2024-03-30T00:00:00+01:00", "--format", "jsonl"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == #"{"uid":"standup","recurrence_id":"20240325T090000","start":"20240325T090000","end":"20240325T091500","start_utc":"2024-03-25T08:00:00Z","end_utc":"2024-03-25T08:15:00Z"}"#)
        // 09:00 Berlin is 08:00 UTC before 31 March and 07:00 UTC after; 27 March is excluded.
        #expect(lines.contains(#"{"uid":"holiday","recurrence_id":"20240329","start":"20240329","end":"20240330","start_utc":null,"end_utc":null}"#))
        #expect(!result.stdout.contains("20240327T090000"))
        #expect(lines.count == 5)
    }

    /// A UID with quotes, a backslash and a tab stays one JSON string on its line.
    @Test func jsonLinesEscapeTheUID() throws {
        let event = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:a\"b\\c\td\r\nDTSTAMP:20240101T000000Z\r\n"
            + "DTSTART:20240101T100000Z\r\nDTEND:20240101T110000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        let result = try run(["ics", "expand", try temporaryFile(event, suffix: ".ics"), "--from", "20240101", "--to", "20240102", "--format", "jsonl"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        let object = try JSONSerialization.jsonObject(with: Data((lines.first ?? "").utf8)) as? [String: Any]
        #expect(object?["uid"] as? String == "a\"b\\c\td")
    }

    @Test func limitWithoutTo() throws {
        let path = try temporaryFile(Self.series, suffix: ".ics")
        let result = try run(["ics", "expand", path, "--from", "20240401T000000", "--limit", "2", "--format", "jsonl"])
        #expect(result.stdout.split(separator: "\n").map { $0.contains("\"start_utc\":\"2024-04-01T07:00:00Z\"") || $0.contains("2024-04-02T07:00:00Z") } == [true, true])
        let missing = try run(["ics", "expand", path, "--from", "20240401"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("--to may be left out only with --limit"))
    }
}

@Suite struct VCardCommands {
    static let card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Anna\r\nN:;Anna;;;\r\nEMAIL;TYPE=INTERNET,pref:anna@example.com\r\nCATEGORIES:Clients\r\nUID:a1\r\nEND:VCARD\r\n"

    @Test func validatePrintsASummaryLine() throws {
        let result = try run(["vcard", "validate", try temporaryFile(Self.card, suffix: ".vcf")])
        #expect(result.status == 0)
        #expect(result.stdout == "cards=1 v2.1=0 v3.0=1 v4.0=0 groups=1 warnings=0\n")
    }

    @Test func normalizeConvertsVersions() throws {
        let result = try run(["vcard", "normalize", "--to", "4.0", "-"], input: Self.card)
        #expect(result.status == 0)
        #expect(result.stdout.contains("VERSION:4.0\r\n"))
        #expect(result.stdout.contains("EMAIL;TYPE=INTERNET;PREF=1:anna@example.com\r\n"))
        let wrong = try run(["vcard", "normalize", "--to", "5.0", "-"], input: Self.card)
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("--to takes 3.0 or 4.0"))
    }

    @Test func brokenCardExitsOne() throws {
        let result = try run(["vcard", "validate", try temporaryFile("FN:nobody\r\n", suffix: ".vcf")])
        #expect(result.status == 1)
        #expect(result.stderr.contains(":1:1: error: property-outside-component"))
    }
}
