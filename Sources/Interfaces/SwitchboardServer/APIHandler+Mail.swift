import Accounts
import Foundation
import HTTPTransport
import MailClient
import MIME
import OpenAPIRuntime
import SwitchboardAPI
import SwitchboardCore
import SwitchboardStore

/// The tenant's mail: accounts (connected first), folders, messages, parts, flags, moves,
/// conversations and sending. Every operation translates to ``MailService``.
extension APIHandler {
    var mail: MailService { hub.mail }

    func listMailAccounts(_ input: Operations.ListMailAccounts.Input) async throws -> Operations.ListMailAccounts.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.read)
            let accounts = try await mailCall { () throws(MailServiceError) in try await mail.accounts(tenantID: principal.tenantID) }
            return .ok(.init(body: .json(accounts.map(Self.mailAccount))))
        }
    }

    func connectMailAccount(_ input: Operations.ConnectMailAccount.Input) async throws -> Operations.ConnectMailAccount.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            guard !body.name.isEmpty, body.name.count <= 100, !body.name.contains("/") else { throw Problem.invalid("name", "1 to 100 characters, no slash") }
            guard let imapURL = URL(string: body.imapUrl), MailServer(url: imapURL, kind: .imap) != nil else {
                throw Problem.invalid("imapUrl", "an imap:// or imaps:// URL with a host")
            }
            guard let smtpURL = URL(string: body.smtpUrl), MailServer(url: smtpURL, kind: .smtp) != nil else {
                throw Problem.invalid("smtpUrl", "an smtp:// or smtps:// URL with a host")
            }
            var address: MailAddress?
            if let text = body.address {
                guard let parsed = MailAddress(text) else { throw Problem.invalid("address", "a mail address") }
                address = parsed
            }
            guard address != nil || MailAddress(body.username) != nil else {
                throw Problem.invalid("address", "the user name is not an address: give the address messages are sent from")
            }
            let tenants = try await call { () throws(StoreError) in try await store.tenants() }
            guard let tenant = tenants.first(where: { $0.id == principal.tenantID }) else { throw Problem.unauthorized }
            let connection = MailAccountConnection(name: TenantScopedName.stored(body.name, tenantName: tenant.name), imapURL: imapURL, smtpURL: smtpURL,
                                                   username: body.username, password: body.password, address: address,
                                                   trustedCertificatesPEM: body.trustedCertificates, tenantID: tenant.id)
            let account = try await mailCall(connecting: true) { () throws(MailServiceError) in try await mail.connect(connection) }
            audit("mail_account.connect", principal, target: account.id)
            return .created(.init(body: .json(Self.mailAccount(account))))
        }
    }

    func deleteMailAccount(_ input: Operations.DeleteMailAccount.Input) async throws -> Operations.DeleteMailAccount.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            let account = try await mailAccount(input.path.mailAccountId, of: principal)
            try await mailCall { () throws(MailServiceError) in try await mail.forget(account) }
            audit("mail_account.delete", principal, target: account.id)
            return .noContent(.init())
        }
    }

    func listMailFolders(_ input: Operations.ListMailFolders.Input) async throws -> Operations.ListMailFolders.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.read)
            let account = try await mailAccount(input.path.mailAccountId, of: principal)
            let folders = try await mailCall { () throws(MailServiceError) in try await mail.folders(account) }
            return .ok(.init(body: .json(folders.map { .init(name: $0.name, specialUse: $0.specialUse, selectable: $0.selectable) })))
        }
    }

    func listMailMessages(_ input: Operations.ListMailMessages.Input) async throws -> Operations.ListMailMessages.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.read)
            let account = try await mailAccount(input.path.mailAccountId, of: principal)
            let folder = input.query.folder ?? "INBOX"
            let cursor = try input.query.cursor.map { cursor throws(Problem) in try Self.uid(cursor, field: "cursor") }
            let page = try await mailCall { () throws(MailServiceError) in
                try await mail.messages(account, folder: folder, search: input.query.search, before: cursor, limit: input.query.limit ?? 50)
            }
            return .ok(.init(body: .json(.init(folder: page.folder, uidValidity: page.uidValidity.map(Int64.init),
                                               messages: page.messages.map(Self.summary), nextCursor: page.nextCursor.map(Int64.init)))))
        }
    }

    func getMailMessage(_ input: Operations.GetMailMessage.Input) async throws -> Operations.GetMailMessage.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.read)
            let account = try await mailAccount(input.path.mailAccountId, of: principal)
            let uid = try Self.uid(input.path.uid, field: "uid")
            let message = try await mailCall { () throws(MailServiceError) in try await mail.message(account, folder: input.path.folder, uid: uid) }
            return .ok(.init(body: .json(.init(
                summary: Self.summary(message.summary), header: message.header.map { .init(name: $0.name, value: $0.value) },
                text: message.text, html: message.html.map(HTMLSanitizer.sanitize),
                parts: message.parts.map { .init(section: $0.section, mediaType: $0.mediaType, filename: $0.filename, size: Int64($0.size), isAttachment: $0.isAttachment) },
                problems: message.problems))))
        }
    }

    func getMailPart(_ input: Operations.GetMailPart.Input) async throws -> Operations.GetMailPart.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.read)
            let account = try await mailAccount(input.path.mailAccountId, of: principal)
            let uid = try Self.uid(input.path.uid, field: "uid")
            let part = try await mailCall { () throws(MailServiceError) in
                try await mail.part(account, folder: input.path.folder, uid: uid, section: input.path.part)
            }
            let body = HTTPBody(part.bytes)
            let headers = Operations.GetMailPart.Output.Ok.Headers(contentDisposition: Self.attachmentDisposition(part.filename, section: input.path.part))
            let content: Operations.GetMailPart.Output.Ok.Body = switch part.mediaType {
            case "application/pdf": .pdf(body)
            case "text/plain": .plainText(body)
            case "text/calendar": .textCalendar(body)
            case "image/png": .png(body)
            case "image/jpeg": .jpeg(body)
            case "image/gif": .imageGif(body)
            default: .binary(body)
            }
            return .ok(.init(headers: headers, body: content))
        }
    }

    func setMailFlags(_ input: Operations.SetMailFlags.Input) async throws -> Operations.SetMailFlags.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.book)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            let account = try await mailAccount(input.path.mailAccountId, of: principal)
            let uid = try Self.uid(input.path.uid, field: "uid")
            let flags = try await mailCall { () throws(MailServiceError) in
                try await mail.setFlags(account, folder: input.path.folder, uid: uid, add: body.add ?? [], remove: body.remove ?? [])
            }
            return .ok(.init(body: .json(.init(flags: flags))))
        }
    }

    func moveMailMessage(_ input: Operations.MoveMailMessage.Input) async throws -> Operations.MoveMailMessage.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.book)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            let account = try await mailAccount(input.path.mailAccountId, of: principal)
            let uid = try Self.uid(input.path.uid, field: "uid")
            try await mailCall { () throws(MailServiceError) in try await mail.move(account, folder: input.path.folder, uids: [uid], to: body.to) }
            return .noContent(.init())
        }
    }

    func getMailThread(_ input: Operations.GetMailThread.Input) async throws -> Operations.GetMailThread.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.read)
            let account = try await mailAccount(input.path.mailAccountId, of: principal)
            let uid = try Self.uid(input.path.uid, field: "uid")
            let thread = try await mailCall { () throws(MailServiceError) in try await mail.thread(account, folder: input.path.folder, uid: uid) }
            return .ok(.init(body: .json(thread.map(Self.summary))))
        }
    }

    func listMailChanges(_ input: Operations.ListMailChanges.Input) async throws -> Operations.ListMailChanges.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let account = try await mailAccount(input.path.mailAccountId, of: try Principal.requiring(.read))
            var checkpoint: MailCheckpoint?
            if let since = input.query.since {
                guard let read = MailCheckpoint(token: since) else { throw Problem.invalid("since", "a checkpoint from an earlier answer") }
                checkpoint = read
            }
            let changes = try await mailCall { () throws(MailServiceError) in
                try await mail.changes(account, folder: input.query.folder ?? "INBOX", since: checkpoint)
            }
            return .ok(.init(body: .json(.init(folder: changes.folder, checkpoint: changes.checkpoint.token, reset: changes.reset,
                                               messages: changes.messages.map(Self.summary), vanished: changes.vanished))))
        }
    }

    func sendMail(_ input: Operations.SendMail.Input) async throws -> Operations.SendMail.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.book)
            let (body, uploaded) = try await Self.outgoing(input.body)
            let account = try await mailAccount(input.path.mailAccountId, of: principal)
            let outgoing = OutgoingMail(
                to: try Self.addresses(body.to, field: "to"), cc: try Self.addresses(body.cc ?? [], field: "cc"),
                bcc: try Self.addresses(body.bcc ?? [], field: "bcc"), subject: body.subject, text: body.text, html: body.html,
                attachments: (body.attachments ?? []).map { Attachment(filename: $0.filename, mediaType: $0.mediaType.lowercased(), data: Array($0.content.data)) }
                    + uploaded,
                inReplyTo: body.inReplyTo.map { [$0.trimmingCharacters(in: CharacterSet(charactersIn: "<> "))] } ?? [], fromName: body.fromName)
            let sent = try await mailCall { () throws(MailServiceError) in try await mail.send(account, outgoing, saveToSent: body.saveToSent ?? true) }
            audit("mail.send", principal, target: sent.messageID)
            return .created(.init(body: .json(Self.sent(sent))))
        }
    }

    /// The most attachments one message takes, however they come.
    static let maxAttachments = 20

    /// The message to send and the files uploaded beside it: from JSON (attachments in
    /// base64, in the message) or from `multipart/form-data` (a `message` part and one
    /// `attachment` part per file, named by its part and typed by that name's extension).
    /// The route's body limit bounds both.
    private static func outgoing(_ body: Operations.SendMail.Input.Body) async throws(Problem) -> (Components.Schemas.MailSend, [Attachment]) {
        switch body {
        case .json(let message):
            return (message, [])
        case .multipartForm(let parts):
            var message: Components.Schemas.MailSend?
            var files: [Attachment] = []
            do {
                for try await part in parts {
                    switch part {
                    case .message(let wrapped):
                        message = wrapped.payload.body
                    case .attachment(let file):
                        let bytes = try await [UInt8](collecting: file.payload.body, upTo: 20 * 1024 * 1024)
                        let name = file.filename.map { String($0.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? "") } ?? ""
                        let filename = name.isEmpty ? "attachment-\(files.count + 1)" : String(name.prefix(255))
                        files.append(Attachment(filename: filename, mediaType: Attachment.mediaType(forFileName: filename), data: bytes))
                    }
                }
            } catch {
                throw Problem.invalid("body", "a multipart/form-data body with a message part and attachment parts: \(error)")
            }
            guard let message else { throw Problem.invalid("message", "the multipart body needs a message part") }
            guard files.count + (message.attachments?.count ?? 0) <= maxAttachments else {
                throw Problem.invalid("attachment", "at most \(maxAttachments) attachments")
            }
            return (message, files)
        }
    }

    // MARK: Translation

    private func mailAccount(_ reference: String, of principal: Principal) async throws(Problem) -> MailAccountRecord {
        try await mailCall { () throws(MailServiceError) in try await mail.account(reference, tenantID: principal.tenantID) }
    }

    private func mailCall<T>(connecting: Bool = false, _ body: () async throws(MailServiceError) -> T) async throws(Problem) -> T {
        do { return try await body() } catch { throw Problem(error, connecting: connecting) }
    }

    private static func uid(_ value: Int64, field: String) throws(Problem) -> UInt32 {
        guard let uid = UInt32(exactly: value), uid > 0 else { throw Problem.invalid(field, "a UID from 1 to 4294967295") }
        return uid
    }

    private static func addresses(_ texts: [String], field: String) throws(Problem) -> [MailAddress] {
        var addresses: [MailAddress] = []
        for text in texts {
            guard let address = MailAddress(text) else { throw Problem.invalid(field, "\(text.prefix(100)) is not a mail address") }
            addresses.append(address)
        }
        return addresses
    }

    /// `attachment` with the file name as ASCII (`filename`) and UTF-8 (`filename*`, RFC 6266).
    static func attachmentDisposition(_ name: String?, section: String) -> String {
        let name = name ?? "part-\(section)"
        let ascii = String(name.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" && $0.value != 0x7F ? Character($0) : "_" })
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~")
        let encoded = name.addingPercentEncoding(withAllowedCharacters: allowed) ?? ascii
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }

    static func sent(_ sent: SentMail) -> Components.Schemas.MailSent {
        .init(messageId: sent.messageID, accepted: sent.accepted, refused: sent.refused.map { .init(address: $0.address, reply: $0.reply) },
              savedIn: sent.savedIn)
    }

    static func mailAccount(_ account: MailAccountRecord) -> Components.Schemas.MailAccount {
        .init(id: account.id, name: account.localName, imapUrl: account.imapURL, smtpUrl: account.smtpURL, username: account.username,
              address: account.address, createdAt: account.createdAt)
    }

    static func summary(_ message: MessageSummary) -> Components.Schemas.MailMessageSummary {
        .init(uid: Int64(message.uid), date: message.date, from: message.from, to: message.to, subject: message.subject, messageId: message.messageID,
              flags: message.flags, size: message.size.map(Int64.init),
              attachments: message.attachments.map { .init(section: $0.section, filename: $0.filename, mediaType: $0.mediaType, size: Int64($0.size)) })
    }
}

extension Problem {
    /// A mail failure in terms the caller can act on.
    init(_ error: MailServiceError, connecting: Bool) {
        switch error {
        case .unknownAccount(let reference):
            self.init(status: 404, code: "mail_account_not_found", title: "No such mail account", detail: "no mail account \(reference)")
        case .unknownMessage:
            self.init(status: 404, code: "message_not_found", title: "No such message", detail: error.description)
        case .unknownPart:
            self.init(status: 404, code: "part_not_found", title: "No such part", detail: error.description)
        case .unreadable:
            self.init(status: 422, code: "unreadable_message", title: "The message cannot be read", detail: error.description)
        case .invalid(let detail):
            self.init(status: 400, code: "invalid_request", title: "Invalid request", detail: detail)
        case .store(let storeError):
            self.init(storeError)
        case .account(let accountError):
            switch accountError.code {
            case .nameTaken: self.init(status: 409, code: "name_taken", title: "Name taken", detail: accountError.detail)
            case .store: self.init(status: 503, code: "store_unavailable", title: "Store unavailable", detail: "the store could not answer")
            case .unusable where connecting: self.init(status: 400, code: "invalid_request", title: "Invalid request", detail: accountError.detail)
            case .server where accountError.detail.hasPrefix("destination-refused"):
                self = .invalid("imapUrl", "the server's address is not allowed by this installation's network policy")
                code = "destination_refused"
            case .server where accountError.detail.hasPrefix("authentication"):
                self.init(status: 422, code: "credentials_refused", title: "Credentials refused", detail: "a server refused the user name or password")
            default:
                self.init(status: connecting ? 422 : 502, code: connecting ? "connection_failed" : "upstream_failed",
                          title: "The mail server could not be used", detail: accountError.detail)
            }
        case .server(let mailError):
            switch mailError.code {
            case .commandFailed where ["SELECT", "EXAMINE"].contains(mailError.command ?? ""):
                self.init(status: 404, code: "folder_not_found", title: "No such folder", detail: mailError.detail)
            case .commandFailed:
                self.init(status: 422, code: "mail_command_refused", title: "The mail server refused", detail: mailError.description)
            case .recipientsRefused:
                self.init(status: 422, code: "recipients_refused", title: "Every recipient was refused", detail: mailError.detail)
            case .messageTooLarge:
                self.init(status: 413, code: "message_too_large", title: "Message too large", detail: mailError.detail)
            default:
                self.init(status: 502, code: "upstream_failed", title: "The mail server failed", detail: mailError.description)
            }
        }
    }
}
