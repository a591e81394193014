import MIME

/// A message's envelope as the server parsed it (RFC 9051 §7.5.2 `envelope`): the header
/// fields a listing shows, with encoded words in names and subjects decoded (RFC 2047).
public struct Envelope: Sendable, Hashable {
    public var date: String?
    public var subject: String?
    public var from: [EnvelopeAddress]
    public var sender: [EnvelopeAddress]
    public var replyTo: [EnvelopeAddress]
    public var to: [EnvelopeAddress]
    public var cc: [EnvelopeAddress]
    public var bcc: [EnvelopeAddress]
    public var inReplyTo: String?
    public var messageID: String?

    public init(date: String? = nil, subject: String? = nil, from: [EnvelopeAddress] = [], sender: [EnvelopeAddress] = [],
                replyTo: [EnvelopeAddress] = [], to: [EnvelopeAddress] = [], cc: [EnvelopeAddress] = [],
                bcc: [EnvelopeAddress] = [], inReplyTo: String? = nil, messageID: String? = nil) {
        self.date = date
        self.subject = subject
        self.from = from
        self.sender = sender
        self.replyTo = replyTo
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.inReplyTo = inReplyTo
        self.messageID = messageID
    }

    /// envelope = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP
    ///            env-to SP env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")"
    init(_ value: IMAPValue, at offset: Int) throws(IMAPError) {
        guard let items = value.items, items.count >= 10 else {
            throw IMAPError(.invalidResponse, offset: offset, detail: "an envelope has ten fields")
        }
        date = items[0].text
        subject = items[1].text.map(EncodedWords.decode)
        from = EnvelopeAddress.list(items[2])
        sender = EnvelopeAddress.list(items[3])
        replyTo = EnvelopeAddress.list(items[4])
        to = EnvelopeAddress.list(items[5])
        cc = EnvelopeAddress.list(items[6])
        bcc = EnvelopeAddress.list(items[7])
        inReplyTo = items[8].text
        messageID = items[9].text
    }
}

/// One address of an envelope: `(name adl mailbox host)`.
public struct EnvelopeAddress: Sendable, Hashable, CustomStringConvertible {
    /// The display name, encoded words decoded.
    public var name: String?
    public var mailbox: String?
    public var host: String?

    public init(name: String? = nil, mailbox: String?, host: String?) {
        self.name = name
        self.mailbox = mailbox
        self.host = host
    }

    /// `mailbox@host`, when both are there.
    public var address: String? {
        guard let mailbox, let host else { return mailbox }
        return "\(mailbox)@\(host)"
    }

    public var description: String {
        switch (name, address) {
        case (let name?, let address?) where !name.isEmpty: "\(name) <\(address)>"
        case (_, let address?): address
        case (let name?, nil): name
        case (nil, nil): ""
        }
    }

    /// An address list; the markers RFC 9051 uses for groups (a NIL host) are left out.
    static func list(_ value: IMAPValue) -> [EnvelopeAddress] {
        guard let items = value.items else { return [] }
        return items.compactMap { item in
            guard let fields = item.items, fields.count >= 4, fields[3] != .nil else { return nil }
            return EnvelopeAddress(name: fields[0].text.map(EncodedWords.decode), mailbox: fields[2].text, host: fields[3].text)
        }
    }
}
