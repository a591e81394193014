public import Foundation
public import MailClient
public import MIME
public import Accounts
public import SwitchboardStore

/// A folder of a mailbox.
public struct MailFolder: Sendable, Hashable, Codable {
    /// The full name, hierarchy separator and all (`Projekte/Übersicht`).
    public var name: String
    /// `sent`, `drafts`, `trash`, `junk`, `archive`, `all` or `flagged` (RFC 6154).
    public var specialUse: String?
    public var selectable: Bool
}

/// A message as a list shows it.
public struct MessageSummary: Sendable, Hashable, Codable {
    public var uid: UInt32
    /// The `Date` header as written.
    public var date: String?
    public var from: [String]
    public var to: [String]
    public var subject: String?
    public var messageID: String?
    public var flags: [String]
    public var size: Int?
    public var attachments: [AttachmentSummary]
}

/// A part a reader offers as a file.
public struct AttachmentSummary: Sendable, Hashable, Codable {
    /// The IMAP section to download it by (`2`, `1.3`).
    public var section: String
    public var filename: String?
    public var mediaType: String
    /// Its size as transferred (before base64 is undone).
    public var size: Int
}

/// A page of a folder's messages, newest first.
public struct MessagePage: Sendable, Hashable, Codable {
    public var folder: String
    /// The folder's UIDVALIDITY: a cursor from another value is meaningless.
    public var uidValidity: UInt32?
    public var messages: [MessageSummary]
    /// Pass as `before` for the next (older) page; `nil` on the last page.
    public var nextCursor: UInt32?
}

/// Where a reader of a folder stands: its UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ, passed
/// around as one token (`v1.<uidvalidity>.<uidnext>.<modseq>`).
public struct MailCheckpoint: Sendable, Hashable, Codable {
    public var uidValidity: UInt32
    public var uidNext: UInt32
    /// 0 when the server keeps no mod-sequences (no CONDSTORE).
    public var modSeq: UInt64

    public init(uidValidity: UInt32, uidNext: UInt32, modSeq: UInt64) {
        self.uidValidity = uidValidity
        self.uidNext = uidNext
        self.modSeq = modSeq
    }

    /// A token as ``token`` wrote it; `nil` for anything else.
    public init?(token: String) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "v1", let validity = UInt32(parts[1]), let next = UInt32(parts[2]), let modSeq = UInt64(parts[3])
        else { return nil }
        self.init(uidValidity: validity, uidNext: next, modSeq: modSeq)
    }

    public var token: String { "v1.\(uidValidity).\(uidNext).\(modSeq)" }

    /// Written as its token.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(token)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let read = MailCheckpoint(token: try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a mail checkpoint")
        }
        self = read
    }
}

/// What changed in a folder since a checkpoint.
public struct FolderChangeSet: Sendable, Hashable, Codable {
    public var folder: String
    /// Where the reader stands after these changes: pass it next time.
    public var checkpoint: MailCheckpoint
    /// The folder was renumbered (a new UIDVALIDITY), no checkpoint was given, or more
    /// changed than one answer holds: read the folder afresh (``MailService/messages(_:folder:search:before:limit:)``).
    public var reset: Bool
    /// New messages and messages whose flags changed, by UID.
    public var messages: [MessageSummary]
    /// UIDs expunged since, as an IMAP sequence set (`41,43:116`; it may name UIDs never
    /// seen); `nil` when the server cannot say (no QRESYNC): then compare UIDs to learn.
    public var vanished: String?
}

/// A header field, encoded words decoded.
public struct MailHeader: Sendable, Hashable, Codable {
    public var name: String
    public var value: String

    init(_ field: (String, String)) {
        name = field.0
        value = field.1
    }
}

/// One part of a message read whole.
public struct MessagePart: Sendable, Hashable, Codable {
    public var section: String
    public var mediaType: String
    public var filename: String?
    /// Its size with the transfer encoding undone.
    public var size: Int
    public var isAttachment: Bool
}

/// A message read whole.
public struct MailMessage: Sendable, Hashable, Codable {
    public var summary: MessageSummary
    public var header: [MailHeader]
    public var text: String?
    /// The HTML body as the sender wrote it: not safe to show in a page as it is.
    public var html: String?
    public var parts: [MessagePart]
    /// What the parser had to repair to read it.
    public var problems: [String]
}

/// A part's content, ready to save.
public struct DownloadedPart: Sendable, Hashable {
    public var mediaType: String
    public var filename: String?
    public var bytes: [UInt8]
}

/// A message to send.
public struct OutgoingMail: Sendable {
    public var to: [MailAddress]
    public var cc: [MailAddress]
    /// Recipients who get it without being named in it.
    public var bcc: [MailAddress]
    public var subject: String
    public var text: String
    public var html: String?
    public var attachments: [Attachment]
    /// The `Message-ID`s it answers, without brackets.
    public var inReplyTo: [String]
    public var invitation: Invitation?
    /// The sender's display name.
    public var fromName: String?

    public init(to: [MailAddress], cc: [MailAddress] = [], bcc: [MailAddress] = [], subject: String, text: String, html: String? = nil,
                attachments: [Attachment] = [], inReplyTo: [String] = [], invitation: Invitation? = nil, fromName: String? = nil) {
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.subject = subject
        self.text = text
        self.html = html
        self.attachments = attachments
        self.inReplyTo = inReplyTo
        self.invitation = invitation
        self.fromName = fromName
    }
}

/// A message in an inbox that answers an invitation.
public struct ReceivedReply: Sendable, Hashable {
    public var uid: UInt32
    /// The `From` addresses.
    public var from: [String]
    /// Its `text/calendar; method=REPLY` part.
    public var calendar: String
}

/// What became of a sent message.
public struct SentMail: Sendable, Hashable, Codable {
    public var messageID: String
    public var accepted: [String]
    public var refused: [RefusedRecipient]
    /// The folder a copy was kept in, if any.
    public var savedIn: String?
}

public struct RefusedRecipient: Sendable, Hashable, Codable {
    public var address: String
    /// The server's reply (`550 5.1.1 no such user`).
    public var reply: String
}

/// Why a mail use case failed.
public enum MailServiceError: Error, Sendable, CustomStringConvertible {
    case unknownAccount(String)
    case unknownMessage(folder: String, uid: UInt32)
    case unknownPart(String)
    /// The message's bytes could not be read as MIME at all.
    case unreadable(folder: String, uid: UInt32, detail: String)
    /// A request value is not usable (a flag, a recipient list).
    case invalid(String)
    /// The account cannot be connected or used.
    case account(AccountError)
    /// The mail server failed or refused.
    case server(MailError)
    case store(StoreError)

    init(_ error: MailError) {
        self = .server(error)
    }

    public var description: String {
        switch self {
        case .unknownAccount(let reference): "no mail account \(reference)"
        case .unknownMessage(let folder, let uid): "no message \(uid) in \(folder)"
        case .unknownPart(let section): "no part \(section)"
        case .unreadable(let folder, let uid, let detail): "message \(uid) in \(folder) cannot be read: \(detail)"
        case .invalid(let detail): detail
        case .account(let error): error.description
        case .server(let error): error.description
        case .store(let error): error.description
        }
    }
}
