import CLibical
import Foundation
import ICalendar


/// One measured task, run once, for `scripts/bench`:
///
///     BenchDriver (switchboard | libical | none) (parse | both) FILE
///         Parse (and serialize) FILE, for instruction counts under callgrind.
///     BenchDriver (switchboard | libical) rrule FILE FROM TO
///         Expand every VEVENT's RRULE over [FROM, TO) (UTC, RFC 5545 form) and print
///         "count milliseconds", the time taken by expansion alone.
///     BenchDriver switchboard expand FILE FROM TO
///         Expand every event with EXDATEs and overrides (the recurrence set), likewise.
///     BenchDriver libical print FILE FROM TO
///         Parse FILE and print each RRULE occurrence in [FROM, TO) as a line (UID, start,
///         end as iCalendar text): the reference for `switchboard ics expand`'s whole run.
@main
struct BenchDriver {
    static func main() throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 4 else { usage() }
        let (implementation, task) = (arguments[1], arguments[2])
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: arguments[3])))
        switch task {
        case "parse", "both":
            print(try parse(implementation, serialize: task == "both", bytes))
        case "print" where implementation == "libical":
            guard arguments.count == 6 else { usage() }
            let from = try DateTime(parsing: arguments[4]).local.secondsSinceEpoch
            let to = try DateTime(parsing: arguments[5]).local.secondsSinceEpoch
            libicalPrint(bytes, from: from, to: to)
        case "rrule", "expand":
            guard arguments.count == 6 else { usage() }
            let from = try DateTime(parsing: arguments[4]).local.secondsSinceEpoch
            let to = try DateTime(parsing: arguments[5]).local.secondsSinceEpoch
            let (count, milliseconds) =
                implementation == "libical"
                ? libicalRules(bytes, from: from, to: to)
                : try switchboard(bytes, task: task, from: from, to: to)
            print(count, String(format: "%.1f", milliseconds))
        default:
            usage()
        }
    }

    static func usage() -> Never {
        FileHandle.standardError.write(Data("usage: see Benchmarks/Sources/BenchDriver/BenchDriver.swift\n".utf8))
        exit(2)
    }

    static func parse(_ implementation: String, serialize: Bool, _ bytes: [UInt8]) throws -> Int {
        switch implementation {
        case "switchboard":
            let parsed = try ICalendarParser().parse(bytes)
            return serialize ? ICalendarSerializer().serialize(parsed.components).count : parsed.components.count
        case "libical":
            let text = bytes + [0]
            return text.withUnsafeBufferPointer { buffer in
                let component = icalparser_parse_string(
                    UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self))
                defer { icalcomponent_free(component) }
                guard serialize, let string = icalcomponent_as_ical_string_r(component) else { return 0 }
                defer { free(string) }
                return strlen(string)
            }
        default:
            return bytes.count  // The baseline: start-up and reading the file.
        }
    }

    static func milliseconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
    }

    static func switchboard(_ bytes: [UInt8], task: String, from: Int64, to: Int64) throws -> (Int, Double) {
        let parsed = try ICalendarParser().parse(bytes)
        let calendar = parsed.calendar!
        let clock = DispatchTime.now().uptimeNanoseconds
        var count = 0
        if task == "expand" {
            count = CalendarExpansion(calendar: calendar, from: .instant(from), to: .instant(to), limit: nil)
                .occurrences.count
        } else {
            // The same work as libical's iterator: each RRULE from its DTSTART, in the
            // event's wall-clock time, over the window.
            let resolver = TimeZoneResolver(calendar: calendar)
            for event in calendar.components(ComponentName.event) {
                guard let start = try event.start, let rule = try event.recurrenceRules.first else { continue }
                let zone = try start.tzid.map { try resolver.rules(for: $0) }
                let lower = zone.map { $0.localTime(at: from) } ?? LocalDateTime(secondsSinceEpoch: from)
                let upper = zone.map { $0.localTime(at: to) } ?? LocalDateTime(secondsSinceEpoch: to)
                let local = start.wallClock
                var until: RuleExpander.Until?
                if case .dateTime(let limit)? = rule.until, limit.form == .utc, let zone {
                    until = .instant(limit.local.secondsSinceEpoch, zone: zone)
                }
                var iterator = try RuleExpander(rule: rule, start: local, allDay: start.isDate, until: until)
                    .makeIterator(from: lower, through: upper)
                while let time = try iterator.next(), time < upper { count += 1 }
            }
        }
        return (count, milliseconds(since: clock))
    }

    /// Every RRULE occurrence in the window printed, one line each, through stdio.
    static func libicalPrint(_ bytes: [UInt8], from: Int64, to: Int64) {
        guard let output = fdopen(1, "w") else { return }
        defer { fflush(output) }
        libicalOccurrences(bytes, from: from, to: to) { event, occurrence in
            let end = icaltime_add(occurrence, icaltime_subtract(icalcomponent_get_dtend(event), icalcomponent_get_dtstart(event)))
            fputs(icalcomponent_get_uid(event), output)
            fputc(32, output)
            fputs(icaltime_as_ical_string(occurrence), output)
            fputc(32, output)
            fputs(icaltime_as_ical_string(end), output)
            fputc(10, output)
        }
    }

    static func libicalRules(_ bytes: [UInt8], from: Int64, to: Int64) -> (Int, Double) {
        var clock: UInt64 = 0
        var count = 0
        libicalOccurrences(bytes, from: from, to: to, parsed: { clock = DispatchTime.now().uptimeNanoseconds }) { _, _ in count += 1 }
        return (count, milliseconds(since: clock))
    }

    /// Parses `bytes` with libical, calls `parsed`, then `visit` with each VEVENT's RRULE
    /// occurrences in [from, to), the window taken in the event's wall-clock time as on our side.
    static func libicalOccurrences(_ bytes: [UInt8], from: Int64, to: Int64, parsed: () -> Void = {},
                                   _ visit: (_ event: OpaquePointer, _ occurrence: icaltimetype) -> Void) {
        let text = bytes + [0]
        text.withUnsafeBufferPointer { buffer in
            let calendar = icalparser_parse_string(UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self))
            defer { icalcomponent_free(calendar) }
            parsed()
            var event = icalcomponent_get_first_component(calendar, ICAL_VEVENT_COMPONENT)
            while let current = event {
                defer { event = icalcomponent_get_next_component(calendar, ICAL_VEVENT_COMPONENT) }
                guard let property = icalcomponent_get_first_property(current, ICAL_RRULE_PROPERTY) else { continue }
                let rule = icalproperty_get_rrule(property)
                let start = icalcomponent_get_dtstart(current)
                guard let iterator = icalrecur_iterator_new(rule, start) else { continue }
                defer { icalrecur_iterator_free(iterator) }
                var lower = icaltime_from_timet_with_zone(time_t(from), 0, start.zone)
                lower.zone = start.zone
                var upper = icaltime_from_timet_with_zone(time_t(to), 0, start.zone)
                upper.zone = start.zone
                if rule.count == 0 { _ = icalrecur_iterator_set_start(iterator, lower) }
                while true {
                    let next = icalrecur_iterator_next(iterator)
                    if icaltime_is_null_time(next) != 0 || icaltime_compare(next, upper) >= 0 { break }
                    if icaltime_compare(next, lower) >= 0 { visit(current, next) }
                }
            }
        }
    }
}
