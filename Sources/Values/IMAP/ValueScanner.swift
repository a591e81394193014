/// Reads one framed response's bytes into ``IMAPValue``s, left to right. The framer has
/// already made sure every announced literal is present, so running out of bytes here is
/// a broken response, not a short one.
struct ValueScanner {
    let bytes: [UInt8]
    var index: Int
    let limits: IMAPLimits

    init(_ bytes: [UInt8], limits: IMAPLimits) {
        self.bytes = bytes
        self.index = 0
        self.limits = limits
    }

    var atEnd: Bool { index >= bytes.count || bytes[index] == UInt8(ascii: "\r") || bytes[index] == UInt8(ascii: "\n") }

    func invalid(_ detail: String) -> IMAPError { IMAPError(.invalidResponse, offset: index, detail: detail) }

    mutating func skipSpaces() {
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
    }

    /// `SP` where the grammar wants one; servers that double it are forgiven.
    mutating func expectSpace() throws(IMAPError) {
        guard index < bytes.count, bytes[index] == UInt8(ascii: " ") else { throw invalid("expected a space") }
        skipSpaces()
    }

    /// The values up to the end of the line.
    mutating func valuesToEnd() throws(IMAPError) -> [IMAPValue] {
        var values: [IMAPValue] = []
        skipSpaces()
        while !atEnd {
            values.append(try value(depth: 0))
            skipSpaces()
        }
        return values
    }

    /// The rest of the line as text (resp-text's `text`), CRLF left out.
    mutating func textToEnd() -> String {
        let start = index
        while !atEnd { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// value = atom / string / "NIL" / "(" [value *(SP value)] ")"
    mutating func value(depth: Int) throws(IMAPError) -> IMAPValue {
        guard index < bytes.count else { throw invalid("expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "("):
            guard depth < limits.maxNesting else {
                throw IMAPError(.nestingTooDeep, offset: index, detail: "over \(limits.maxNesting) levels")
            }
            index += 1
            var items: [IMAPValue] = []
            while true {
                skipSpaces()
                guard index < bytes.count, !atEnd else { throw invalid("unterminated list") }
                if bytes[index] == UInt8(ascii: ")") {
                    index += 1
                    return .list(items)
                }
                items.append(try value(depth: depth + 1))
            }
        case UInt8(ascii: "\""):
            return .string(try quoted())
        case UInt8(ascii: "{"):
            return .string(try literal())
        case UInt8(ascii: "~") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "{"):
            index += 1
            return .string(try literal())
        case UInt8(ascii: ")"):
            throw invalid("unexpected )")
        default:
            let atom = try self.atom()
            if atom.utf8.count == 3, atom.uppercased() == "NIL" { return .nil }
            return .atom(atom)
        }
    }

    /// quoted = DQUOTE *QUOTED-CHAR DQUOTE, with `\"` and `\\` escapes.
    mutating func quoted() throws(IMAPError) -> [UInt8] {
        index += 1
        var result: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return result
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw invalid("unterminated quoted string") }
                result.append(bytes[index])
            case UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                throw invalid("line break in a quoted string")
            default:
                result.append(byte)
            }
            index += 1
        }
        throw invalid("unterminated quoted string")
    }

    /// literal = "{" number ["+"] "}" CRLF *OCTET
    mutating func literal() throws(IMAPError) -> [UInt8] {
        index += 1
        var length = 0
        var digits = 0
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            length = length * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            digits += 1
            index += 1
            guard digits <= 12 else { throw IMAPError(.literalTooLarge, offset: index, detail: "length over 12 digits") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard digits > 0, index < bytes.count, bytes[index] == UInt8(ascii: "}") else { throw invalid("malformed literal") }
        index += 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "\r") { index += 1 }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\n") else { throw invalid("literal without CRLF") }
        index += 1
        guard index + length <= bytes.count else { throw invalid("literal shorter than announced") }
        defer { index += length }
        return Array(bytes[index..<(index + length)])
    }

    /// An atom, lenient: any run of bytes up to a space, a parenthesis or the line end. A
    /// section (`BODY[HEADER.FIELDS (SUBJECT)]<0>`) is read whole, spaces and all.
    mutating func atom() throws(IMAPError) -> String {
        let start = index
        var bracketDepth = 0
        scan: while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "["):
                bracketDepth += 1
            case UInt8(ascii: "]"):
                if bracketDepth == 0 { break scan }
                bracketDepth -= 1
            case UInt8(ascii: " "), UInt8(ascii: "("), UInt8(ascii: ")"):
                if bracketDepth == 0 { break scan }
            case UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                break scan
            default:
                break
            }
            index += 1
        }
        guard index > start else { throw invalid("expected an atom") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }
}
