/// Why a server's bytes could not be read as IMAP responses: what went wrong and where.
/// "Need more bytes" is not an error: ``ResponseFramer/nextFrame()`` answers `nil` then.
/// The description never repeats message content.
public struct IMAPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a stable code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case lineTooLong = "line-too-long"
            case literalTooLarge = "literal-too-large"
            case responseTooLarge = "response-too-large"
            case nestingTooDeep = "nesting-too-deep"
            case invalidResponse = "invalid-response"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A line grew past ``IMAPLimits/maxLineBytes`` without its CRLF.
        public static let lineTooLong = Code(.lineTooLong)
        /// A literal announced more than ``IMAPLimits/maxLiteralBytes``; it is refused before
        /// any of it is read.
        public static let literalTooLarge = Code(.literalTooLarge)
        /// One response, literals included, grew past ``IMAPLimits/maxResponseBytes``.
        public static let responseTooLarge = Code(.responseTooLarge)
        /// Parenthesised lists nest deeper than ``IMAPLimits/maxNesting``.
        public static let nestingTooDeep = Code(.nestingTooDeep)
        /// The bytes break the response grammar (RFC 9051 §9).
        public static let invalidResponse = Code(.invalidResponse)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The byte offset within the response where the problem was found.
    public var offset: Int
    /// A short hint (the rule expected, a limit); never message content.
    public var detail: String

    public init(_ code: Code, offset: Int, detail: String = "") {
        self.code = code
        self.offset = offset
        self.detail = detail
    }

    public var description: String { detail.isEmpty ? "\(code) at byte \(offset)" : "\(code) at byte \(offset): \(detail)" }
}

/// The bounds every response is read within; each has its own ``IMAPError/Code``.
public struct IMAPLimits: Sendable, Hashable {
    /// The longest line (between literals), CRLF included. Default 64 KiB.
    public var maxLineBytes: Int
    /// The largest literal a server may announce. Default 64 MiB.
    public var maxLiteralBytes: Int
    /// The largest response, lines and literals together. Default 96 MiB.
    public var maxResponseBytes: Int
    /// The deepest nesting of parenthesised lists (body structures nest). Default 64.
    public var maxNesting: Int

    public init(maxLineBytes: Int = 64 * 1024, maxLiteralBytes: Int = 64 * 1024 * 1024,
                maxResponseBytes: Int = 96 * 1024 * 1024, maxNesting: Int = 64) {
        self.maxLineBytes = maxLineBytes
        self.maxLiteralBytes = maxLiteralBytes
        self.maxResponseBytes = maxResponseBytes
        self.maxNesting = maxNesting
    }
}
