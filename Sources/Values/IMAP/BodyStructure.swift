import MIME

/// A message's MIME structure as the server parsed it (RFC 9051 §7.5.2 `body`), so a client
/// can list attachments and fetch one part without downloading the message.
public indirect enum BodyStructure: Sendable, Hashable {
    case single(SinglePart)
    case multipart(Multipart)

    /// One leaf part: `type/subtype`, parameters, transfer encoding, size, and the
    /// extension data servers send with BODYSTRUCTURE.
    public struct SinglePart: Sendable, Hashable {
        public var type: String
        public var subtype: String
        public var parameters: [String: String]
        public var id: String?
        public var contentDescription: String?
        public var encoding: String
        public var size: Int
        /// Text lines, for `text/*` and `message/rfc822` parts.
        public var lines: Int?
        /// The attached message's envelope and structure, for `message/rfc822` parts.
        public var message: AttachedMessage?
        public var disposition: Disposition?

        /// `type/subtype`, lower-case.
        public var mediaType: String { "\(type)/\(subtype)".lowercased() }

        /// The file name: the disposition's `filename`, else the type's `name` (RFC 2231
        /// continuations and encoded words decoded).
        public var fileName: String? {
            let raw = disposition?.parameters["filename"] ?? parameters["name"]
            return raw.map(EncodedWords.decode)
        }
    }

    /// An attached message inside a `message/rfc822` part.
    public struct AttachedMessage: Sendable, Hashable {
        public var envelope: Envelope
        public var body: BodyStructure
    }

    /// A multipart: its parts in order, its subtype (`mixed`, `alternative`, …), parameters.
    public struct Multipart: Sendable, Hashable {
        public var parts: [BodyStructure]
        public var subtype: String
        public var parameters: [String: String]
        public var disposition: Disposition?
    }

    /// `Content-Disposition`: `inline` or `attachment`, and its parameters.
    public struct Disposition: Sendable, Hashable {
        public var kind: String
        public var parameters: [String: String]
    }

    /// One leaf with its IMAP section number (`1`, `2.1`, …), as `BODY[section]` names it.
    public struct Leaf: Sendable, Hashable {
        public var section: String
        public var part: SinglePart
    }

    /// Every leaf part with its section number, depth first. A message that is one part has
    /// section `1` (RFC 9051 §6.4.5).
    public var leaves: [Leaf] {
        var found: [Leaf] = []
        collect(prefix: "", into: &found)
        return found
    }

    private func collect(prefix: String, into found: inout [Leaf]) {
        switch self {
        case .single(let part):
            found.append(Leaf(section: prefix.isEmpty ? "1" : prefix, part: part))
        case .multipart(let multipart):
            for (index, child) in multipart.parts.enumerated() {
                let section = prefix.isEmpty ? "\(index + 1)" : "\(prefix).\(index + 1)"
                child.collect(prefix: section, into: &found)
            }
        }
    }

    init(_ value: IMAPValue, at offset: Int, depth: Int = 0) throws(IMAPError) {
        guard depth < 32 else { throw IMAPError(.nestingTooDeep, offset: offset, detail: "body structure over 32 levels") }
        guard let items = value.items, !items.isEmpty else {
            throw IMAPError(.invalidResponse, offset: offset, detail: "a body is a list")
        }
        if case .list = items[0] {
            // body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
            var parts: [BodyStructure] = []
            var index = 0
            while index < items.count, case .list = items[index] {
                parts.append(try BodyStructure(items[index], at: offset, depth: depth + 1))
                index += 1
            }
            let subtype = index < items.count ? (items[index].text ?? "mixed") : "mixed"
            let parameters = index + 1 < items.count ? Self.parameters(items[index + 1]) : [:]
            let disposition = index + 2 < items.count ? Self.disposition(items[index + 2]) : nil
            self = .multipart(Multipart(parts: parts, subtype: subtype.lowercased(), parameters: parameters, disposition: disposition))
            return
        }
        // body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part]
        guard items.count >= 7, let type = items[0].text, let subtype = items[1].text else {
            throw IMAPError(.invalidResponse, offset: offset, detail: "a body part has at least seven fields")
        }
        var part = SinglePart(type: type.lowercased(), subtype: subtype.lowercased(), parameters: Self.parameters(items[2]),
                              id: items[3].text, contentDescription: items[4].text, encoding: (items[5].text ?? "7bit").lowercased(),
                              size: Int(items[6].number ?? 0), lines: nil, message: nil, disposition: nil)
        var next = 7
        if part.type == "message", part.subtype == "rfc822" || part.subtype == "global", items.count >= 10 {
            part.message = AttachedMessage(envelope: try Envelope(items[7], at: offset),
                                           body: try BodyStructure(items[8], at: offset, depth: depth + 1))
            part.lines = items[9].number.map { Int($0) }
            next = 10
        } else if part.type == "text", items.count >= 8 {
            part.lines = items[7].number.map { Int($0) }
            next = 8
        }
        // body-ext-1part = body-fld-md5 [SP body-fld-dsp ...]
        if next + 1 < items.count { part.disposition = Self.disposition(items[next + 1]) }
        self = .single(part)
    }

    /// body-fld-param = "(" string SP string *(SP string SP string) ")" / nil, RFC 2231
    /// continuations (`name*0*`, `name*1*`) joined and decoded.
    static func parameters(_ value: IMAPValue) -> [String: String] {
        guard let items = value.items else { return [:] }
        var raw: [(name: String, value: String, quoted: Bool)] = []
        var index = 0
        while index + 1 < items.count {
            if let name = items[index].text, let value = items[index + 1].text { raw.append((name, value, false)) }
            index += 2
        }
        return ParameterizedValue(value: "x", rawParameters: raw).parameters
    }

    /// body-fld-dsp = "(" string SP body-fld-param ")" / nil
    static func disposition(_ value: IMAPValue) -> Disposition? {
        guard let items = value.items, items.count >= 2, let kind = items[0].text else { return nil }
        return Disposition(kind: kind.lowercased(), parameters: parameters(items[1]))
    }
}
