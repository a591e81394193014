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
