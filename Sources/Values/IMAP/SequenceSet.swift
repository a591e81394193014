/// A set of UIDs or sequence numbers as ranges (`1:5,7,9:*`, RFC 9051 §9 `sequence-set`).
/// `*` (the largest in the mailbox) is `UInt32.max`.
public struct SequenceSet: Sendable, Hashable, CustomStringConvertible {
    public var ranges: [ClosedRange<UInt32>]

    public init(_ ranges: [ClosedRange<UInt32>]) { self.ranges = ranges }

    /// Numbers, folded into runs.
    public init(_ numbers: some Sequence<UInt32>) {
        var ranges: [ClosedRange<UInt32>] = []
        for number in numbers.sorted() {
            if let last = ranges.last, last.upperBound != UInt32.max, number <= last.upperBound + 1 {
                ranges[ranges.count - 1] = last.lowerBound...max(last.upperBound, number)
            } else {
                ranges.append(number...number)
            }
        }
        self.ranges = ranges
    }

    /// Everything from `first` on (`first:*`).
    public static func from(_ first: UInt32) -> SequenceSet { SequenceSet([first...UInt32.max]) }
    /// Every message (`1:*`).
    public static let all = SequenceSet.from(1)

    /// Reads `1:5,7,9:*`; `nil` when it is not a sequence set.
    public init?(_ text: String) {
        var ranges: [ClosedRange<UInt32>] = []
        for piece in text.split(separator: ",", omittingEmptySubsequences: false) {
            let ends = piece.split(separator: ":", omittingEmptySubsequences: false)
            guard (1...2).contains(ends.count) else { return nil }
            var bounds: [UInt32] = []
            for end in ends {
                if end == "*" { bounds.append(UInt32.max) } else if let value = UInt32(end), value > 0 { bounds.append(value) } else { return nil }
            }
            ranges.append(bounds.min()!...bounds.max()!)
        }
        guard !ranges.isEmpty else { return nil }
        self.ranges = ranges
    }

    public var isEmpty: Bool { ranges.isEmpty }

    public func contains(_ number: UInt32) -> Bool { ranges.contains { $0.contains(number) } }

    /// The numbers in the set, for sets without `*`.
    public var numbers: [UInt32] { ranges.flatMap { $0.upperBound == UInt32.max ? [$0.lowerBound] : Array($0) } }

    public var description: String {
        ranges.map { range in
            let upper = range.upperBound == UInt32.max ? "*" : String(range.upperBound)
            return range.lowerBound == range.upperBound ? upper : "\(range.lowerBound):\(upper)"
        }.joined(separator: ",")
    }
}
