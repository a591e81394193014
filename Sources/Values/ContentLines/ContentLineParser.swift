#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits bytes into unfolded ``ContentLine``s (RFC 5545 §3.1, RFC 6350 §3.2–3.3).
///
/// The parser is pure and bounded: it reads a buffer, never the file system, and every
/// resource it spends is capped by ``ParserLimits``. Known breakage (bare LF, lower-case
/// names, Latin-1 bytes, long lines wrapped without a leading space) is repaired through
/// ``Diagnostics``, which reports each repair or, in strict mode, refuses it.
public struct ContentLineParser: Sendable {
    /// What the grammar accepts beyond RFC 5545.
    public struct Options: Sendable, Hashable {
        /// The resource limits.
        public var limits: ParserLimits
        /// Accept a group prefix (`item1.EMAIL`), as vCard does; without it a group is
        /// kept but reported as a repair.
        public var allowsGroups: Bool
        /// Accept a parameter without `=` (`TEL;HOME:`), as vCard 2.1 does.
        public var allowsParametersWithoutValue: Bool
        /// Join quoted-printable soft line breaks (a value ending in `=` continues on the
        /// next line without leading white space), as vCard 2.1 writes them.
        public var joinsQuotedPrintableSoftBreaks: Bool

        /// Creates options; by default they follow iCalendar.
        public init(
            limits: ParserLimits = .default, allowsGroups: Bool = false,
            allowsParametersWithoutValue: Bool = false, joinsQuotedPrintableSoftBreaks: Bool = false
        ) {
            self.limits = limits
            self.allowsGroups = allowsGroups
            self.allowsParametersWithoutValue = allowsParametersWithoutValue
            self.joinsQuotedPrintableSoftBreaks = joinsQuotedPrintableSoftBreaks
        }
    }

    /// The options in force.
    public let options: Options

    /// Creates a parser.
    public init(options: Options = Options()) {
        self.options = options
    }

    /// Parses `input` and calls `body` with each content line, in order, and the
    /// diagnostics so that the caller can report repairs of its own.
    public func parse(
        _ input: [UInt8], diagnostics: inout Diagnostics,
        _ body: (consuming ContentLine, inout Diagnostics) throws(ParseError) -> Void
    ) throws(ParseError) {
        guard input.count <= options.limits.maxInputSize else {
            throw ParseError(
                .inputTooLarge, at: SourceLocation(line: 1),
                hint: "input has \(input.count) bytes, the limit is \(options.limits.maxInputSize)")
        }
        let result: Result<Void, ParseError> = input.withUnsafeBufferPointer { buffer in
            var scanner = Scanner(buffer: buffer, options: options)
            do throws(ParseError) {
                try scanner.run(diagnostics: &diagnostics, body)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }
}

// MARK: - Scanning

private let cr = UInt8(ascii: "\r")
private let lf = UInt8(ascii: "\n")
private let space = UInt8(ascii: " ")
private let tab = UInt8(ascii: "\t")
private let colon = UInt8(ascii: ":")
private let semicolon = UInt8(ascii: ";")
private let comma = UInt8(ascii: ",")
private let equals = UInt8(ascii: "=")
private let quote = UInt8(ascii: "\"")
private let dot = UInt8(ascii: ".")
private let backslash = UInt8(ascii: "\\")

private struct Scanner {
    let buffer: UnsafeBufferPointer<UInt8>
    let options: ContentLineParser.Options
    var position = 0
    var lineNumber = 1
    var lineCount = 0
    var reportedBareLineFeed = false
    var reportedExtraCarriageReturn = false
    /// The last line read, held back so that a broken continuation can still join it.
    var pending: ContentLine?
    var scratch: [UInt8] = []

    init(buffer: UnsafeBufferPointer<UInt8>, options: ContentLineParser.Options) {
        self.buffer = buffer
        self.options = options
        if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF {
            position = 3  // A UTF-8 byte order mark carries no content.
        }
    }

    mutating func run(
        diagnostics: inout Diagnostics, _ body: (consuming ContentLine, inout Diagnostics) throws(ParseError) -> Void
    ) throws(ParseError) {
        while position < buffer.count {
            let startLine = lineNumber
            if isWhitespace(at: position) {
                // A continuation with nothing to continue: leading white space.
                try diagnostics.repair(
                    .leadingWhitespace, at: SourceLocation(line: lineNumber), "line starts with white space; trimmed")
                while position < buffer.count, isWhitespace(at: position) { position += 1 }
                continue
            }
            let (start, end) = try nextPhysicalLine(diagnostics: &diagnostics)
            if options.joinsQuotedPrintableSoftBreaks, position < buffer.count, !isWhitespace(at: position),
                !startsContentLine(at: position), isQuotedPrintableSoftBreak(start..<end)
            {
                try consumeSoftBreaks(from: start..<end, line: startLine, diagnostics: &diagnostics, body)
                continue
            }
            guard try continues(diagnostics: &diagnostics) else {
                if start == end { continue }  // Blank lines carry no content.
                try consume(
                    UnsafeBufferPointer(rebasing: buffer[start..<end]), line: startLine,
                    diagnostics: &diagnostics, body)
                continue
            }
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<end]))
            repeat {
                let (continuationStart, continuationEnd) = try nextPhysicalLine(diagnostics: &diagnostics)
                scratch.append(
                    contentsOf: UnsafeBufferPointer(rebasing: buffer[(continuationStart + 1)..<continuationEnd]))
                try checkLength(scratch.count, line: startLine)
            } while try continues(diagnostics: &diagnostics)
            let folded = scratch
            try folded.withUnsafeBufferPointer { (line) throws(ParseError) in
                try consume(line, line: startLine, diagnostics: &diagnostics, body)
            }
        }
        if let last = pending.take() { try body(last, &diagnostics) }
    }

    /// Whether a physical line ends in a quoted-printable soft line break.
    func isQuotedPrintableSoftBreak(_ range: Range<Int>) -> Bool {
        guard let last = range.last, buffer[last] == UInt8(ascii: "=") else { return false }
        let colonIndex = buffer[range].firstIndex(of: colon) ?? range.upperBound
        let head = String(decoding: UnsafeBufferPointer(rebasing: buffer[range.lowerBound..<colonIndex]), as: UTF8.self)
        return head.uppercased().contains("QUOTED-PRINTABLE")
    }

    /// Joins a quoted-printable value over its soft line breaks (`=` at the end of a
    /// line): the `=` and the line break carry no content and are dropped.
    mutating func consumeSoftBreaks(
        from first: Range<Int>, line startLine: Int, diagnostics: inout Diagnostics,
        _ body: (consuming ContentLine, inout Diagnostics) throws(ParseError) -> Void
    ) throws(ParseError) {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[first.lowerBound..<(first.upperBound - 1)]))
        while position < buffer.count, !startsContentLine(at: position) {
            let (start, end) = try nextPhysicalLine(diagnostics: &diagnostics)
            let continues = end > start && buffer[end - 1] == UInt8(ascii: "=")
            scratch.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<(continues ? end - 1 : end)]))
            try checkLength(scratch.count, line: startLine)
            if !continues { break }
        }
        let joined = scratch
        try joined.withUnsafeBufferPointer { (line) throws(ParseError) in
            try consume(line, line: startLine, diagnostics: &diagnostics, body)
        }
    }

    /// Whether a line starts like a content line (`NAME:` or `NAME;`): a writer that
    /// ends the last line of a quoted-printable value with `=` (old Android) continues
    /// nothing, and the next property must not be swallowed.
    func startsContentLine(at index: Int) -> Bool {
        var cursor = index
        while cursor < buffer.count, isNameByte(buffer[cursor]) || buffer[cursor] == dot { cursor += 1 }
        return cursor > index && cursor < buffer.count && (buffer[cursor] == colon || buffer[cursor] == semicolon)
    }

    func isWhitespace(at index: Int) -> Bool {
        buffer[index] == space || buffer[index] == tab
    }

    /// Whether the next physical line continues the current one. Blank lines between a
    /// line and its continuation are skipped as a repair.
    mutating func continues(diagnostics: inout Diagnostics) throws(ParseError) -> Bool {
        guard position < buffer.count else { return false }
        if isWhitespace(at: position) { return true }
        var index = position
        var blankLines = 0
        while index < buffer.count {
            if buffer[index] == lf {
                index += 1
            } else if buffer[index] == cr, index + 1 < buffer.count, buffer[index + 1] == lf {
                index += 2
            } else {
                break
            }
            blankLines += 1
        }
        guard blankLines > 0, index < buffer.count, isWhitespace(at: index) else { return false }
        try diagnostics.repair(
            .blankLineInFold, at: SourceLocation(line: lineNumber), "blank line inside a folded line; skipped")
        position = index
        lineNumber += blankLines
        return true
    }

    /// Returns the bounds of the next physical line without its line break.
    mutating func nextPhysicalLine(diagnostics: inout Diagnostics) throws(ParseError) -> (Int, Int) {
        let start = position
        let count = buffer.count
        // memchr scans a word at a time; this loop runs over every byte of the input.
        let index =
            memchr(buffer.baseAddress! + position, Int32(lf), count - position).map {
                UnsafeRawPointer($0) - UnsafeRawPointer(buffer.baseAddress!)
            } ?? count
        var end = index
        if end > start, buffer[end - 1] == cr {
            end -= 1
            if end > start, buffer[end - 1] == cr {
                while end > start, buffer[end - 1] == cr { end -= 1 }
                if !reportedExtraCarriageReturn {
                    reportedExtraCarriageReturn = true
                    try diagnostics.repair(
                        .extraCarriageReturn, at: SourceLocation(line: lineNumber, column: end - start + 1),
                        "line ends in more than one CR (reported once)")
                }
            }
        } else if index < count, !reportedBareLineFeed {
            reportedBareLineFeed = true
            try diagnostics.repair(
                .bareLineFeed, at: SourceLocation(line: lineNumber, column: index - start + 1),
                "line ends in LF without CR (reported once)")
        }
        position = index + 1
        lineNumber += 1
        try checkLength(end - start, line: lineNumber - 1)
        return (start, end)
    }

    func checkLength(_ length: Int, line: Int) throws(ParseError) {
        if length > options.limits.maxLineLength {
            throw ParseError(
                .lineTooLong, at: SourceLocation(line: line),
                hint: "content line is longer than \(options.limits.maxLineLength) bytes")
        }
    }

    mutating func consume(
        _ line: UnsafeBufferPointer<UInt8>, line lineNumber: Int, diagnostics: inout Diagnostics,
        _ body: (consuming ContentLine, inout Diagnostics) throws(ParseError) -> Void
    ) throws(ParseError) {
        if memchr(line.baseAddress!, Int32(cr), line.count) != nil {
            // A CR that ends no line cannot be written back where it stood.
            try diagnostics.repair(
                .strayCarriageReturn, at: SourceLocation(line: lineNumber),
                "CR inside a content line; dropped")
            let cleaned = line.filter { $0 != cr }
            try cleaned.withUnsafeBufferPointer { (cleaned) throws(ParseError) in
                try consume(cleaned, line: lineNumber, diagnostics: &diagnostics, body)
            }
            return
        }
        if !isASCII(line), String(validating: line, as: UTF8.self) == nil {
            try diagnostics.repair(
                .invalidEncoding, at: SourceLocation(line: lineNumber),
                "line is not valid UTF-8; read as ISO 8859-1")
            let transcoded = latin1ToUTF8(line)
            try transcoded.withUnsafeBufferPointer { (utf8) throws(ParseError) in
                try consumeValidated(utf8, line: lineNumber, diagnostics: &diagnostics, body)
            }
            return
        }
        try consumeValidated(line, line: lineNumber, diagnostics: &diagnostics, body)
    }

    mutating func consumeValidated(
        _ line: UnsafeBufferPointer<UInt8>, line lineNumber: Int, diagnostics: inout Diagnostics,
        _ body: (consuming ContentLine, inout Diagnostics) throws(ParseError) -> Void
    ) throws(ParseError) {
        let parsed: ContentLine
        do throws(ParseError) {
            do throws(ParseError) {
                parsed = try parseLine(line, line: lineNumber, backslashEscapes: false, diagnostics: &diagnostics)
            } catch where !diagnostics.isStrict {
                // Some producers escape separators in parameter values with '\' (`CN=Doe\, J`).
                // That reading is tried only when the standard one fails, since a
                // parameter value may end in a plain backslash.
                parsed = try parseLine(line, line: lineNumber, backslashEscapes: true, diagnostics: &diagnostics)
            }
        } catch {
            // A long text wrapped without the leading space is the usual cause.
            guard !diagnostics.isStrict, let pending, pending.name != "BEGIN", pending.name != "END",
                error.code == .missingColon || error.code == .invalidName
            else { throw error }
            try diagnostics.repair(
                .unfoldedContinuation, at: SourceLocation(line: lineNumber), property: pending.name,
                "line is not a content line; joined to the value of the line before it")
            self.pending?.value += String(decoding: line, as: UTF8.self)
            return
        }
        lineCount += 1
        if lineCount > options.limits.maxPropertyCount {
            throw ParseError(
                .tooManyProperties, at: SourceLocation(line: lineNumber),
                hint: "more than \(options.limits.maxPropertyCount) content lines")
        }
        if let previous = pending.take() { try body(previous, &diagnostics) }
        pending = consume parsed
    }

    /// Parses one unfolded, valid UTF-8 content line.
    func parseLine(
        _ line: UnsafeBufferPointer<UInt8>, line lineNumber: Int, backslashEscapes: Bool,
        diagnostics: inout Diagnostics
    ) throws(ParseError) -> ContentLine {
        let count = line.count
        func location(_ index: Int) -> SourceLocation { SourceLocation(line: lineNumber, column: index + 1) }

        // name = iana-token / x-name, optionally preceded by a vCard group.
        var index = 0
        var group: String?
        var nameStart = 0
        var hasLowercase = false
        while index < count {
            let byte = line[index]
            if isNameByte(byte) {
                if byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") { hasLowercase = true }
            } else if byte == dot, group == nil, index > 0 {
                group = string(line, 0..<index)
                nameStart = index + 1
                hasLowercase = false  // Group names keep their case (`item1`).
            } else {
                break
            }
            index += 1
        }
        if index == count, group == nil, index > 0, !diagnostics.isStrict {
            // A bare name (`X`): read as a property with an empty value.
            try diagnostics.repair(
                .missingValue, at: location(index), property: string(line, 0..<index),
                "content line has no ':'; read as an empty value")
            return ContentLine(
                name: string(line, 0..<index).uppercased(), value: "", sourceLocation: SourceLocation(line: lineNumber))
        }
        guard index < count, line[index] == semicolon || line[index] == colon else {
            if index < count, !isNameByte(line[index]), line[index..<count].contains(colon) {
                throw ParseError(
                    .invalidName, at: location(index),
                    hint: "a name may hold only letters, digits and '-'")
            }
            throw ParseError(.missingColon, at: location(index), hint: "content line has no ':' before its value")
        }
        guard index > nameStart else {
            throw ParseError(.invalidName, at: location(index), hint: "content line has no name")
        }
        var name = string(line, nameStart..<index)
        if let group, !options.allowsGroups {
            try diagnostics.repair(.groupedName, at: location(0), property: name, "group \(group) is not part of this format; kept")
        }
        if hasLowercase {
            try diagnostics.repair(.lowercaseName, at: location(0), property: name, "name is not upper case")
            name = name.uppercased()
        }

        // *(";" param)
        var parameters: [Parameter] = []
        while index < count, line[index] == semicolon {
            index += 1
            let parameterStart = index
            var parameterHasLowercase = false
            while index < count, isNameByte(line[index]) {
                if line[index] >= UInt8(ascii: "a") && line[index] <= UInt8(ascii: "z") { parameterHasLowercase = true }
                index += 1
            }
            var parameterName = string(line, parameterStart..<index)
            guard index < count else {
                throw ParseError(.missingColon, at: location(index), property: name, hint: "content line has no ':'")
            }
            if parameterName.isEmpty {
                guard line[index] == semicolon || line[index] == colon else {
                    throw ParseError(.invalidParameter, at: location(index), property: name, hint: "parameter has no name")
                }
                try diagnostics.repair(.emptyParameter, at: location(index), property: name, "empty parameter dropped")
                continue
            }
            if parameterHasLowercase {
                try diagnostics.repair(
                    .lowercaseName, at: location(parameterStart), property: name,
                    "parameter \(parameterName) is not upper case")
                parameterName = parameterName.uppercased()
            }
            switch line[index] {
            case equals:
                index += 1
                let valueStart = index
                valueLoop: while true {
                    if index < count, line[index] == quote {
                        index += 1
                        while index < count, line[index] != quote { index += 1 }
                        guard index < count else {
                            throw ParseError(
                                .unterminatedQuote, at: location(valueStart), property: name,
                                hint: "quoted value of parameter \(parameterName) is not closed")
                        }
                        index += 1
                    }
                    while index < count {
                        let byte = line[index]
                        if byte == comma || byte == semicolon || byte == colon { break }
                        if backslashEscapes, byte == backslash, index + 1 < count, line[index + 1] == semicolon || line[index + 1] == comma
                            || line[index + 1] == colon
                        {
                            try diagnostics.repair(
                                .escapedParameterSeparator, at: location(index), property: name,
                                "parameter \(parameterName) escapes a separator with '\\'; kept as written")
                            index += 1
                        }
                        index += 1
                    }
                    if index < count, line[index] == comma {
                        index += 1
                        continue valueLoop
                    }
                    break valueLoop
                }
                parameters.append(Parameter(name: parameterName, rawValue: string(line, valueStart..<index)))
            case semicolon, colon:
                if !options.allowsParametersWithoutValue {
                    try diagnostics.repair(
                        .parameterWithoutValue, at: location(parameterStart), property: name,
                        "parameter \(parameterName) has no value")
                }
                parameters.append(Parameter(name: parameterName, rawValue: nil))
            default:
                throw ParseError(
                    .invalidParameter, at: location(index), property: name,
                    hint: "unexpected character in parameter \(parameterName)")
            }
        }
        guard index < count, line[index] == colon else {
            throw ParseError(.missingColon, at: location(index), property: name, hint: "content line has no ':'")
        }
        let value = string(line, (index + 1)..<count)
        return ContentLine(
            group: group, name: name, parameters: parameters, value: value,
            sourceLocation: SourceLocation(line: lineNumber))
    }

    @inline(__always)
    func string(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: line[range]), as: UTF8.self)
    }
}

@inline(__always)
private func isNameByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
        return true
    default:
        return false
    }
}

/// Whether every byte is below 0x80, eight bytes at a time.
private func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = bytes.baseAddress else { return true }
    let raw = UnsafeRawPointer(base)
    var accumulated: UInt64 = 0
    var offset = 0
    while offset + 8 <= bytes.count {
        accumulated |= raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        offset += 8
    }
    while offset < bytes.count {
        accumulated |= UInt64(bytes[offset])
        offset += 1
    }
    return accumulated & 0x8080_8080_8080_8080 == 0
}

private func latin1ToUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
    var result: [UInt8] = []
    result.reserveCapacity(bytes.count + bytes.count / 4)
    for byte in bytes {
        if byte < 0x80 {
            result.append(byte)
        } else {
            result.append(0xC0 | (byte >> 6))
            result.append(0x80 | (byte & 0x3F))
        }
    }
    return result
}
