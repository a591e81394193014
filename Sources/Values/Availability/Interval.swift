/// A half-open span of time `[start, end)` in seconds since 1970 UTC.
public struct Interval: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var start: Int64
    public var end: Int64

    public init(start: Int64, end: Int64) {
        self.start = start
        self.end = end
    }

    /// The length in seconds.
    public var duration: Int64 { end - start }
    public var isEmpty: Bool { end <= start }

    /// Whether the two share any instant (touching ends do not).
    public func overlaps(_ other: Interval) -> Bool { start < other.end && other.start < end }
    /// Whether `other` lies within this interval.
    public func contains(_ other: Interval) -> Bool { start <= other.start && other.end <= end }

    public static func < (a: Interval, b: Interval) -> Bool { (a.start, a.end) < (b.start, b.end) }

    public var description: String { "[\(start), \(end))" }
}

extension Array where Element == Interval {
    /// Sorted, with overlapping and touching intervals joined and empty ones dropped.
    public func merged() -> [Interval] {
        var result: [Interval] = []
        for interval in filter({ !$0.isEmpty }).sorted() {
            if let last = result.last, interval.start <= last.end {
                result[result.count - 1].end = Swift.max(last.end, interval.end)
            } else {
                result.append(interval)
            }
        }
        return result
    }

    /// These (merged) intervals without the parts `removed` covers.
    public func subtracting(_ removed: [Interval]) -> [Interval] {
        let cuts = removed.merged()
        var result: [Interval] = []
        for var interval in merged() {
            for cut in cuts where cut.overlaps(interval) {
                if cut.start > interval.start { result.append(Interval(start: interval.start, end: cut.start)) }
                interval.start = Swift.max(interval.start, cut.end)
                if interval.isEmpty { break }
            }
            if !interval.isEmpty { result.append(interval) }
        }
        return result
    }

    /// The parts of these (merged) intervals inside `window`.
    public func clipped(to window: Interval) -> [Interval] {
        merged().compactMap { interval in
            let clipped = Interval(start: Swift.max(interval.start, window.start), end: Swift.min(interval.end, window.end))
            return clipped.isEmpty ? nil : clipped
        }
    }
}
