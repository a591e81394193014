import ContentLines
import ICalendar
import Testing

private func calendar(_ body: String) -> String {
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + body + "END:VCALENDAR\r\n"
}

/// Each known breakage is repaired with a warning naming its line in lenient mode and
/// refused with a typed error in strict mode.
@Suite struct Repairs {
    static let cases: [(name: String, text: String, repair: Repair, line: Int)] = [
        ("bare LF", "BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n", .bareLineFeed, 1),
        ("lowercase names", calendar("begin:vevent\r\nuid:1\r\nend:vevent\r\n"), .lowercaseName, 4),
        ("missing END:VCALENDAR", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", .missingEnd, 1),
        ("END out of order", calendar("BEGIN:VEVENT\r\nUID:1\r\n"), .missingEnd, 6),
        ("offset +5:30", calendar("BEGIN:VTIMEZONE\r\nTZID:X\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+5:30\r\nTZOFFSETTO:+0530\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"), .utcOffset, 8),
        ("duration in DTEND", calendar("BEGIN:VEVENT\r\nUID:1\r\nDTSTART:20240101T100000Z\r\nDTEND:PT1H\r\nEND:VEVENT\r\n"), .durationInEnd, 7),
        ("DTEND and DURATION", calendar("BEGIN:VEVENT\r\nUID:1\r\nDTSTART:20240101T100000Z\r\nDTEND:20240101T110000Z\r\nDURATION:PT1H\r\nEND:VEVENT\r\n"), .endAndDuration, 4),
        ("unescaped comma", calendar("BEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Lunch, then coffee\r\nEND:VEVENT\r\n"), .unescapedText, 6),
        ("stray END", calendar("END:VEVENT\r\n"), .strayEnd, 4),
        ("property after END", calendar("") + "X-COMMENT:late\r\n", .propertyAfterEnd, 5),
        ("escaped RRULE", calendar("BEGIN:VEVENT\r\nUID:1\r\nDTSTART:20240101T100000Z\r\nRRULE:FREQ=DAILY\\;COUNT=10\r\nEND:VEVENT\r\n"), .escapedRecurrenceRule, 7),
        ("invalid date", calendar("BEGIN:VEVENT\r\nUID:1\r\nDTSTART:20240230T100000Z\r\nEND:VEVENT\r\n"), .invalidValue, 6),
    ]

    @Test(arguments: cases)
    func lenientRepairsAndReports(_ testCase: (name: String, text: String, repair: Repair, line: Int)) throws {
        let parsed = try ICalendarParser().parse(testCase.text)
        let warning = try #require(parsed.warnings.first { $0.repair == testCase.repair }, "\(testCase.name)")
        #expect(warning.location.line == testCase.line, "\(testCase.name)")
    }

    @Test(arguments: cases)
    func strictRefuses(_ testCase: (name: String, text: String, repair: Repair, line: Int)) {
        #expect(throws: ParseError.self, "\(testCase.name)") {
            try ICalendarParser(options: .init(strict: true)).parse(testCase.text)
        }
    }

    @Test func repairsChangeOnlyTheRepairedValue() throws {
        let parsed = try ICalendarParser().parse(
            calendar("BEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Lunch, then coffee\r\nDTEND:PT1H\r\nX-KEEP;X-P=\"a,b\":c;d\r\nEND:VEVENT\r\n"))
        let event = try #require(parsed.calendar?.components.first)
        #expect(event.property("SUMMARY")?.value == "Lunch\\, then coffee")
        #expect(event.property("DURATION")?.value == "PT1H")
        #expect(event.property("X-KEEP")?.value == "c;d")
        #expect(event.property("X-KEEP")?.parameter("X-P")?.rawValue == "\"a,b\"")
    }

    @Test func invalidValuesAreKeptAsWritten() throws {
        let text = calendar("BEGIN:VEVENT\r\nUID:1\r\nDTSTART:tomorrow\r\nEND:VEVENT\r\n")
        let parsed = try ICalendarParser().parse(text)
        #expect(ICalendarSerializer().string(parsed.calendar!) == text)
        #expect(parsed.warnings.first?.location == SourceLocation(line: 6, column: 9))
    }
}

@Suite struct StructuralErrors {
    @Test func nestingDepthIsLimited() {
        let deep = String(repeating: "BEGIN:X\r\n", count: 40)
        #expect { try ICalendarParser().parse(deep) } throws: { ($0 as? ParseError)?.code == .nestingTooDeep }
    }

    @Test func componentCountIsLimited() {
        let options = ICalendarParser.Options(limits: ParserLimits(maxComponentCount: 3))
        let text = calendar(String(repeating: "BEGIN:VEVENT\r\nEND:VEVENT\r\n", count: 3))
        #expect { try ICalendarParser(options: options).parse(text) } throws: {
            ($0 as? ParseError)?.code == .tooManyComponents
        }
    }

    @Test func propertyBeforeAnyComponent() {
        #expect { try ICalendarParser().parse("VERSION:2.0\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n") } throws: {
            let error = $0 as? ParseError
            return error?.code == .propertyOutsideComponent && error?.location.line == 1 && error?.property == "VERSION"
        }
    }

    @Test func emptyInput() {
        #expect { try ICalendarParser().parse("") } throws: { ($0 as? ParseError)?.code == .noContent }
    }

    @Test func errorDescriptionsNameLineColumnAndPropertyButNotTheValue() {
        let error = ParseError(.invalidValue, at: SourceLocation(line: 3, column: 9), property: "DTSTART", hint: "no such day")
        #expect(error.description == "line 3, column 9: invalid-value: DTSTART: no such day")
    }
}
