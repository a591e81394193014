public import ContentLines

/// Reads vCard data (2.1, 3.0, 4.0) into ``VCard`` values.
///
/// Lenient by default: known breakage is repaired and reported; strict mode refuses it.
/// Every resource is bounded by ``ParserLimits``.
public struct VCardParser: Sendable {
    /// How the parser treats broken input.
    public struct Options: Sendable, Hashable {
        /// Refuse any repair.
        public var isStrict: Bool
        /// The resource limits.
        public var limits: ParserLimits

        /// Creates options.
        public init(strict: Bool = false, limits: ParserLimits = .default) {
            self.isStrict = strict
            self.limits = limits
        }
    }

    /// The options in force.
    public let options: Options

    /// Creates a parser.
    public init(options: Options = Options()) { self.options = options }

    /// Parses bytes holding one or more vCards.
    public func parse(_ bytes: [UInt8]) throws(ParseError) -> ParsedVCards {
        var diagnostics = Diagnostics(strict: options.isStrict)
        var builder = CardBuilder(limits: options.limits)
        let lines = ContentLineParser(
            options: .init(
                limits: options.limits, allowsGroups: true, allowsParametersWithoutValue: true,
                joinsQuotedPrintableSoftBreaks: true))
        try lines.parse(bytes, diagnostics: &diagnostics) { (line, diagnostics) throws(ParseError) in
            try builder.consume(line, diagnostics: &diagnostics)
        }
        let cards = try builder.finish(diagnostics: &diagnostics)
        return ParsedVCards(cards: cards, warnings: diagnostics.warnings)
    }

    /// Parses a string.
    public func parse(_ text: String) throws(ParseError) -> ParsedVCards {
        try parse(Array(text.utf8))
    }
}

/// The result of a parse: the cards and the repairs that were made.
public struct ParsedVCards: Sendable, Hashable {
    /// The cards, in order.
    public var cards: [VCard]
    /// The repairs made, in input order.
    public var warnings: [ParseWarning]
}

extension Repair {
    /// A card has no `VERSION`; it is read as 3.0.
    public static let missingVersion = Repair("missing-version")
}

/// Collects properties between `BEGIN:VCARD` and `END:VCARD`. A vCard nested inside
/// another (2.1's `AGENT`) is kept as lines of the outer card.
struct CardBuilder {
    let limits: ParserLimits
    var current: VCard?
    var nestedDepth = 0
    var cards: [VCard] = []

    init(limits: ParserLimits) { self.limits = limits }

    mutating func consume(_ line: consuming ContentLine, diagnostics: inout Diagnostics) throws(ParseError) {
        let location = line.sourceLocation ?? SourceLocation(line: 0)
        let isCardMarker = line.group == nil && line.value.trimmingSpaces.uppercased() == "VCARD"
        if isCardMarker, line.value != "VCARD", line.name == "BEGIN" || line.name == "END" {
            let repair: Repair = line.value.trimmingSpaces == line.value ? .lowercaseName : .trailingWhitespace
            try diagnostics.repair(repair, at: location, property: line.name, "VCARD written as '\(line.value)'")
        }
        switch (line.name, isCardMarker) {
        case ("BEGIN", true) where current == nil:
            guard cards.count < limits.maxComponentCount else {
                throw ParseError(.tooManyComponents, at: location, hint: "more than \(limits.maxComponentCount) cards")
            }
            current = VCard(sourceLocation: location)
        case ("BEGIN", true):
            nestedDepth += 1
            guard nestedDepth < limits.maxNestingDepth else {
                throw ParseError(.nestingTooDeep, at: location, hint: "cards nest deeper than \(limits.maxNestingDepth)")
            }
            current?.properties.append(line)
        case ("END", true) where nestedDepth > 0:
            nestedDepth -= 1
            current?.properties.append(line)
        case ("END", true):
            guard let card = current else {
                try diagnostics.repair(.strayEnd, at: location, property: "END", "END:VCARD closes no open card; ignored")
                return
            }
            try finish(card, diagnostics: &diagnostics)
            current = nil
        default:
            guard current != nil else {
                throw ParseError(
                    .propertyOutsideComponent, at: location, property: line.name, hint: "property stands outside BEGIN:VCARD")
            }
            current?.properties.append(line)
        }
    }

    private mutating func finish(_ card: VCard, diagnostics: inout Diagnostics) throws(ParseError) {
        if card.property("VERSION") == nil {
            try diagnostics.repair(
                .missingVersion, at: card.sourceLocation ?? SourceLocation(line: 0), property: "VCARD",
                "card has no VERSION; read as 3.0")
        }
        cards.append(card)
    }

    mutating func finish(diagnostics: inout Diagnostics) throws(ParseError) -> [VCard] {
        if var open = current {
            while nestedDepth > 0 {
                try diagnostics.repair(
                    .missingEnd, at: open.sourceLocation ?? SourceLocation(line: 0), property: "VCARD",
                    "END:VCARD of a nested card is missing at the end of the input; closed")
                open.properties.append(ContentLine(name: "END", value: "VCARD"))
                nestedDepth -= 1
            }
            try diagnostics.repair(
                .missingEnd, at: open.sourceLocation ?? SourceLocation(line: 0), property: "VCARD",
                "END:VCARD is missing at the end of the input; closed")
            try finish(open, diagnostics: &diagnostics)
            current = nil
        }
        guard !cards.isEmpty else {
            throw ParseError(.noContent, at: SourceLocation(line: 1), hint: "no BEGIN:VCARD found")
        }
        return cards
    }
}

extension Repair {
    /// `BEGIN:VCARD` or `END:VCARD` had white space after `VCARD`; it was dropped.
    public static let trailingWhitespace = Repair("trailing-whitespace")
    /// An `END` line closed nothing; it was ignored.
    public static let strayEnd = Repair("stray-end")
}
