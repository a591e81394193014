import Accounts
import ArgumentParser
import Foundation
import HTTPTransport
import MIME
import SwitchboardCore
import SwitchboardStore

/// `switchboard mail …`: mail accounts, and reading, sending and watching their mail.
struct MailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail",
        abstract: "Mail accounts (IMAP and SMTP): folders, messages, sending, watching.",
        subcommands: [AccountCommand.self, Folders.self, List.self, Changes.self, Read.self, Send.self, Watch.self, Replies.self]
    )

    /// `switchboard mail account add|list|remove`.
    struct AccountCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "account", abstract: "Add, list and remove mail accounts.", subcommands: [Add.self, List.self, Remove.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Add a mail account: sign in to both servers, then keep it with its password sealed.")

            @Argument(help: "A name for the account.")
            var name: String
            @Option(help: "The IMAP server: imaps://host[:993] or imap://host[:143] (STARTTLS).")
            var imap: String
            @Option(help: "The SMTP server: smtps://host[:465] or smtp://host[:587] (STARTTLS when offered).")
            var smtp: String
            @Option(help: "The user name.")
            var user: String
            @Option(help: "A file whose first line is the password; else SWITCHBOARD_PASSWORD.")
            var passwordFile: String?
            @Option(help: "The address messages are sent from (default: the user name, when it is one).")
            var address: String?
            @Option(help: "A PEM file of certificates to trust besides the system's.")
            var caFile: String?
            @Option(help: "The tenant (name) whose API keys reach the account.")
            var tenant: String?
            @OptionGroup var network: NetworkOptions
            @OptionGroup var store: StoreOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                guard let imapURL = URL(string: imap), let smtpURL = URL(string: smtp) else { throw ValidationError("--imap and --smtp must be URLs") }
                var sender: MailAddress?
                if let address {
                    guard let parsed = MailAddress(address) else { throw ValidationError("--address: \(address) is not a mail address") }
                    sender = parsed
                }
                var connection = MailAccountConnection(name: name, imapURL: imapURL, smtpURL: smtpURL, username: user,
                                                       password: try ServerOptions.password(file: passwordFile), address: sender,
                                                       trustedCertificatesPEM: try caFile.map { String(decoding: try InputFile.read($0), as: UTF8.self) })
                let account = try await withMail(store: store, policy: try network.policy()) { store, mail in
                    if let tenant {
                        // A tenant's names are its own: the store keeps them as `tenant/name`.
                        connection.tenantID = try await store.tenantID(named: tenant)
                        connection.name = TenantScopedName.stored(name, tenantName: tenant)
                    }
                    return try await mail.connect(connection)
                }
                try output.print(MailAccountSummary(account)) { MailAccountSummary(account).text }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the mail accounts.")

            @OptionGroup var store: StoreOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let accounts = try await store.withStore { store, _ in try await store.mailAccounts() }.map(MailAccountSummary.init)
                try output.print(accounts) { accounts.map(\.text).joined(separator: "\n") }
            }
        }

        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Forget a mail account (the mailbox is untouched).")

            @Argument(help: "The account's name.")
            var name: String
            @OptionGroup var store: StoreOptions

            func run() async throws {
                try await withMail(store: store, policy: NetworkPolicy()) { _, mail in
                    try await mail.forget(try await mail.anyAccount(name))
                }
                StandardOutput.write(Array("removed \(name)\n".utf8))
            }
        }
    }

    /// The options every mailbox command takes.
    struct MailboxOptions: ParsableArguments {
        @Option(help: "The mail account's name.")
        var account: String
        @OptionGroup var network: NetworkOptions
        @OptionGroup var store: StoreOptions
    }

    struct Folders: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the account's folders, with their special use.")

        @OptionGroup var mailbox: MailboxOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let folders = try await withMail(store: mailbox.store, policy: try mailbox.network.policy()) { _, mail in
                try await mail.folders(try await mail.anyAccount(mailbox.account))
            }
            try output.print(folders) {
                folders.map { $0.name + ($0.specialUse.map { "  (\($0))" } ?? "") }.joined(separator: "\n")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List messages, newest first: UID, date, from, subject.")

        @OptionGroup var mailbox: MailboxOptions
        @Option(help: "The folder.") var folder = "INBOX"
        @Option(help: "Only messages with this text (headers or body).") var search: String?
        @Option(help: "At most this many.") var limit = 50
        @Option(help: "Only messages older than this UID (the previous page's cursor).") var before: UInt32?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let page = try await withMail(store: mailbox.store, policy: try mailbox.network.policy()) { _, mail in
                try await mail.messages(try await mail.anyAccount(mailbox.account), folder: folder, search: search, before: before, limit: limit)
            }
            try output.print(page) {
                var lines = page.messages.map { message in
                    let flags = message.flags.contains("\\Seen") ? " " : "*"
                    let clip = message.attachments.isEmpty ? " " : "@"
                    return "\(message.uid)\t\(flags)\(clip) \(message.date ?? "")\t\(message.from.first ?? "")\t\(message.subject ?? "")"
                }
                if let next = page.nextCursor { lines.append("more: --before \(next)") }
                return lines.joined(separator: "\n")
            }
        }
    }

    struct Changes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What changed in a folder since a checkpoint: new and re-flagged messages, expunged UIDs.",
            discussion: "Without --since it prints the checkpoint to start from. Pass the last line's checkpoint next time.")

        @OptionGroup var mailbox: MailboxOptions
        @Option(help: "The folder.") var folder = "INBOX"
        @Option(help: "The checkpoint printed last time.") var since: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let checkpoint = try since.map { token in
                guard let checkpoint = MailCheckpoint(token: token) else { throw ValidationError("--since takes a checkpoint printed by this command") }
                return checkpoint
            }
            let changes = try await withMail(store: mailbox.store, policy: try mailbox.network.policy()) { _, mail in
                try await mail.changes(try await mail.anyAccount(mailbox.account), folder: folder, since: checkpoint)
            }
            try output.print(changes) {
                var lines = changes.messages.map { "\($0.uid)\t\($0.flags.joined(separator: " "))\t\($0.from.first ?? "")\t\($0.subject ?? "")" }
                if let vanished = changes.vanished, !vanished.isEmpty { lines.append("vanished: \(vanished)") }
                if changes.reset { lines.append(since == nil ? "start" : "reset: the folder was renumbered or changed too much; read it afresh") }
                lines.append("checkpoint: \(changes.checkpoint.token)")
                return lines.joined(separator: "\n")
            }
        }
    }

    struct Read: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a message: its header, its text, its parts.")

        @OptionGroup var mailbox: MailboxOptions
        @Option(help: "The folder.") var folder = "INBOX"
        @Argument(help: "The message's UID.") var uid: UInt32
        @Option(help: "Save the attachments into this folder.") var saveParts: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (message, saved) = try await withMail(store: mailbox.store, policy: try mailbox.network.policy()) { _, mail in
                let account = try await mail.anyAccount(mailbox.account)
                let message = try await mail.message(account, folder: folder, uid: uid)
                var saved: [String] = []
                if let saveParts {
                    try FileManager.default.createDirectory(atPath: saveParts, withIntermediateDirectories: true)
                    for part in message.parts where part.isAttachment {
                        let downloaded = try await mail.part(account, folder: folder, uid: uid, section: part.section)
                        let path = URL(fileURLWithPath: saveParts).appendingPathComponent(SafeFileName.make(downloaded.filename, section: part.section)).path
                        guard FileManager.default.createFile(atPath: path, contents: Data(downloaded.bytes)) else {
                            throw ValidationError("cannot write \(path)")
                        }
                        saved.append(path)
                    }
                }
                return (message, saved)
            }
            try output.print(message) {
                let shown = ["From", "To", "Cc", "Date", "Subject"]
                var lines = message.header.filter { shown.contains($0.name) }.map { "\($0.name): \($0.value)" }
                lines.append("")
                lines.append(message.text ?? "(no text part)")
                for part in message.parts where part.isAttachment {
                    lines.append("[\(part.section)] \(part.filename ?? "(unnamed)")  \(part.mediaType)  \(part.size) bytes")
                }
                lines += saved.map { "saved \($0)" }
                return lines.joined(separator: "\n")
            }
        }
    }

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send a message from the account (a copy goes to its Sent folder).")

        @OptionGroup var mailbox: MailboxOptions
        @Option(help: "A recipient; repeat.") var to: [String]
        @Option(help: "A recipient in copy; repeat.") var cc: [String] = []
        @Option(help: "A hidden recipient; repeat.") var bcc: [String] = []
        @Option var subject: String
        @Option(help: "The text.") var body: String?
        @Option(help: "A file with the text.") var bodyFile: String?
        @Option(help: "A file with an HTML version.") var htmlFile: String?
        @Option(help: "A file to attach; repeat.") var attach: [String] = []
        @Option(help: "The Message-ID this answers.") var inReplyTo: String?
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard (body == nil) != (bodyFile == nil) else { throw ValidationError("give the text with --body or --body-file, not both") }
            guard !to.isEmpty else { throw ValidationError("give at least one --to") }
        }

        func run() async throws {
            let text = try body ?? String(decoding: InputFile.read(bodyFile ?? "-"), as: UTF8.self)
            let html = try htmlFile.map { String(decoding: try InputFile.read($0), as: UTF8.self) }
            var attachments: [Attachment] = []
            for path in attach {
                attachments.append(Attachment(filename: URL(fileURLWithPath: path).lastPathComponent, mediaType: Attachment.mediaType(forFileName: path),
                                              data: try InputFile.read(path)))
            }
            let outgoing = OutgoingMail(to: try addresses(to, "--to"), cc: try addresses(cc, "--cc"), bcc: try addresses(bcc, "--bcc"),
                                        subject: subject, text: text, html: html, attachments: attachments,
                                        inReplyTo: inReplyTo.map { [$0.trimmingCharacters(in: CharacterSet(charactersIn: "<>"))] } ?? [])
            let sent = try await withMail(store: mailbox.store, policy: try mailbox.network.policy()) { _, mail in
                try await mail.send(try await mail.anyAccount(mailbox.account), outgoing)
            }
            try output.print(sent) {
                (["sent <\(sent.messageID)> to \(sent.accepted.joined(separator: ", "))"]
                    + sent.refused.map { "refused \($0.address): \($0.reply)" }
                    + (sent.savedIn.map { ["kept in \($0)"] } ?? [])).joined(separator: "\n")
            }
        }

        private func addresses(_ texts: [String], _ option: String) throws -> [MailAddress] {
            try texts.map { text in
                guard let address = MailAddress(text) else { throw ValidationError("\(option): \(text) is not a mail address") }
                return address
            }
        }
    }

    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a line for each new message in a folder, as it arrives (IMAP IDLE).")

        @OptionGroup var mailbox: MailboxOptions
        @Option(help: "The folder.") var folder = "INBOX"
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let json = output.json
            try await withMail(store: mailbox.store, policy: try mailbox.network.policy()) { _, mail in
                try await mail.watch(try await mail.anyAccount(mailbox.account), folder: folder) { message in
                    if json {
                        let encoder = JSONEncoder()
                        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                        StandardOutput.write(Array(try encoder.encode(message)) + [UInt8(ascii: "\n")])
                    } else {
                        StandardOutput.write(Array("\(message.uid)\t\(message.date ?? "")\t\(message.from.first ?? "")\t\(message.subject ?? "")\n".utf8))
                    }
                    return true
                }
            }
        }
    }
}

extension MailCommand {
    struct Replies: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the answers to bookings' invitations: read the inviting accounts' inboxes, set each attendee's participation on the event.")

        @OptionGroup var network: NetworkOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let policy = try network.policy()
            let outcomes = try await store.withStore { store, secrets in
                try await withHub(store: store, secrets: secrets, caFile: nil, policy: policy, reporting: MailServiceError.self) { hub in
                    try await hub.processInvitationReplies()
                }
            }
            try output.print(outcomes) {
                outcomes.map { outcome in
                    let what = "\(outcome.attendee ?? "?") \(outcome.participation?.lowercased() ?? "?") booking \(outcome.bookingID ?? "?")"
                    return outcome.applied ? "recorded: \(what)" : "set aside: \(what) (\(outcome.note ?? ""))"
                }.joined(separator: "\n")
            }
        }
    }
}

/// Runs `body` with the store and the mail use cases (tenant accounts held to `policy`); a
/// ``MailServiceError`` is printed and exits with 1.
private func withMail<Result: Sendable>(store: StoreOptions, policy: NetworkPolicy,
                                        _ body: (SQLStore, MailService) async throws -> Result) async throws -> Result {
    try await store.withStore { store, secrets in
        let mail = MailService(store: store, accounts: MailAccounts(secrets: secrets, tenantPolicy: policy))
        do {
            let result = try await body(store, mail)
            await mail.shutdown()
            return result
        } catch let error as MailServiceError {
            await mail.shutdown()
            StandardError.write("error: \(error)")
            throw ExitCode(1)
        } catch {
            await mail.shutdown()
            throw error
        }
    }
}

/// A mail account as the command line shows it (never its password).
struct MailAccountSummary: Encodable {
    var id: String
    var name: String
    var imap: String
    var smtp: String
    var user: String
    var address: String
    var tenantID: String?

    init(_ account: MailAccountRecord) {
        id = account.id
        name = account.name
        imap = account.imapURL
        smtp = account.smtpURL
        user = account.username
        address = account.address
        tenantID = account.tenantID
    }

    var text: String { "\(name)\t\(address)\t\(imap)\t\(smtp)" }
}

/// A file name for a saved part: its own name's last component (no directories, no
/// leading dots), or one made from its section.
enum SafeFileName {
    static func make(_ name: String?, section: String) -> String {
        let last = (name ?? "").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let cleaned = String(last.unicodeScalars.filter { $0.value >= 0x20 && $0 != "\u{7F}" }.map(Character.init))
            .trimmingCharacters(in: CharacterSet(charactersIn: ". "))
        return cleaned.isEmpty ? "part-\(section)" : cleaned
    }
}
