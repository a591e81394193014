/// A position in parsed input: the physical line a content line starts on and a column
/// within its unfolded text, both counted from 1.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The 1-based physical line number where the content line starts.
    public var line: Int
    /// The 1-based column (in octets) within the unfolded content line.
    public var column: Int

    /// Creates a location from a 1-based line and column.
    public init(line: Int, column: Int = 1) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}
