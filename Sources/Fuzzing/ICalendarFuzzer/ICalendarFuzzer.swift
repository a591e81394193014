import ContentLines
import FuzzerSupport
import ICalendar

/// One fuzz input: whatever the bytes, parsing returns or throws a typed error, and what
/// parses must serialize and parse again to the same components.
func fuzz(_ bytes: [UInt8]) {
    let limits = ParserLimits(maxInputSize: 1 << 20, maxLineLength: 1 << 16, maxPropertyCount: 20_000)
    _ = try? ICalendarParser(options: .init(strict: true, limits: limits)).parse(bytes)
    guard let parsed = try? ICalendarParser(options: .init(limits: limits)).parse(bytes) else { return }
    let output = ICalendarSerializer().serialize(parsed.components)
    guard let reparsed = try? ICalendarParser(options: .init(limits: ParserLimits())).parse(output) else {
        fatalError("serialized output does not parse again")
    }
    precondition(reparsed.components == parsed.components, "round trip changed the components")

    // Typed access and time zones must never trap either.
    for calendar in parsed.components {
        let resolver = TimeZoneResolver(calendar: calendar, floatingTimes: .calendarTimeZone)
        for component in calendar.allComponents {
            _ = try? component.effectiveEnd()
            _ = try? component.recurrenceRules
            _ = try? component.exceptionDates
            _ = try? component.recurrenceDates
            for property in component.properties {
                if case .dateTime(let dateTime)? = try? property.dateOrDateTime() {
                    _ = try? resolver.utcSeconds(for: dateTime)
                }
                _ = try? property.duration()
                _ = try? property.periods()
                _ = property.textList
            }
        }
    }
}

/// `ICalendarFuzzer [libFuzzer options] [CORPUS…]` under libFuzzer, or `ICalendarFuzzer FILE…` to replay.
@main
struct ICalendarFuzzerMain {
    static func main() throws {
        try FuzzerMain.run { data, size in
            fuzz(Array(UnsafeBufferPointer(start: data, count: size)))
            return 0
        }
    }
}
