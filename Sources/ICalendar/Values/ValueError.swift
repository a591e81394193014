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
    mutating func write(_ value: Int, width: Int) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = Swift.abs(value)
        var digits: [UInt8] = []
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        for _ in digits.count..<Swift.max(width, digits.count) { bytes.append(UInt8(ascii: "0")) }
        bytes.append(contentsOf: digits.reversed())
    }

    mutating func write(_ date: CalendarDate) {
        write(date.year, width: 4)
        write(date.month, width: 2)
        write(date.day, width: 2)
    }

    var string: String { String(decoding: bytes, as: UTF8.self) }
}

