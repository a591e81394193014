/// Resource limits that bound every parse. Exceeding one throws a ``ParseError`` with its
/// own code, so hostile or broken input can neither exhaust memory nor run for long.
public struct ParserLimits: Sendable, Hashable {
    /// The largest input accepted, in bytes. Default: 128 MiB (``ParseError/Code/inputTooLarge``).
    public var maxInputSize: Int
    /// The longest unfolded content line, in bytes. Default: 16 MiB, room for an inline
    /// photo (``ParseError/Code/lineTooLong``).
    public var maxLineLength: Int
    /// The most content lines in one input. Default: 4,000,000 (``ParseError/Code/tooManyProperties``).
    public var maxPropertyCount: Int
    /// The most components in one input. Default: 1,000,000 (``ParseError/Code/tooManyComponents``).
    public var maxComponentCount: Int
    /// The deepest nesting of components. Default: 16; real data nests 3 deep
    /// (``ParseError/Code/nestingTooDeep``).
    public var maxNestingDepth: Int

    /// Creates limits; every argument has the documented default.
    public init(
        maxInputSize: Int = 128 << 20,
        maxLineLength: Int = 16 << 20,
        maxPropertyCount: Int = 4_000_000,
        maxComponentCount: Int = 1_000_000,
        maxNestingDepth: Int = 16
    ) {
        self.maxInputSize = maxInputSize
        self.maxLineLength = maxLineLength
        self.maxPropertyCount = maxPropertyCount
        self.maxComponentCount = maxComponentCount
        self.maxNestingDepth = maxNestingDepth
    }

    /// The default limits.
    public static let `default` = ParserLimits()
}
