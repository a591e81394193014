/// Reads one framed response (``ResponseFramer``) into a ``Response``. Pure: bytes in,
/// values out. Data the client does not know is kept as ``UntaggedResponse/other(name:values:)``
/// rather than refused, so a newer server's extension never breaks a session.
public struct ResponseParser: Sendable {
    public let limits: IMAPLimits

    public init(limits: IMAPLimits = IMAPLimits()) {
        self.limits = limits
    }

    /// response = continue-req / response-data / response-tagged   (RFC 9051 §9)
    public func parse(_ frame: [UInt8]) throws(IMAPError) -> Response {
        var scanner = ValueScanner(frame, limits: limits)
        guard let first = frame.first else { throw scanner.invalid("empty response") }
        switch first {
        case UInt8(ascii: "+"):
            // continue-req = "+" [SP (resp-text / base64)] CRLF
            scanner.index = 1
            scanner.skipSpaces()
            return .continuation(scanner.textToEnd())
        case UInt8(ascii: "*"):
            scanner.index = 1
            try scanner.expectSpace()
            return .untagged(try untagged(&scanner))
        default:
            // response-tagged = tag SP resp-cond-state CRLF
            let tag = try scanner.atom()
            try scanner.expectSpace()
            let word = try scanner.atom().uppercased()
            guard let status = TaggedResponse.Status(rawValue: word) else { throw scanner.invalid("expected OK, NO or BAD") }
            return .tagged(TaggedResponse(tag: tag, status: status, text: try responseText(&scanner)))
        }
    }

    private func untagged(_ scanner: inout ValueScanner) throws(IMAPError) -> UntaggedResponse {
        let word = try scanner.atom()
        if let number = IMAPValue.atom(word).number32 {
            // message-data = nz-number SP ("EXPUNGE" / ("FETCH" SP msg-att)); mailbox-data numbers
            try scanner.expectSpace()
            let kind = try scanner.atom().uppercased()
            switch kind {
            case "EXISTS": return .exists(number)
            case "RECENT": return .recent(number)
            case "EXPUNGE": return .expunge(number)
            case "FETCH":
                scanner.skipSpaces()
                let offset = scanner.index
                return .fetch(sequenceNumber: number, try fetched(try scanner.value(depth: 0), at: offset))
            default:
                return .other(name: kind, values: [.atom(word)] + (try scanner.valuesToEnd()))
            }
        }
        let name = word.uppercased()
        switch name {
        case "OK", "NO", "BAD", "BYE", "PREAUTH":
            return .condition(UntaggedResponse.Condition(rawValue: name)!, try responseText(&scanner))
        case "CAPABILITY":
            return .capabilities(try scanner.valuesToEnd().compactMap(\.text).map(Capability.init))
        case "ENABLED":
            return .enabled(try scanner.valuesToEnd().compactMap(\.text).map(Capability.init))
        case "FLAGS":
            return .flags(flags(try scanner.valuesToEnd().first ?? .nil))
        case "LIST", "LSUB":
            // mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox
            let offset = scanner.index
            let values = try scanner.valuesToEnd()
            guard values.count >= 3, let attributes = values[0].items else {
                throw IMAPError(.invalidResponse, offset: offset, detail: "a LIST response has attributes, a separator and a name")
            }
            let separator = values[1].text.flatMap(\.first)
            return .list(ListEntry(attributes: attributes.compactMap(\.text).map(Flag.init(unchecked:)),
                                   separator: separator, name: mailboxName(values[2])))
        case "STATUS":
            // "STATUS" SP mailbox SP "(" [status-att-list] ")"
            let offset = scanner.index
            let values = try scanner.valuesToEnd()
            guard values.count >= 2, let pairs = values[1].items else {
                throw IMAPError(.invalidResponse, offset: offset, detail: "a STATUS response has a name and attributes")
            }
            var attributes: [String: UInt64] = [:]
            var index = 0
            while index + 1 < pairs.count {
                if let key = pairs[index].text, let value = pairs[index + 1].number { attributes[key.uppercased()] = value }
                index += 2
            }
            return .status(mailboxName(values[0]), attributes)
        case "SEARCH", "SORT":
            // mailbox-data =/ "SEARCH" *(SP nz-number) [SP "(" "MODSEQ" SP mod-sequence-value ")"]
            var numbers: [UInt32] = []
            var modSeq: UInt64?
            for value in try scanner.valuesToEnd() {
                if let number = value.number32 {
                    numbers.append(number)
                } else if let items = value.items, items.count == 2, items[0].isAtom("MODSEQ") {
                    modSeq = items[1].number
                }
            }
            return .search(numbers, highestModSeq: modSeq)
        case "THREAD":
            let offset = scanner.index
            return .thread(try scanner.valuesToEnd().map { value throws(IMAPError) in try threadNode(value, at: offset) })
        case "VANISHED":
            let offset = scanner.index
            let values = try scanner.valuesToEnd()
            let earlier = values.first?.items?.first?.isAtom("EARLIER") ?? false
            guard let text = values.last?.text, let set = SequenceSet(text) else {
                throw IMAPError(.invalidResponse, offset: offset, detail: "VANISHED names a UID set")
            }
            return .vanished(earlier: earlier, set)
        default:
            return .other(name: name, values: try scanner.valuesToEnd())
        }
    }

    /// resp-text = ["[" resp-text-code "]" SP] [text]
    private func responseText(_ scanner: inout ValueScanner) throws(IMAPError) -> ResponseText {
        scanner.skipSpaces()
        guard scanner.index < scanner.bytes.count, scanner.bytes[scanner.index] == UInt8(ascii: "[") else {
            return ResponseText(text: scanner.textToEnd())
        }
        scanner.index += 1
        let name = try scanner.atom().uppercased()
        var arguments: [IMAPValue] = []
        let argumentsStart = scanner.index
        scanner.skipSpaces()
        while scanner.index < scanner.bytes.count, scanner.bytes[scanner.index] != UInt8(ascii: "]"), !scanner.atEnd {
            arguments.append(try scanner.value(depth: 0))
            scanner.skipSpaces()
        }
        let argumentsText = String(decoding: scanner.bytes[argumentsStart..<scanner.index], as: UTF8.self)
        guard scanner.index < scanner.bytes.count, scanner.bytes[scanner.index] == UInt8(ascii: "]") else {
            throw scanner.invalid("unterminated response code")
        }
        scanner.index += 1
        scanner.skipSpaces()
        let code = responseCode(name, arguments, text: argumentsText.trimmingSpaces())
        return ResponseText(code: code, text: scanner.textToEnd())
    }

    private func responseCode(_ name: String, _ arguments: [IMAPValue], text: String) -> ResponseCode {
        let first = arguments.first
        switch name {
        case "ALERT": return .alert
        case "CAPABILITY": return .capability(arguments.compactMap(\.text).map(Capability.init))
        case "PERMANENTFLAGS": return .permanentFlags(flags(first ?? .nil))
        case "READ-ONLY": return .readOnly
        case "READ-WRITE": return .readWrite
        case "TRYCREATE": return .tryCreate
        case "NOMODSEQ": return .noModSeq
        case "CLOSED": return .closed
        case "UIDNEXT": if let value = first?.number32 { return .uidNext(value) }
        case "UIDVALIDITY": if let value = first?.number32 { return .uidValidity(value) }
        case "UNSEEN": if let value = first?.number32 { return .unseen(value) }
        case "HIGHESTMODSEQ": if let value = first?.number { return .highestModSeq(value) }
        case "APPENDUID":
            if arguments.count == 2, let validity = arguments[0].number32, let uid = arguments[1].number32 {
                return .appendUID(uidValidity: validity, uid: uid)
            }
        case "COPYUID":
            if arguments.count == 3, let validity = arguments[0].number32,
               let source = arguments[1].text.flatMap(SequenceSet.init), let destination = arguments[2].text.flatMap(SequenceSet.init) {
                return .copyUID(uidValidity: validity, source: source, destination: destination)
            }
        default: break
        }
        return .other(name: name, arguments: text)
    }

    /// msg-att = "(" (msg-att-dynamic / msg-att-static) *(SP (msg-att-dynamic / msg-att-static)) ")"
    private func fetched(_ value: IMAPValue, at offset: Int) throws(IMAPError) -> FetchedMessage {
        guard case .list(let items) = value else {
            throw IMAPError(.invalidResponse, offset: offset, detail: "FETCH data is a list")
        }
        var message = FetchedMessage()
        var index = 0
        while index + 1 < items.count {
            guard case .atom(let rawName) = items[index] else {
                throw IMAPError(.invalidResponse, offset: offset, detail: "a FETCH attribute has a name")
            }
            let item = items[index + 1]
            let name = rawName.uppercased()
            switch name {
            case "UID": message.uid = item.number32
            case "FLAGS": message.flags = flags(item)
            case "INTERNALDATE": message.internalDate = item.text
            case "RFC822.SIZE": message.size = item.number.map { Int($0) }
            case "ENVELOPE": message.envelope = try Envelope(item, at: offset)
            case "BODYSTRUCTURE", "BODY": message.bodyStructure = try BodyStructure(item, at: offset)
            case "MODSEQ": message.modSeq = item.items?.first?.number
            case "RFC822", "RFC822.HEADER", "RFC822.TEXT":
                message.sections.append(FetchedSection(section: name == "RFC822" ? "" : String(name.dropFirst(7)), origin: nil, bytes: bytes(item)))
            default:
                // BODY[section]<origin> / BINARY[section]<origin>
                if let open = rawName.firstIndex(of: "["), let close = rawName.lastIndex(of: "]"), open < close {
                    let section = String(rawName[rawName.index(after: open)..<close])
                    let tail = rawName[rawName.index(after: close)...]
                    let origin = tail.hasPrefix("<") && tail.hasSuffix(">") ? Int(tail.dropFirst().dropLast()) : nil
                    message.sections.append(FetchedSection(section: section, origin: origin, bytes: bytes(item)))
                }
            }
            index += 2
        }
        return message
    }

    private func bytes(_ value: IMAPValue) -> [UInt8]? {
        switch value {
        case .string(let bytes): bytes
        case .atom(let text): Array(text.utf8)
        case .nil, .list: nil
        }
    }

    private func flags(_ value: IMAPValue) -> [Flag] {
        (value.items ?? []).compactMap(\.text).map(Flag.init(unchecked:))
    }

    private func mailboxName(_ value: IMAPValue) -> MailboxName {
        switch value {
        case .string(let bytes): MailboxName(wire: bytes)
        case .atom(let text): MailboxName(wire: Array(text.utf8))
        case .nil, .list: MailboxName("")
        }
    }

    /// thread-list = "(" (thread-members / thread-nested) ")"
    /// thread-members = nz-number *(SP nz-number) [SP thread-nested]; thread-nested = 2*thread-list
    private func threadNode(_ value: IMAPValue, at offset: Int) throws(IMAPError) -> ThreadNode {
        guard let items = value.items else {
            throw IMAPError(.invalidResponse, offset: offset, detail: "a thread is a list")
        }
        var numbers: [UInt32] = []
        var nested: [ThreadNode] = []
        for item in items {
            if let number = item.number32, nested.isEmpty {
                numbers.append(number)
            } else if case .list = item {
                nested.append(try threadNode(item, at: offset))
            } else {
                throw IMAPError(.invalidResponse, offset: offset, detail: "a thread holds numbers, then threads")
            }
        }
        // A chain of numbers is each the parent of the next; nested threads hang off the last.
        var node = ThreadNode(uid: numbers.last, children: nested)
        if numbers.isEmpty { return ThreadNode(uid: nil, children: nested) }
        for uid in numbers.dropLast().reversed() {
            node = ThreadNode(uid: uid, children: [node])
        }
        return node
    }
}

/// Framing and parsing together: bytes in, responses out, as a connection reads them.
public struct ResponseDecoder: Sendable {
    private var framer: ResponseFramer
    private let parser: ResponseParser

    public init(limits: IMAPLimits = IMAPLimits()) {
        framer = ResponseFramer(limits: limits)
        parser = ResponseParser(limits: limits)
    }

    public mutating func append(_ bytes: some Sequence<UInt8>) { framer.append(bytes) }

    /// The next whole response, or `nil` until more bytes arrive.
    public mutating func next() throws(IMAPError) -> Response? {
        guard let frame = try framer.nextFrame() else { return nil }
        return try parser.parse(frame)
    }

    /// Bytes received but not yet a whole response.
    public var bufferedByteCount: Int { framer.bufferedByteCount }
}

extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while scalars.first == " " { scalars.removeFirst() }
        while scalars.last == " " { scalars.removeLast() }
        return String(scalars)
    }
}
