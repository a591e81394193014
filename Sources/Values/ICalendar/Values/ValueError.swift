/// A value that does not match its type (RFC 5545 §3.3).
///
/// The description names the type and the problem, never the value text itself, so it is
/// safe to log.
public struct ValueError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The value type that was expected, such as `DATE-TIME`.
    public var type: String
    /// What is wrong with the text.
    public var hint: String

    /// Creates an error.
    public init(type: String, hint: String) {
        self.type = type
        self.hint = hint
    }

    public var description: String { "invalid \(type): \(hint)" }
}

/// A tiny cursor over the ASCII digits of a value, shared by the value parsers. It reads
/// the text's UTF-8 in place: value parsing runs for every date of every calendar.
struct DigitReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Runs `body` with a reader over `text`.
    static func read<Value>(
        _ text: some StringProtocol, _ body: (inout DigitReader) -> Result<Value, ValueError>
    ) throws(ValueError) -> Value {
        let result =
            text.utf8.withContiguousStorageIfAvailable { buffer in
                var reader = DigitReader(buffer)
                return body(&reader)
            }
            ?? Array(text.utf8).withUnsafeBufferPointer { buffer in
                var reader = DigitReader(buffer)
                return body(&reader)
            }
        return try result.get()
    }

    var isAtEnd: Bool { index == bytes.count }
    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    /// Reads exactly `count` digits.
    mutating func fixed(_ count: Int) -> Int? {
        guard bytes.count - index >= count else { return nil }
        var value = 0
        for _ in 0..<count {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            index += 1
        }
        return value
    }

    /// Reads one or more digits (at most 9).
    mutating func number() -> Int? {
        var value = 0
        var digits = 0
        while let byte = peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 9 {
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            index += 1
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    /// Consumes `byte` if it is next.
    mutating func consume(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }
}

/// Writes the fixed-width digits of dates and times into a small buffer: value text is
/// formatted for every occurrence an expansion prints.
struct DigitWriter {
    private var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(16) }

    mutating func append(_ byte: UInt8) { bytes.append(byte) }

    /// `value` with at least `width` digits (a sign first when negative).
    mutating func write(_ value: Int, width: Int) { Self.append(value, width: width, to: &bytes) }

    mutating func write(_ date: CalendarDate) { Self.append(date, to: &bytes) }

    /// Appends `value` with at least `width` digits (a sign first when negative), without
    /// an intermediate buffer: the hot path of every date and time written.
    static func append(_ value: Int, width: Int, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        var count = 1
        var rest = magnitude / 10
        while rest > 0 {
            count += 1
            rest /= 10
        }
        for _ in count..<Swift.max(width, count) { bytes.append(UInt8(ascii: "0")) }
        let end = bytes.count + count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: count))
        var index = end - 1
        var remaining = magnitude
        repeat {
            bytes[index] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
            index -= 1
        } while remaining > 0
    }

    static func append(_ date: CalendarDate, to bytes: inout [UInt8]) {
        append(date.year, width: 4, to: &bytes)
        append(date.month, width: 2, to: &bytes)
        append(date.day, width: 2, to: &bytes)
    }

    var string: String { String(decoding: bytes, as: UTF8.self) }
}

