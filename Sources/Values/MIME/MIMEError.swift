/// Why a message, or one part of it, could not be read: what went wrong and at which byte
/// offset of the message. The description never repeats message content.
public struct MIMEError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a stable code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case inputTooLarge = "input-too-large"
            case headerTooLarge = "header-too-large"
            case tooManyParts = "too-many-parts"
            case nestingTooDeep = "nesting-too-deep"
            case malformedHeader = "malformed-header"
            case missingBoundary = "missing-boundary"
            case unterminatedMultipart = "unterminated-multipart"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The message is larger than ``MIMELimits/maxMessageBytes``.
        public static let inputTooLarge = Code(.inputTooLarge)
        /// A header block is larger than ``MIMELimits/maxHeaderBytes``.
        public static let headerTooLarge = Code(.headerTooLarge)
        /// The message has more parts than ``MIMELimits/maxParts``; the rest are not read.
        public static let tooManyParts = Code(.tooManyParts)
        /// Multiparts nest deeper than ``MIMELimits/maxDepth``; the deeper ones are kept whole.
        public static let nestingTooDeep = Code(.nestingTooDeep)
        /// A header line is neither a field nor a continuation; it was skipped.
        public static let malformedHeader = Code(.malformedHeader)
        /// A `multipart/*` part names no boundary; it is kept as one opaque part.
        public static let missingBoundary = Code(.missingBoundary)
        /// A multipart ends without its closing delimiter; the parts found are kept.
        public static let unterminatedMultipart = Code(.unterminatedMultipart)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The byte offset in the message where the problem was found.
    public var offset: Int
    /// A short hint (a limit, a charset name); never message content.
    public var detail: String

    public init(_ code: Code, offset: Int, detail: String = "") {
        self.code = code
        self.offset = offset
        self.detail = detail
    }

    public var description: String { detail.isEmpty ? "\(code) at byte \(offset)" : "\(code) at byte \(offset): \(detail)" }
}

/// The bounds every parse holds to; each has its own ``MIMEError/Code``.
public struct MIMELimits: Sendable, Hashable {
    /// The largest message read, in bytes.
    public var maxMessageBytes: Int
    /// The largest header block of one part, in bytes.
    public var maxHeaderBytes: Int
    /// The most parts in one message, multiparts included.
    public var maxParts: Int
    /// The deepest nesting of multiparts (and attached messages).
    public var maxDepth: Int

    public init(maxMessageBytes: Int = 64 << 20, maxHeaderBytes: Int = 256 << 10, maxParts: Int = 1_000, maxDepth: Int = 16) {
        self.maxMessageBytes = maxMessageBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxParts = maxParts
        self.maxDepth = maxDepth
    }
}
