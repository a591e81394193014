/// A UTC-OFFSET value (RFC 5545 §3.3.14): `("+" / "-") time-hour time-minute [time-second]`.
public struct UTCOffset: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The offset from UTC in seconds (east positive).
    public var seconds: Int

    /// Creates an offset.
    public init(seconds: Int) { self.seconds = seconds }

    /// Parses the strict form (`+0530`, `-0800`, `+013045`).
    public init(parsing text: some StringProtocol) throws(ValueError) {
        seconds = try DigitReader.read(text) { reader in
            let sign: Int
            if reader.consume(UInt8(ascii: "+")) {
                sign = 1
            } else if reader.consume(UInt8(ascii: "-")) {
                sign = -1
            } else {
                return .failure(ValueError(type: "UTC-OFFSET", hint: "expected + or -"))
            }
            guard let hours = reader.fixed(2), let minutes = reader.fixed(2), hours <= 23, minutes <= 59 else {
                return .failure(ValueError(type: "UTC-OFFSET", hint: "expected HHMM"))
            }
            var secondsPart = 0
            if !reader.isAtEnd {
                guard let value = reader.fixed(2), value <= 59, reader.isAtEnd else {
                    return .failure(ValueError(type: "UTC-OFFSET", hint: "unexpected text after HHMM"))
                }
                secondsPart = value
            }
            return .success(sign * (hours * 3600 + minutes * 60 + secondsPart))
        }
    }

    /// Reads the broken forms real producers write (`+5:30`, `+530`, `5:30`, `+05:30:00`),
    /// or `nil` when the text is no offset at all.
    public static func repairing(_ text: some StringProtocol) -> UTCOffset? {
        var sign = 1
        var rest = Substring(text).trimmingCharacters(in: " ")
        if rest.first == "-" {
            sign = -1
            rest.removeFirst()
        } else if rest.first == "+" {
            rest.removeFirst()
        }
        let fields = rest.split(separator: ":", omittingEmptySubsequences: false)
        var numbers: [Int] = []
        if fields.count > 1 {
            for field in fields {
                guard !field.isEmpty, field.count <= 2, let value = Int(field) else { return nil }
                numbers.append(value)
            }
        } else {
            guard let digits = fields.first, !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) else { return nil }
            switch digits.count {
            case 1, 2: numbers = [Int(digits)!, 0]
            case 3: numbers = [Int(digits.prefix(1))!, Int(digits.suffix(2))!]
            case 4: numbers = [Int(digits.prefix(2))!, Int(digits.suffix(2))!]
            case 6: numbers = [Int(digits.prefix(2))!, Int(digits.dropFirst(2).prefix(2))!, Int(digits.suffix(2))!]
            default: return nil
            }
        }
        guard numbers.count <= 3, numbers[0] <= 23, numbers.dropFirst().allSatisfy({ $0 <= 59 }) else { return nil }
        let total = numbers[0] * 3600 + (numbers.count > 1 ? numbers[1] * 60 : 0) + (numbers.count > 2 ? numbers[2] : 0)
        return UTCOffset(seconds: sign * total)
    }

    /// The canonical text (`+0530`; seconds only when not zero).
    public var icalendarText: String {
        let magnitude = abs(seconds)
        var digits = DigitWriter()
        digits.append(seconds < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        digits.write(magnitude / 3600, width: 2)
        digits.write(magnitude % 3600 / 60, width: 2)
        if magnitude % 60 != 0 { digits.write(magnitude % 60, width: 2) }
        return digits.string
    }

    public var description: String { icalendarText }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension Substring {
    func trimmingCharacters(in character: Character) -> Substring {
        var result = self
        while result.first == character { result.removeFirst() }
        while result.last == character { result.removeLast() }
        return result
    }
}
