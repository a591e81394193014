/// One response from the server (RFC 9051 §7): untagged data, the tagged end of a command,
/// or a continuation request.
public enum Response: Sendable, Hashable {
    case untagged(UntaggedResponse)
    case tagged(TaggedResponse)
    /// `+ text`: the server waits for the rest of a command (a literal, an IDLE's DONE, a
    /// SASL answer).
    case continuation(String)
}

/// The result of a command: `OK`, `NO` or `BAD`.
public struct TaggedResponse: Sendable, Hashable {
    public var tag: String
    public var status: Status
    public var text: ResponseText

    public init(tag: String, status: Status, text: ResponseText) {
        self.tag = tag
        self.status = status
        self.text = text
    }

    public enum Status: String, Sendable, Hashable {
        case ok = "OK", no = "NO", bad = "BAD"
    }
}

/// resp-text = ["[" resp-text-code "]" SP] [text]
public struct ResponseText: Sendable, Hashable, CustomStringConvertible {
    public var code: ResponseCode?
    public var text: String

    public init(code: ResponseCode? = nil, text: String) {
        self.code = code
        self.text = text
    }

    public var description: String { text }
}

/// The bracketed code of a status response (RFC 9051 §7.1, RFC 4315, RFC 7162).
public enum ResponseCode: Sendable, Hashable {
    case alert
    case capability([Capability])
    case permanentFlags([Flag])
    case readOnly
    case readWrite
    case tryCreate
    case uidNext(UInt32)
    case uidValidity(UInt32)
    case unseen(UInt32)
    case highestModSeq(UInt64)
    case noModSeq
    /// `APPENDUID uidvalidity uid` (UIDPLUS).
    case appendUID(uidValidity: UInt32, uid: UInt32)
    /// `COPYUID uidvalidity source destination` (UIDPLUS).
    case copyUID(uidValidity: UInt32, source: SequenceSet, destination: SequenceSet)
    case closed
    /// `AUTHENTICATIONFAILED` and the other codes of RFC 5530, by name.
    case other(name: String, arguments: String)
}

/// Untagged data (RFC 9051 §7.1–7.5) and the extensions the client uses.
public enum UntaggedResponse: Sendable, Hashable {
    /// `* OK`, `* NO`, `* BAD`, `* BYE`, `* PREAUTH`.
    case condition(Condition, ResponseText)
    case capabilities([Capability])
    case enabled([Capability])
    case flags([Flag])
    case list(ListEntry)
    case status(MailboxName, [String: UInt64])
    case exists(UInt32)
    case recent(UInt32)
    case expunge(UInt32)
    /// `* SEARCH 2 5 7 (MODSEQ 917)`
    case search([UInt32], highestModSeq: UInt64?)
    case fetch(sequenceNumber: UInt32, FetchedMessage)
    /// `* THREAD (2)(3 6 (4 23)(44 7 96))`
    case thread([ThreadNode])
    /// `* VANISHED (EARLIER) 41,43:116` (QRESYNC).
    case vanished(earlier: Bool, SequenceSet)
    /// Data the client does not interpret, read whole.
    case other(name: String, values: [IMAPValue])

    public enum Condition: String, Sendable, Hashable {
        case ok = "OK", no = "NO", bad = "BAD", bye = "BYE", preauth = "PREAUTH"
    }
}

/// The attributes one FETCH response carries (RFC 9051 §7.5.2).
public struct FetchedMessage: Sendable, Hashable {
    public var uid: UInt32?
    public var flags: [Flag]?
    public var internalDate: String?
    public var size: Int?
    public var envelope: Envelope?
    public var bodyStructure: BodyStructure?
    public var modSeq: UInt64?
    /// `BODY[section]<origin>` and `BINARY[section]` contents, in order.
    public var sections: [FetchedSection] = []

    public init() {}

    /// The bytes of `section` (`""` for the whole message, `HEADER`, `1.2`, …), if fetched.
    public func section(_ section: String) -> [UInt8]? {
        sections.first { $0.section.uppercased() == section.uppercased() }?.bytes
    }
}

/// One fetched section: which (`1.2`, `HEADER`, `TEXT`, or `""`), from which byte, and its
/// bytes (`nil` when the server answered NIL).
public struct FetchedSection: Sendable, Hashable {
    public var section: String
    public var origin: Int?
    public var bytes: [UInt8]?

    public init(section: String, origin: Int?, bytes: [UInt8]?) {
        self.section = section
        self.origin = origin
        self.bytes = bytes
    }
}

/// A node of a conversation tree: a message (by UID, or none for a message the thread
/// refers to but the mailbox lacks) and its replies.
public struct ThreadNode: Sendable, Hashable {
    public var uid: UInt32?
    public var children: [ThreadNode]

    public init(uid: UInt32?, children: [ThreadNode] = []) {
        self.uid = uid
        self.children = children
    }

    /// Every UID in the tree, depth first.
    public var uids: [UInt32] { (uid.map { [$0] } ?? []) + children.flatMap(\.uids) }
}
