/// An error that stops a parse: where it happened, what was being read, and a short hint.
///
/// Errors are extensible structs with a `Code` so that new cases never break callers.
/// The description is safe to log: it names the property but never repeats a value.
public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a stable code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case inputTooLarge = "input-too-large"
            case lineTooLong = "line-too-long"
            case tooManyProperties = "too-many-properties"
            case tooManyComponents = "too-many-components"
            case nestingTooDeep = "nesting-too-deep"
            case missingColon = "missing-colon"
            case invalidName = "invalid-name"
            case invalidParameter = "invalid-parameter"
            case unterminatedQuote = "unterminated-quote"
            case invalidEncoding = "invalid-encoding"
            case unexpectedEnd = "unexpected-end"
            case missingEnd = "missing-end"
            case propertyOutsideComponent = "property-outside-component"
            case invalidValue = "invalid-value"
            case repairNotAllowed = "repair-not-allowed"
            case noContent = "no-content"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The input is larger than ``ParserLimits/maxInputSize``.
        public static let inputTooLarge = Code(.inputTooLarge)
        /// An unfolded content line is longer than ``ParserLimits/maxLineLength``.
        public static let lineTooLong = Code(.lineTooLong)
        /// The input has more content lines than ``ParserLimits/maxPropertyCount``.
        public static let tooManyProperties = Code(.tooManyProperties)
        /// The input has more components than ``ParserLimits/maxComponentCount``.
        public static let tooManyComponents = Code(.tooManyComponents)
        /// Components nest deeper than ``ParserLimits/maxNestingDepth``.
        public static let nestingTooDeep = Code(.nestingTooDeep)
        /// A content line has no `:` between its name and its value.
        public static let missingColon = Code(.missingColon)
        /// A property, parameter or component name has characters a name may not have.
        public static let invalidName = Code(.invalidName)
        /// A parameter is malformed.
        public static let invalidParameter = Code(.invalidParameter)
        /// A quoted parameter value is not closed.
        public static let unterminatedQuote = Code(.unterminatedQuote)
        /// The bytes are not valid UTF-8 (strict mode).
        public static let invalidEncoding = Code(.invalidEncoding)
        /// An `END` line closes a component that is not open.
        public static let unexpectedEnd = Code(.unexpectedEnd)
        /// The input ends with a component still open (strict mode).
        public static let missingEnd = Code(.missingEnd)
        /// A property stands outside every component.
        public static let propertyOutsideComponent = Code(.propertyOutsideComponent)
        /// A value does not match its type.
        public static let invalidValue = Code(.invalidValue)
        /// Strict mode met breakage that lenient mode repairs.
        public static let repairNotAllowed = Code(.repairNotAllowed)
        /// The input holds no component at all.
        public static let noContent = Code(.noContent)

        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// Where it went wrong.
    public var location: SourceLocation
    /// The property (or component) being read, when there is one.
    public var property: String?
    /// A short explanation for a person.
    public var hint: String

    /// Creates an error.
    public init(_ code: Code, at location: SourceLocation, property: String? = nil, hint: String) {
        self.code = code
        self.location = location
        self.property = property
        self.hint = hint
    }

    public var description: String {
        let subject = property.map { " \($0):" } ?? ""
        return "line \(location.line), column \(location.column): \(code):\(subject) \(hint)"
    }
}
