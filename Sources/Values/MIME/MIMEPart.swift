/// One part of a message: its header, and either its body as written (still
/// transfer-encoded) or, for a multipart, its parts. The message itself is the root part.
public struct MIMEPart: Sendable {
    public var header: MessageHeader
    /// The body as written, transfer encoding and all; empty for a multipart that was split.
    public var body: [UInt8]
    /// The parts of a multipart, in order.
    public var parts: [MIMEPart]
    /// Where the part (its header) starts in the message, in bytes.
    public var offset: Int

    public init(header: MessageHeader, body: [UInt8] = [], parts: [MIMEPart] = [], offset: Int = 0) {
        self.header = header
        self.body = body
        self.parts = parts
        self.offset = offset
    }

    public var contentType: ContentType { header.contentType }

    /// The body with its transfer encoding undone.
    public var decodedBody: [UInt8] { TransferEncoding.decode(body, encoding: header.transferEncoding) }

    /// A `text/*` part's text in its charset (US-ASCII when none is named, RFC 2045 §5.2;
    /// when the charset is not known here, UTF-8 if the bytes are valid UTF-8, else Latin-1
    /// byte for byte); `nil` for other types.
    public var text: String? {
        let type = contentType
        guard type.type == "text" else { return nil }
        let bytes = decodedBody
        return Charset.decode(bytes, charset: type.charset ?? "us-ascii") ?? Latin1OrUTF8.string(bytes)
    }

    /// The file name the part is to be saved under: `Content-Disposition`'s `filename`, or
    /// the older `Content-Type` `name` (RFC 2231 and RFC 2047 decoded).
    public var filename: String? {
        header.contentDisposition?.filename ?? contentType.parameters["name"].map(EncodedWords.decode)
    }

    /// Whether a reader offers the part as a file: marked `attachment`, or not text and not
    /// a multipart (an inline image is an attachment with a place in the text).
    public var isAttachment: Bool {
        parts.isEmpty && !contentType.isMultipart
            && Self.isAttachment(disposition: header.contentDisposition?.type, mediaType: contentType.type, filename: filename)
    }

    /// The rule ``isAttachment`` applies to a leaf, from what describes it (here the part's
    /// header; for IMAP, its BODYSTRUCTURE): marked `attachment`, or not text and named.
    public static func isAttachment(disposition: String?, mediaType: String, filename: String?) -> Bool {
        disposition?.lowercased() == "attachment" || (mediaType.lowercased() != "text" && filename != nil)
    }

    /// The part at an IMAP section number (RFC 9051 §6.4.5: `1`, `1.2`…); the empty
    /// section is this part.
    public func part(at section: [Int]) -> MIMEPart? {
        guard let first = section.first else { return self }
        guard first >= 1, first <= parts.count else { return nil }
        return parts[first - 1].part(at: Array(section.dropFirst()))
    }

    /// Every part that is not a multipart, depth first, with its section number.
    public var leaves: [(section: [Int], part: MIMEPart)] {
        guard !parts.isEmpty else { return [([], self)] }
        return parts.enumerated().flatMap { index, part in part.leaves.map { ([index + 1] + $0.section, $0.part) } }
    }
}

/// A message as read: its root part, and what could not be read (each with its offset). A
/// problem never costs the parts that did parse.
public struct MIMEMessage: Sendable {
    public var root: MIMEPart
    public var problems: [MIMEError]

    public init(root: MIMEPart, problems: [MIMEError] = []) {
        self.root = root
        self.problems = problems
    }

    public var header: MessageHeader { root.header }
    /// The decoded `Subject`.
    public var subject: String? { root.header.decoded("Subject") }
    /// The first `text/plain` leaf's text that is not an attachment.
    public var plainText: String? { firstText(subtype: "plain") }
    /// The first `text/html` leaf's text that is not an attachment (not sanitised: that is the
    /// reader's job).
    public var htmlText: String? { firstText(subtype: "html") }
    /// The parts offered as files.
    public var attachments: [MIMEPart] { root.leaves.map(\.part).filter(\.isAttachment) }

    private func firstText(subtype: String) -> String? {
        root.leaves.map(\.part).first { $0.contentType.type == "text" && $0.contentType.subtype == subtype && !$0.isAttachment }?.text
    }
}
