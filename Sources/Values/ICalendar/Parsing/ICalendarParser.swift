public import ContentLines

/// Reads iCalendar data (RFC 5545) into ``Component`` trees.
///
/// Lenient by default: known breakage is repaired and each repair is reported as a
/// ``ParseWarning`` with its line. In strict mode the first such repair is thrown as a
/// ``ParseError`` instead. Either way the parser never crashes or hangs: every resource
/// is bounded by ``ParserLimits``.
public struct ICalendarParser: Sendable {
    /// How the parser treats broken input.
    public struct Options: Sendable, Hashable {
        /// Refuse any repair.
        public var isStrict: Bool
        /// The resource limits.
        public var limits: ParserLimits
        /// Check the value of every property whose type RFC 5545 fixes (dates,
        /// durations, offsets, rules, numbers); a mismatch is kept as written and
        /// reported. Default: on.
        public var validatesValues: Bool

        /// Creates options.
        public init(strict: Bool = false, limits: ParserLimits = .default, validatesValues: Bool = true) {
            self.isStrict = strict
            self.limits = limits
            self.validatesValues = validatesValues
        }
    }

    /// The options in force.
    public let options: Options

    /// Creates a parser.
    public init(options: Options = Options()) {
        self.options = options
    }

    /// Parses bytes (UTF-8; Latin-1 lines are repaired).
    public func parse(_ bytes: [UInt8]) throws(ParseError) -> ParsedCalendar {
        var diagnostics = Diagnostics(strict: options.isStrict)
        var builder = TreeBuilder(limits: options.limits)
        let lines = ContentLineParser(options: .init(limits: options.limits))
        try lines.parse(bytes, diagnostics: &diagnostics) { (line, diagnostics) throws(ParseError) in
            try builder.consume(line, diagnostics: &diagnostics)
        }
        var components = try builder.finish(diagnostics: &diagnostics)
        if options.validatesValues {
            var validator = ValueValidator()
            for index in components.indices {
                try validator.validate(&components[index], diagnostics: &diagnostics)
            }
        }
        return ParsedCalendar(components: components, warnings: diagnostics.warnings)
    }

    /// Parses a string.
    public func parse(_ text: String) throws(ParseError) -> ParsedCalendar {
        try parse(Array(text.utf8))
    }
}

/// The result of a parse: the top-level components (normally one `VCALENDAR`) and the
/// repairs that were made.
public struct ParsedCalendar: Sendable, Hashable {
    /// The top-level components, in order.
    public var components: [Component]
    /// The repairs made, in input order.
    public var warnings: [ParseWarning]

    /// Creates a result.
    public init(components: [Component], warnings: [ParseWarning] = []) {
        self.components = components
        self.warnings = warnings
    }

    /// The first `VCALENDAR`, if any.
    public var calendar: Component? { components.first { $0.name == ComponentName.calendar } }
}

extension Repair {
    /// An `END` line closed a component that was not open; it was ignored.
    public static let strayEnd = Repair("stray-end")
    /// A TEXT value held an unescaped `,` or `;`; it was escaped.
    public static let unescapedText = Repair("unescaped-text")
    /// A UTC offset was written in a broken form (`+5:30`); it was rewritten.
    public static let utcOffset = Repair("utc-offset")
    /// A `DTEND` held a duration; it was renamed `DURATION`.
    public static let durationInEnd = Repair("duration-in-dtend")
    /// A property followed the last `END`; it was moved into the component before it.
    public static let propertyAfterEnd = Repair("property-after-end")
    /// An RRULE was TEXT-escaped (`FREQ=DAILY\;COUNT=10`); the backslashes were removed.
    public static let escapedRecurrenceRule = Repair("escaped-rrule")
    /// A DATE was written with a trailing `Z` (`RDATE:20131210Z`); the Z was removed.
    public static let dateWithZ = Repair("date-with-z")
    /// A component has both `DTEND` and `DURATION`; `DTEND` is used.
    public static let endAndDuration = Repair("dtend-and-duration")
}

/// Builds the component tree from content lines, closing what was left open.
struct TreeBuilder {
    let limits: ParserLimits
    var stack: [Component] = []
    var positions: [[Int]] = []
    var roots: [Component] = []
    var componentCount = 0

    init(limits: ParserLimits) { self.limits = limits }

    mutating func consume(_ line: consuming ContentLine, diagnostics: inout Diagnostics) throws(ParseError) {
        let location = line.sourceLocation ?? SourceLocation(line: 0)
        // Most lines are neither BEGIN nor END: one byte tells without comparing strings.
        let first = line.name.utf8.first
        let marker = first == UInt8(ascii: "B") || first == UInt8(ascii: "E") ? line.name : ""
        switch marker {
        case "BEGIN":
            let name = try componentName(line, diagnostics: &diagnostics)
            guard stack.count < limits.maxNestingDepth else {
                throw ParseError(
                    .nestingTooDeep, at: location, property: name,
                    hint: "components nest deeper than \(limits.maxNestingDepth)")
            }
            componentCount += 1
            guard componentCount <= limits.maxComponentCount else {
                throw ParseError(
                    .tooManyComponents, at: location, hint: "more than \(limits.maxComponentCount) components")
            }
            var component = Component(name, sourceLocation: location)
            component.properties.reserveCapacity(8)
            stack.append(component)
            positions.append([])
        case "END":
            let name = try componentName(line, diagnostics: &diagnostics)
            guard let depth = stack.lastIndex(where: { $0.name == name }) else {
                try diagnostics.repair(
                    .strayEnd, at: location, property: name, "END:\(name) closes no open component; ignored")
                return
            }
            while stack.count - 1 > depth {
                try diagnostics.repair(
                    .missingEnd, at: location, property: stack[stack.count - 1].name,
                    "END:\(stack[stack.count - 1].name) is missing; closed before END:\(name)")
                close()
            }
            close()
        default:
            if stack.isEmpty, !roots.isEmpty {
                try diagnostics.repair(
                    .propertyAfterEnd, at: location, property: line.name,
                    "property after END:\(roots[roots.count - 1].name); moved into it")
                roots[roots.count - 1].properties.append(line)
                return
            }
            guard !stack.isEmpty else {
                throw ParseError(
                    .propertyOutsideComponent, at: location, property: line.name,
                    hint: "property stands outside BEGIN/END")
            }
            stack[stack.count - 1].properties.append(line)
        }
    }

    private func componentName(_ line: ContentLine, diagnostics: inout Diagnostics) throws(ParseError) -> String {
        let location = line.sourceLocation ?? SourceLocation(line: 0)
        let name = line.value
        guard !name.isEmpty, name.utf8.allSatisfy(isComponentNameByte) else {
            throw ParseError(.invalidName, at: location, property: line.name, hint: "component name is not a token")
        }
        if name.utf8.contains(where: { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) {
            try diagnostics.repair(.lowercaseName, at: location, property: line.name, "component name is not upper case")
            return name.uppercased()
        }
        return name
    }

    private mutating func close() {
        var component = stack.removeLast()
        component.componentPositions = positions.removeLast()
        if stack.isEmpty {
            roots.append(component)
        } else {
            positions[positions.count - 1].append(stack[stack.count - 1].properties.count)
            stack[stack.count - 1].components.append(component)
        }
    }

    mutating func finish(diagnostics: inout Diagnostics) throws(ParseError) -> [Component] {
        while let open = stack.last {
            try diagnostics.repair(
                .missingEnd, at: open.sourceLocation ?? SourceLocation(line: 0), property: open.name,
                "END:\(open.name) is missing at the end of the input; closed")
            close()
        }
        guard !roots.isEmpty else {
            throw ParseError(.noContent, at: SourceLocation(line: 1), hint: "no BEGIN line found")
        }
        // Hand the tree over without keeping a reference, so that validation edits it in place.
        var result: [Component] = []
        swap(&result, &roots)
        return result
    }
}

private func isComponentNameByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
        return true
    default:
        return false
    }
}
