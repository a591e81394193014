import Foundation
import HTTPTypes
import ICalendar
import OpenAPIRuntime

/// Dates on the wire as RFC 3339 (`2026-03-02T09:00:00Z`, read also with a fraction and any
/// offset), by hand. The runtime's default goes through `ISO8601DateFormatter`, which clones
/// an ICU formatter per call: it was over half of the server's time for a request with two
/// dates in its query, and more for an answer with hundreds of slots.
struct RFC3339DateTranscoder: DateTranscoder {
    /// A date the caller sent wrong: a 400 (the runtime passes the status on).
    struct Malformed: Error, CustomStringConvertible, HTTPResponseConvertible {
        var text: String
        var description: String { "\"\(text)\" is not an RFC 3339 date-time (2026-03-02T09:00:00Z)" }
        var httpStatus: HTTPResponse.Status { .badRequest }
    }

    /// UTC, whole seconds (what the API's times are).
    func encode(_ date: Date) throws -> String {
        Self.utc.iso8601(Int64(date.timeIntervalSince1970.rounded(.down)))
    }

    private static let utc = IANAZoneRules(identifier: "UTC")!

    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `t`, `z` and a space for `T` are accepted (RFC 3339 §5.6).
    func decode(_ text: String) throws -> Date {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) throws -> Int {
            guard index + digits <= bytes.count else { throw Malformed(text: text) }
            var value = 0
            for byte in bytes[index..<(index + digits)] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { throw Malformed(text: text) }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += digits
            return value
        }
        func expect(_ allowed: String) throws {
            guard index < bytes.count, allowed.utf8.contains(bytes[index]) else { throw Malformed(text: text) }
            index += 1
        }
        let year = try number(4)
        try expect("-")
        let month = try number(2)
        try expect("-")
        let day = try number(2)
        try expect("Tt ")
        let hour = try number(2)
        try expect(":")
        let minute = try number(2)
        try expect(":")
        let second = try number(2)
        var fraction = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                fraction += Double(bytes[index] - UInt8(ascii: "0")) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { throw Malformed(text: text) }
        }
        var offset = 0
        guard index < bytes.count else { throw Malformed(text: text) }
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            let hours = try number(2)
            try expect(":")
            let minutes = try number(2)
            guard hours < 24, minutes < 60 else { throw Malformed(text: text) }
            offset = sign * (hours * 3600 + minutes * 60)
        default:
            throw Malformed(text: text)
        }
        guard index == bytes.count, hour < 24, minute < 60, second <= 60,
            let date = CalendarDate(validatingYear: year, month: month, day: day)
        else { throw Malformed(text: text) }
        let local = LocalDateTime(date: date, hour: hour, minute: minute, second: min(second, 59))
        return Date(timeIntervalSince1970: Double(local.secondsSinceEpoch - Int64(offset)) + fraction)
    }
}
