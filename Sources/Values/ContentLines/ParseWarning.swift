/// A known kind of breakage that lenient parsing repairs and reports.
public struct Repair: Sendable, Hashable, CustomStringConvertible {
    /// A stable name for the kind of repair, such as `bare-line-feed`.
    public let name: String

    /// Creates a repair kind; modules define their own as static members.
    public init(_ name: String) { self.name = name }

    /// Lines end in LF alone instead of CRLF.
    public static let bareLineFeed = Repair("bare-line-feed")
    /// A property, parameter or component name is not upper case.
    public static let lowercaseName = Repair("lowercase-name")
    /// A component was still open at the end of the input, or closed out of order.
    public static let missingEnd = Repair("missing-end")
    /// A line that is not valid UTF-8 was read as ISO 8859-1.
    public static let invalidEncoding = Repair("invalid-encoding")
    /// A line with no `:` was taken as the continuation of the line before it.
    public static let unfoldedContinuation = Repair("unfolded-continuation")
    /// A parameter has no `=` and no value (vCard 2.1 style) where one is required.
    public static let parameterWithoutValue = Repair("parameter-without-value")
    /// A parameter with neither name nor value (`DTSTART;;VALUE=DATE`) was dropped.
    public static let emptyParameter = Repair("empty-parameter")
    /// An unquoted parameter value escapes `;`, `,` or `:` with a backslash; kept as written.
    public static let escapedParameterSeparator = Repair("escaped-parameter-separator")
    /// A property name has a group prefix where the format has none; kept.
    public static let groupedName = Repair("grouped-name")
    /// A line started with white space but continued nothing; the white space was trimmed.
    public static let leadingWhitespace = Repair("leading-whitespace")
    /// A line ended in CR CR LF; the extra CR was dropped.
    public static let extraCarriageReturn = Repair("extra-carriage-return")
    /// A CR stood inside a content line, not before its LF; it was dropped.
    public static let strayCarriageReturn = Repair("stray-carriage-return")
    /// A content line was a bare name with no `:`; it was read with an empty value.
    public static let missingValue = Repair("missing-value")
    /// Blank lines stood between a line and its folded continuation; they were skipped.
    public static let blankLineInFold = Repair("blank-line-in-fold")
    /// A value did not match its type; it is kept unchanged.
    public static let invalidValue = Repair("invalid-value")

    public var description: String { name }
}

/// A repair that lenient parsing made, with where and why.
public struct ParseWarning: Sendable, Hashable, CustomStringConvertible {
    /// Which kind of repair.
    public var repair: Repair
    /// Where the repaired text starts.
    public var location: SourceLocation
    /// The property or component concerned, when there is one.
    public var property: String?
    /// A short explanation for a person.
    public var message: String

    /// Creates a warning.
    public init(_ repair: Repair, at location: SourceLocation, property: String? = nil, message: String) {
        self.repair = repair
        self.location = location
        self.property = property
        self.message = message
    }

    public var description: String {
        let subject = property.map { " \($0):" } ?? ""
        return "line \(location.line), column \(location.column): \(repair):\(subject) \(message)"
    }
}

/// Collects repairs during a parse: in lenient mode each becomes a ``ParseWarning``, in
/// strict mode the first one is thrown as a ``ParseError`` with code `repairNotAllowed`.
public struct Diagnostics: Sendable {
    /// Whether repairs are refused.
    public let isStrict: Bool
    /// The repairs made so far, in input order.
    public private(set) var warnings: [ParseWarning] = []

    /// Creates an empty collector.
    public init(strict: Bool) { self.isStrict = strict }

    /// Records a repair, or throws when repairs are not allowed.
    public mutating func repair(
        _ kind: Repair, at location: SourceLocation, property: String? = nil, _ message: String
    ) throws(ParseError) {
        if isStrict {
            throw ParseError(.repairNotAllowed, at: location, property: property, hint: "\(kind): \(message)")
        }
        warnings.append(ParseWarning(kind, at: location, property: property, message: message))
    }
}
