import ArgumentParser
import ContentLines
import ICalendar

/// `switchboard ics …`: iCalendar files.
struct ICSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ics",
        abstract: "Validate, normalize and expand iCalendar (RFC 5545) files.",
        subcommands: [Validate.self, Normalize.self, Expand.self]
    )

    /// Parses the input, reporting warnings and errors on standard error.
    static func parse(_ input: InputOptions) throws -> ParsedCalendar {
        try InputFile.parse(input.file) { (bytes) throws(ParseError) in
            let parsed = try ICalendarParser(options: .init(strict: input.strict)).parse(bytes)
            return (parsed, parsed.warnings)
        }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that a file parses; print repairs as warnings and a summary line.",
            discussion: "Exit status 0 when the file parses, 1 when it does not."
        )

        @OptionGroup var input: InputOptions

        func run() async throws {
            let parsed = try ICSCommand.parse(input)
            print(CalendarSummary(parsed).line)
        }
    }

    struct Normalize: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Parse a file and write it back: CRLF, folded at 75 octets, repairs applied."
        )

        @OptionGroup var input: InputOptions

        @Flag(help: "Add a VTIMEZONE from the IANA database for each TZID the file uses but does not define.")
        var addMissingTimezones = false

        func run() async throws {
            var components = try ICSCommand.parse(input).components
            if addMissingTimezones {
                for index in components.indices where components[index].name == ComponentName.calendar {
                    for tzid in components[index].addMissingTimeZones() {
                        StandardError.write("\(input.file): warning: no time zone found for TZID \(tzid)")
                    }
                }
            }
            StandardOutput.write(ICalendarSerializer().serialize(components))
        }
    }
}

/// The counts `ics validate` prints.
struct CalendarSummary {
    var components = 0
    var events = 0
    var todos = 0
    var timeZones = 0
    var warnings = 0

    init(_ parsed: ParsedCalendar) {
        for component in parsed.components.flatMap(\.allComponents) {
            components += 1
            switch component.name {
            case ComponentName.event: events += 1
            case ComponentName.todo: todos += 1
            case ComponentName.timeZone: timeZones += 1
            default: break
            }
        }
        warnings = parsed.warnings.count
    }

    var line: String {
        "components=\(components) events=\(events) todos=\(todos) timezones=\(timeZones) warnings=\(warnings)"
    }
}
