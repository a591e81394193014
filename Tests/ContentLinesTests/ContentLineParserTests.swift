import ContentLines
import Testing

private func lines(
    _ text: String, options: ContentLineParser.Options = .init(), strict: Bool = false
) throws(ParseError) -> (lines: [ContentLine], warnings: [ParseWarning]) {
    var diagnostics = Diagnostics(strict: strict)
    var result: [ContentLine] = []
    try ContentLineParser(options: options).parse(Array(text.utf8), diagnostics: &diagnostics) { line, _ in
        result.append(line)
    }
    return (result, diagnostics.warnings)
}

private func written(_ lines: [ContentLine], folding: Bool = true) -> String {
    var writer = ContentLineWriter(folding: folding)
    for line in lines { writer.write(line) }
    return String(decoding: writer.bytes, as: UTF8.self)
}

@Suite struct Unfolding {
    @Test(arguments: ["\r\n ", "\r\n\t", "\n ", "\n\t"])
    func foldedLinesJoin(_ fold: String) throws {
        let (parsed, _) = try lines("DESCRIPTION:This is a lo\(fold)ng description\r\n")
        #expect(parsed == [ContentLine(name: "DESCRIPTION", value: "This is a long description")])
    }

    @Test func locationIsThePhysicalStartLine() throws {
        let (parsed, _) = try lines("A:1\r\nB:2\r\n  continued\r\nC:3\r\n")
        #expect(parsed.map { $0.sourceLocation?.line } == [1, 2, 4])
    }

    @Test func bareLineFeedIsRepairedOnceInLenientMode() throws {
        let (parsed, warnings) = try lines("A:1\nB:2\nC:3\n")
        #expect(parsed.count == 3)
        #expect(warnings.map(\.repair) == [.bareLineFeed])
        #expect(warnings.first?.location.line == 1)
    }

    @Test func bareLineFeedIsRejectedInStrictMode() {
        #expect {
            try lines("A:1\nB:2\n", strict: true)
        } throws: { error in
            (error as? ParseError)?.code == .repairNotAllowed && (error as? ParseError)?.location.line == 1
        }
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let (parsed, warnings) = try lines("\u{FEFF}A:1\r\n")
        #expect(parsed == [ContentLine(name: "A", value: "1")])
        #expect(warnings.isEmpty)
    }

    @Test func latin1LinesAreRepaired() throws {
        var bytes = Array("SUMMARY:Caf".utf8)
        bytes.append(0xE9)  // é in ISO 8859-1
        bytes += Array("\r\n".utf8)
        var diagnostics = Diagnostics(strict: false)
        var parsed: [ContentLine] = []
        try ContentLineParser().parse(bytes, diagnostics: &diagnostics) { line, _ in parsed.append(line) }
        #expect(parsed.first?.value == "Café")
        #expect(diagnostics.warnings.map(\.repair) == [.invalidEncoding])
    }

    @Test func lineWithoutColonJoinsThePreviousValueWhenLenient() throws {
        let (parsed, warnings) = try lines("DESCRIPTION:first part\r\nsecond part, unfolded by a broken client\r\n")
        #expect(parsed.count == 1)
        #expect(parsed[0].value == "first partsecond part, unfolded by a broken client")
        #expect(warnings.map(\.repair) == [.unfoldedContinuation])
    }

    @Test func blankLineInsideAFoldIsSkipped() throws {
        let (parsed, warnings) = try lines("VERSION\n\n :2.0\n")
        #expect(parsed == [ContentLine(name: "VERSION", value: "2.0")])
        #expect(warnings.map(\.repair).contains(.blankLineInFold))
    }
}

@Suite struct Parameters {
    @Test func quotedAndMultipleValues() throws {
        let (parsed, _) = try lines(#"ATTENDEE;CN="Doe, Jane";DELEGATED-TO="mailto:a@x","mailto:b@x":mailto:j@x"# + "\r\n")
        let line = try #require(parsed.first)
        #expect(line.parameter("CN")?.values == ["Doe, Jane"])
        #expect(line.parameter("DELEGATED-TO")?.values == ["mailto:a@x", "mailto:b@x"])
        #expect(line.value == "mailto:j@x")
    }

    @Test func rfc6868CaretEscapesDecode() throws {
        let (parsed, _) = try lines(#"X-T;X-P="a^nb^^c^'d^x":v"# + "\r\n")
        #expect(parsed.first?.parameter("X-P")?.value == "a\nb^c\"d^x")
    }

    @Test func encodingQuotesAndEscapes() {
        let parameter = Parameter(name: "CN", values: ["Doe; \"Jane\"\nJr", "plain"])
        #expect(parameter.rawValue == "\"Doe; ^'Jane^'^nJr\",plain")
        #expect(parameter.values == ["Doe; \"Jane\"\nJr", "plain"])
    }

    @Test func aQuoteBeforeACombiningMarkIsEscaped() throws {
        let value = "x\"\u{0301};ROLE=CHAIR:mailto:evil@x\r\n\u{0301}"
        let parameter = Parameter(name: "CN", value: value)
        #expect(parameter.rawValue?.unicodeScalars.filter { $0 == "\"" }.count == 2)
        let (parsed, _) = try lines(written([ContentLine(name: "ATTENDEE", parameters: [parameter], value: "mailto:a@x")], folding: false))
        #expect(parsed.map(\.name) == ["ATTENDEE"])
        #expect(parsed[0].parameters.map(\.name) == ["CN"])
        #expect(parsed[0].parameter("CN")?.value == TextValue.normalizingLineBreaks(value))
    }

    @Test func lowercaseNamesAreUppercasedWithAWarning() throws {
        let (parsed, warnings) = try lines("dtstart;tzid=Europe/Berlin:20240101T100000\r\n")
        #expect(parsed.first?.name == "DTSTART")
        #expect(parsed.first?.parameter("TZID")?.value == "Europe/Berlin")
        #expect(warnings.map(\.repair) == [.lowercaseName, .lowercaseName])
    }

    @Test func unterminatedQuoteIsATypedError() {
        #expect {
            try lines("ATTENDEE;CN=\"Jane:mailto:j@x\r\n")
        } throws: { error in
            let error = error as? ParseError
            return error?.code == .unterminatedQuote && error?.location.column == 13 && error?.property == "ATTENDEE"
        }
    }

    @Test func groupsAreReadWhenAllowed() throws {
        let (parsed, warnings) = try lines("item1.EMAIL;TYPE=work:a@example.com\r\n", options: .init(allowsGroups: true))
        #expect(parsed.first?.group == "item1")
        #expect(parsed.first?.name == "EMAIL")
        #expect(warnings.isEmpty)
    }
}

@Suite struct Folding {
    @Test func longLinesFoldAt75Octets() throws {
        let line = ContentLine(name: "DESCRIPTION", value: String(repeating: "x", count: 200))
        let text = written([line])
        let physical = text.split(separator: "\r\n", omittingEmptySubsequences: false).dropLast()
        #expect(physical.allSatisfy { $0.utf8.count <= 75 })
        #expect(physical.dropFirst().allSatisfy { $0.hasPrefix(" ") })
        #expect(try lines(text).lines == [line])
    }

    @Test(arguments: ["é", "€", "😀", "日本"])
    func foldingNeverSplitsAUTF8Sequence(_ character: String) throws {
        for padding in 0..<4 {
            let value = String(repeating: "a", count: padding) + String(repeating: character, count: 60)
            let line = ContentLine(name: "SUMMARY", value: value)
            let text = written([line])
            for physical in text.split(separator: "\r\n") {
                #expect(String(validating: Array(physical.utf8), as: UTF8.self) != nil)
                #expect(physical.utf8.count <= 75)
            }
            #expect(try lines(text).lines == [line])
        }
    }
}

@Suite struct Limits {
    @Test func inputSize() {
        let options = ContentLineParser.Options(limits: ParserLimits(maxInputSize: 10))
        #expect { try lines("SUMMARY:more than ten bytes\r\n", options: options) } throws: {
            ($0 as? ParseError)?.code == .inputTooLarge
        }
    }

    @Test func lineLength() {
        let options = ContentLineParser.Options(limits: ParserLimits(maxLineLength: 20))
        #expect { try lines("SUMMARY:short\r\n " + String(repeating: "y", count: 30) + "\r\n", options: options) } throws: {
            ($0 as? ParseError)?.code == .lineTooLong
        }
    }

    @Test func propertyCount() {
        let options = ContentLineParser.Options(limits: ParserLimits(maxPropertyCount: 2))
        #expect { try lines("A:1\r\nB:2\r\nC:3\r\n", options: options) } throws: {
            ($0 as? ParseError)?.code == .tooManyProperties
        }
    }
}

@Suite struct Text {
    @Test(arguments: [
        ("a\\,b\\;c\\\\d\\ne\\Nf", "a,b;c\\d\ne\nf"),
        ("no escapes", "no escapes"),
        ("trailing\\", "trailing\\"),
    ])
    func unescape(_ escaped: String, _ plain: String) {
        #expect(TextValue.unescape(escaped) == plain)
    }

    @Test func escapeRoundTrips() {
        let plain = "Meeting; room 1, floor 2\\3\nbring snacks"
        #expect(TextValue.unescape(TextValue.escape(plain)) == plain)
        #expect(TextValue.escape(plain) == "Meeting\\; room 1\\, floor 2\\\\3\\nbring snacks")
    }

    @Test func listSplitsOnUnescapedCommas() {
        #expect(TextValue.list("a,b\\,c,,d") == ["a", "b,c", "", "d"])
    }

    /// A delimiter followed by a combining mark is one `Character` that equals no delimiter;
    /// the escapes read Unicode scalars, so it is escaped all the same (found by RequestFuzzer).
    @Test(arguments: [",", ";", "\\", "\n", "\r"])
    func aDelimiterBeforeACombiningMarkIsEscaped(_ delimiter: String) throws {
        let plain = "A" + delimiter + "\u{0485}B" + delimiter + "\u{0301}"
        let escaped = TextValue.escape(plain)
        #expect(TextValue.split(escaped, separator: ",").count == 1)
        #expect(TextValue.split(escaped, separator: ";").count == 1)
        #expect(!escaped.unicodeScalars.contains { $0 == "\n" || $0 == "\r" })
        #expect(TextValue.unescape(escaped) == TextValue.normalizingLineBreaks(plain))
    }

    @Test func splitSeesASeparatorBeforeACombiningMark() {
        #expect(TextValue.list("a,\u{0301}b") == ["a", "\u{0301}b"])
        #expect(TextValue.unescape("\\\u{0301}n") == "\u{0301}n")
    }
}

/// Security: no value or parameter, however it was built, ends its content line early
/// (iCalendar and vCard injection; docs/security.md).
@Suite struct LineBreakNeutralizing {
    @Test(arguments: ["Consult\r\nRRULE:FREQ=DAILY", "Consult\nRRULE:FREQ=DAILY", "Consult\rRRULE:FREQ=DAILY", "a\r\n\r\nEND:VEVENT"])
    func aRawValueWithALineBreakStaysOneLine(_ value: String) throws {
        let text = written([ContentLine(name: "SUMMARY", value: value), ContentLine(name: "UID", value: "1")], folding: false)
        let (parsed, _) = try lines(text)
        #expect(parsed.map(\.name) == ["SUMMARY", "UID"], "\(text.debugDescription)")
        #expect(TextValue.unescape(parsed[0].value).contains("RRULE") == value.contains("RRULE"))
    }

    @Test func aRawParameterWithALineBreakStaysOneLine() throws {
        let line = ContentLine(name: "ATTENDEE", parameters: [Parameter(name: "CN", rawValue: "Eve\r\nRRULE:FREQ=DAILY")], value: "mailto:eve@example.org")
        let (parsed, _) = try lines(written([line, ContentLine(name: "UID", value: "1")]))
        #expect(parsed.map(\.name) == ["ATTENDEE", "UID"])
    }

    @Test func textEscapingTakesEveryLineBreak() {
        #expect(TextValue.escape("a\rb\r\nc\nd;e,f\\g") == "a\\nb\\nc\\nd\\;e\\,f\\\\g")
        #expect(TextValue.unescape(TextValue.escape("a\rb")) == "a\nb")
    }
}
