/// Why a recurrence could not be expanded.
public struct RecurrenceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a stable code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case unsupported
            case limitExceeded = "limit-exceeded"
            case invalidComponent = "invalid-component"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The rule uses a part this engine does not implement (RFC 7529 `RSCALE`/`SKIP`).
        public static let unsupported = Code(.unsupported)
        /// Expansion passed ``RuleExpander/Options/maxEmptyPeriods`` periods without an
        /// occurrence: the rule (`BYMONTH=2;BYMONTHDAY=30`) can never or almost never match.
        public static let limitExceeded = Code(.limitExceeded)
        /// The component cannot be expanded: no DTSTART, a value that does not parse, or a
        /// time zone that cannot be found.
        public static let invalidComponent = Code(.invalidComponent)

        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// A short explanation.
    public var hint: String

    /// Creates an error.
    public init(_ code: Code, hint: String) {
        self.code = code
        self.hint = hint
    }

    public var description: String { "\(code): \(hint)" }
}
