import ArgumentParser
import ContentLines
import Foundation
import ICalendar

extension ICSCommand {
    /// `switchboard ics expand`: the instances of every event and to-do in a window.
    struct Expand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the occurrences of every event and to-do that overlap [--from, --to), in start order.",
            discussion: """
                DT is an RFC 5545 value (19970902T090000, 19970902T090000Z, 19970902) or ISO 8601 \
                (1997-09-02T09:00:00+02:00). A floating DT is read in each event's own wall-clock time.
                """
        )

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case text, jsonl
        }

        @OptionGroup var input: InputOptions

        @Option(help: "The start of the window (inclusive).")
        var from: String

        @Option(help: "The end of the window (exclusive); may be left out only with --limit.")
        var to: String?

        @Option(help: "Print at most N occurrences.")
        var limit: Int?

        @Option(help: "text or jsonl.")
        var format: Format = .text

        func validate() throws {
            if to == nil, limit == nil { throw ValidationError("--to may be left out only with --limit") }
            if let limit, limit < 1 { throw ValidationError("--limit takes a positive number") }
            _ = try QueryTime.parse(from)
            if let to { _ = try QueryTime.parse(to) }
        }

        func run() async throws {
            let parsed = try ICSCommand.parse(input)
            let from = try QueryTime.parse(from)
            let to = try to.map(QueryTime.parse)
            var occurrences: [Occurrence] = []
            for calendar in parsed.components where calendar.name == ComponentName.calendar {
                let expansion = CalendarExpansion(calendar: calendar, from: from, to: to, limit: limit)
                for failure in expansion.failures {
                    StandardError.write("\(input.file): warning: \(failure.uid ?? "component without UID"): \(failure.error)")
                }
                if occurrences.isEmpty { occurrences = expansion.occurrences } else { occurrences += expansion.occurrences }
            }
            if parsed.components.count > 1 {
                occurrences.sort { $0.orderingKey < $1.orderingKey }
            }
            var output = BufferedOutput()
            for occurrence in occurrences.prefix(limit ?? Int.max) {
                switch format {
                case .jsonl: OccurrenceLine.appendJSON(occurrence, to: &output.bytes)
                case .text: output.bytes.append(contentsOf: OccurrenceLine.text(occurrence).utf8)
                }
                output.bytes.append(UInt8(ascii: "\n"))
                output.flushIfFull()
            }
            output.flush()
        }
    }
}

/// Reading the window bounds `ics expand` takes.
enum QueryTime {
    static func parse(_ text: String) throws -> TimeBound {
        if let value = try? DateOrDateTime(parsing: text) {
            switch value {
            case .date(let date): return .local(LocalDateTime(date: date))
            case .dateTime(let dateTime):
                return dateTime.form == .utc ? .instant(dateTime.local.secondsSinceEpoch) : .local(dateTime.local)
            }
        }
        return try iso8601(text)
    }

    /// `2024-03-01`, `2024-03-01T09:00[:00][Z|±hh:mm]`.
    private static func iso8601(_ text: String) throws -> TimeBound {
        var body = Substring(text)
        var offset: Int?
        if body.hasSuffix("Z") || body.hasSuffix("z") {
            offset = 0
            body = body.dropLast()
        } else if body.count > 16, let sign = body.dropFirst(16).lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let zone = body[body.index(after: sign)...].split(separator: ":")
            guard let hours = zone.first.flatMap({ Int($0) }) else { throw invalid(text) }
            let minutes = zone.count > 1 ? Int(zone[1]) ?? 0 : 0
            offset = (body[sign] == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
            body = body[..<sign]
        }
        var compact = body.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
        if compact.count == 13 { compact += "00" }  // No seconds.
        guard let value = try? DateOrDateTime(parsing: compact) else { throw invalid(text) }
        let local: LocalDateTime
        switch value {
        case .date(let date): local = LocalDateTime(date: date)
        case .dateTime(let dateTime): local = dateTime.local
        }
        guard let offset else { return .local(local) }
        return .instant(local.secondsSinceEpoch - Int64(offset))
    }

    private static func invalid(_ text: String) -> ValidationError {
        ValidationError("'\(text)' is neither an RFC 5545 DATE or DATE-TIME nor an ISO 8601 time")
    }
}

/// How one occurrence is printed.
enum OccurrenceLine {
    static func text(_ occurrence: Occurrence) -> String {
        let zone = occurrence.start.tzid.map { " \($0)" } ?? ""
        let summary = occurrence.component.summary.map { "  \($0)" } ?? ""
        return "\(occurrence.start.icalendarText) – \(occurrence.end.icalendarText)\(zone)  \(occurrence.uid ?? "-")\(summary)"
    }

    /// `{"uid", "recurrence_id", "start", "end", "start_utc", "end_utc"}`, appended to
    /// `bytes` in place (a year of a busy calendar is tens of thousands of lines).
    static func appendJSON(_ occurrence: Occurrence, to bytes: inout [UInt8]) {
        func key(_ name: StaticString, first: Bool = false) {
            if !first { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        }
        func value(_ time: DateOrDateTime) {
            bytes.append(UInt8(ascii: "\""))
            time.appendICalendarText(to: &bytes)
            bytes.append(UInt8(ascii: "\""))
        }
        func instant(_ seconds: Int64?) {
            guard let seconds else { return bytes.append(contentsOf: Array("null".utf8)) }
            bytes.append(UInt8(ascii: "\""))
            appendISO8601(seconds, to: &bytes)
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "{"))
        key("uid", first: true)
        if let uid = occurrence.uid { appendQuoted(uid, to: &bytes) } else { bytes.append(contentsOf: Array("null".utf8)) }
        key("recurrence_id")
        value(occurrence.recurrenceID)
        key("start")
        value(occurrence.start)
        key("end")
        value(occurrence.end)
        key("start_utc")
        instant(occurrence.startUTC)
        key("end_utc")
        instant(occurrence.endUTC)
        bytes.append(UInt8(ascii: "}"))
    }

    /// `2024-03-01T09:00:00Z`.
    private static func appendISO8601(_ seconds: Int64, to bytes: inout [UInt8]) {
        LocalDateTime(secondsSinceEpoch: seconds).appendISO8601(to: &bytes)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// A JSON string: quotes, backslashes and control characters escaped.
    private static func appendQuoted(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), byte]
            case UInt8(ascii: "\n"): bytes += Array("\\n".utf8)
            case UInt8(ascii: "\r"): bytes += Array("\\r".utf8)
            case UInt8(ascii: "\t"): bytes += Array("\\t".utf8)
            case ..<0x20: bytes += Array(String(format: "\\u%04x", byte).utf8)
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

