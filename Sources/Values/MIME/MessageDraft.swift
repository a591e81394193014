public import Foundation

/// A mailbox: an address with an optional display name (`Anna Müller <anna@example.org>`).
public struct Mailbox: Sendable, Hashable {
    public var address: MailAddress
    public var name: String?

    public init(_ address: MailAddress, name: String? = nil) {
        self.address = address
        self.name = name
    }
}

/// A file sent with a message.
public struct Attachment: Sendable, Hashable {
    /// The name it is saved under (any text; written per RFC 2231 when not plain ASCII).
    public var filename: String
    /// Its media type, `type/subtype`; anything else is sent as `application/octet-stream`.
    public var mediaType: String
    public var data: [UInt8]

    public init(filename: String, mediaType: String, data: [UInt8]) {
        self.filename = filename
        self.mediaType = mediaType
        self.data = data
    }

    /// The media type of a file by its name's extension (the common office, image and
    /// calendar types), or `application/octet-stream`.
    public static func mediaType(forFileName name: String) -> String {
        let dot = name.lastIndex(of: ".").map { name.index(after: $0) }
        switch dot.map({ name[$0...].lowercased() }) ?? "" {
        case "pdf": return "application/pdf"
        case "txt", "text", "md": return "text/plain"
        case "csv": return "text/csv"
        case "html", "htm": return "text/html"
        case "ics": return "text/calendar"
        case "vcf": return "text/vcard"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "gif": return "image/gif"
        case "webp": return "image/webp"
        case "zip": return "application/zip"
        case "docx": return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case "xlsx": return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case "odt": return "application/vnd.oasis.opendocument.text"
        default: return "application/octet-stream"
        }
    }
}

/// An iCalendar object sent by mail (RFC 6047 §2.4): a `text/calendar` part with the
/// object's `METHOD` as its `method` parameter, beside the message's text.
public struct Invitation: Sendable, Hashable {
    /// `REQUEST`, `CANCEL`, `REPLY`… (the object's own `METHOD`).
    public var method: String
    /// The iCalendar object as written (CRLF lines).
    public var calendar: String

    public init(method: String, calendar: String) {
        self.method = method
        self.calendar = calendar
    }
}

/// A message to send, as values: the writer (``MessageWriter``) turns it into 7-bit-safe bytes
/// whatever its fields hold.
public struct MessageDraft: Sendable, Hashable {
    public var from: Mailbox
    public var to: [Mailbox]
    public var cc: [Mailbox]
    public var subject: String
    public var date: Date
    /// The `Message-ID`, without angle brackets (`id@host`).
    public var messageID: String
    /// The `Message-ID`s this one answers (`In-Reply-To`, `References`), without brackets.
    public var inReplyTo: [String]
    public var text: String
    public var html: String?
    /// The iCalendar object the message carries as an invitation or answer (iMIP, RFC 6047).
    public var invitation: Invitation?
    public var attachments: [Attachment]

    public init(from: Mailbox, to: [Mailbox], cc: [Mailbox] = [], subject: String, date: Date, messageID: String, inReplyTo: [String] = [],
                text: String, html: String? = nil, invitation: Invitation? = nil, attachments: [Attachment] = []) {
        self.from = from
        self.to = to
        self.cc = cc
        self.subject = subject
        self.date = date
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.text = text
        self.html = html
        self.invitation = invitation
        self.attachments = attachments
    }
}
