public import Accounts
public import Foundation
public import IMAP
public import MailClient
public import MIME
import SMTP
import Synchronization
public import SwitchboardStore

/// The mail use cases, for the CLI and the server alike: accounts connected and forgotten,
/// folders, pages of messages, one message read whole or one part of it, flags, moves,
/// conversations, sending (kept in the Sent folder) and watching a folder.
public struct MailService: Sendable {
    let store: any MailAccountStore
    let accounts: MailAccounts
    /// Signed-in IMAP connections kept per account (watching takes one of its own).
    private let pools = ConnectionPools()

    public init(store: any MailAccountStore, accounts: MailAccounts) {
        self.store = store
        self.accounts = accounts
    }

    /// Logs out of every kept connection.
    public func shutdown() async {
        await pools.close()
    }

    // MARK: Accounts

    /// Signs in to both servers and keeps the account (``MailAccounts/connect(_:in:)``).
    public func connect(_ request: MailAccountConnection) async throws(MailServiceError) -> MailAccountRecord {
        do {
            return try await accounts.connect(request, in: store)
        } catch {
            throw .account(error)
        }
    }

    /// The accounts of `tenantID` (`nil`: the operator's own, which no tenant sees).
    public func accounts(tenantID: String?) async throws(MailServiceError) -> [MailAccountRecord] {
        try await storeCall { () throws(StoreError) in try await store.mailAccounts() }.filter { $0.tenantID == tenantID }
    }

    /// The account `reference` names (its id, or its name as the tenant knows it) among `tenantID`'s.
    public func account(_ reference: String, tenantID: String?) async throws(MailServiceError) -> MailAccountRecord {
        guard let account = try await accounts(tenantID: tenantID).first(where: { $0.id == reference || $0.localName == reference }) else {
            throw .unknownAccount(reference)
        }
        return account
    }

    /// The account `reference` names (its id or its name), whichever tenant's: the operator's
    /// view (the command line).
    public func anyAccount(_ reference: String) async throws(MailServiceError) -> MailAccountRecord {
        let all = try await storeCall { () throws(StoreError) in try await store.mailAccounts() }
        guard let account = all.first(where: { $0.id == reference || $0.name == reference }) else { throw .unknownAccount(reference) }
        return account
    }

    /// Forgets the account (its sealed password with it) and closes its connections; the
    /// mailbox itself is untouched.
    public func forget(_ account: MailAccountRecord) async throws(MailServiceError) {
        _ = try await storeCall { () throws(StoreError) in try await store.deleteMailAccount(id: account.id) }
        await pools.close(accountID: account.id)
    }

    // MARK: Reading

    /// Every folder, with its special use.
    public func folders(_ account: MailAccountRecord) async throws(MailServiceError) -> [MailFolder] {
        try await withIMAP(account) { connection in
            try await connection.folders().map { entry in
                MailFolder(name: entry.name.name, specialUse: entry.specialUse?.label.lowercased(), selectable: entry.isSelectable)
            }.sorted { $0.name < $1.name }
        }
    }

    /// A page of `folder`'s messages matching `search` (any text, in headers or body), newest
    /// first, starting below the UID `before` (the previous page's ``MessagePage/nextCursor``).
    public func messages(_ account: MailAccountRecord, folder: String, search: String? = nil, before: UInt32? = nil,
                         limit: Int = 50) async throws(MailServiceError) -> MessagePage {
        let limit = max(1, min(limit, 500))
        return try await withIMAP(account) { connection in
            let selected = try await connection.select(MailboxName(folder), readOnly: true)
            var criteria: [SearchCriteria] = []
            if let search, !search.isEmpty { criteria.append(.text(search)) }
            if let before { criteria.append(before > 1 ? .uid(SequenceSet([1...(before - 1)])) : .uid(SequenceSet([UInt32]()))) }
            let uids = before == 1 ? [] : try await connection.search(criteria.isEmpty ? .all : .and(criteria)).sorted(by: >)
            let page = Array(uids.prefix(limit))
            let summaries = try await Self.summaries(of: page, connection: connection)
            return MessagePage(folder: folder, uidValidity: selected.uidValidity, messages: summaries,
                               nextCursor: uids.count > limit ? page.last : nil)
        }
    }

    /// The most messages one ``changes(_:folder:since:)`` answer reports; beyond, it says `reset`.
    public static let maxChangedMessages = 2_000

    /// What changed in `folder` since `checkpoint`: new messages (from its UIDNEXT), messages
    /// whose flags changed (CONDSTORE, from its mod-sequence) and the UIDs expunged (QRESYNC,
    /// in the same round trip as opening the folder), with the checkpoint to pass next time.
    /// Without a checkpoint, or when the folder was renumbered, only the checkpoint comes
    /// back, with `reset`. A change made while this runs may be reported again next time,
    /// never missed.
    public func changes(_ account: MailAccountRecord, folder: String, since checkpoint: MailCheckpoint?) async throws(MailServiceError) -> FolderChangeSet {
        try await withIMAP(account) { connection in
            let name = MailboxName(folder)
            var resynchronized: FolderChanges?
            if let checkpoint, checkpoint.modSeq > 0 {
                resynchronized = try await connection.resynchronize(name, from: .init(uidValidity: checkpoint.uidValidity, modSeq: checkpoint.modSeq))
            }
            let opened: SelectedFolder
            if let resynchronized { opened = resynchronized.folder } else { opened = try await connection.select(name, readOnly: true) }
            let now = MailCheckpoint(uidValidity: opened.uidValidity ?? 0, uidNext: opened.uidNext ?? 1, modSeq: opened.highestModSeq ?? 0)
            guard let checkpoint, checkpoint.uidValidity == opened.uidValidity else {
                return FolderChangeSet(folder: folder, checkpoint: now, reset: true, messages: [], vanished: nil)
            }
            var uids = Set(try await connection.search(.uid(SequenceSet.from(checkpoint.uidNext))).filter { $0 >= checkpoint.uidNext })
            if let resynchronized {
                uids.formUnion(resynchronized.changed.compactMap(\.uid))
            } else if checkpoint.modSeq > 0, connection.capabilities.contains(.condStore) {
                try await connection.fetch(.all, [.flags], changedSince: checkpoint.modSeq) { message in
                    if let uid = message.uid, uids.count <= Self.maxChangedMessages { uids.insert(uid) }
                }
            }
            guard uids.count <= Self.maxChangedMessages else {
                return FolderChangeSet(folder: folder, checkpoint: now, reset: true, messages: [], vanished: nil)
            }
            return FolderChangeSet(folder: folder, checkpoint: now, reset: false, messages: try await Self.summaries(of: uids.sorted(), connection: connection),
                                   vanished: resynchronized.map { $0.vanished.description })
        }
    }

    /// One message, parsed: headers, text and HTML bodies, and its parts.
    public func message(_ account: MailAccountRecord, folder: String, uid: UInt32) async throws(MailServiceError) -> MailMessage {
        try await withIMAP(account) { connection in
            try await connection.select(MailboxName(folder), readOnly: true)
            let fetched = try await connection.fetch(SequenceSet([uid]), [.flags, .envelope, .bodyStructure, .size, .bodyPeek(section: "", partial: nil)])
            guard let message = fetched.first, let bytes = message.section("") else { throw MailServiceError.unknownMessage(folder: folder, uid: uid) }
            let parsed: MIMEMessage
            do throws(MIMEError) {
                parsed = try MIMEParser().parse(bytes)
            } catch {
                throw MailServiceError.unreadable(folder: folder, uid: uid, detail: error.description)
            }
            let parts = parsed.root.leaves.map { section, part in
                MessagePart(section: section.isEmpty ? "1" : section.map(String.init).joined(separator: "."), mediaType: part.contentType.mediaType,
                            filename: part.filename, size: part.decodedBody.count, isAttachment: part.isAttachment)
            }
            return MailMessage(summary: Self.summary(of: message), header: parsed.header.fields.map { ($0.name, EncodedWords.decode($0.value)) }.map(MailHeader.init),
                               text: parsed.plainText, html: parsed.htmlText, parts: parts,
                               problems: parsed.problems.map(\.description))
        }
    }

    /// One part of a message (its IMAP section, `1.2`), transfer encoding undone.
    public func part(_ account: MailAccountRecord, folder: String, uid: UInt32, section: String) async throws(MailServiceError) -> DownloadedPart {
        try await withIMAP(account) { connection in
            try await connection.select(MailboxName(folder), readOnly: true)
            let structure = try await connection.fetch(SequenceSet([uid]), [.bodyStructure]).first?.bodyStructure
            guard let structure else { throw MailServiceError.unknownMessage(folder: folder, uid: uid) }
            guard let leaf = structure.leaves.first(where: { $0.section == section }), FetchAttribute.isValidSection(section) else {
                throw MailServiceError.unknownPart(section)
            }
            let fetched = try await connection.fetch(SequenceSet([uid]), [.bodyPeek(section: section, partial: nil)])
            guard let bytes = fetched.first?.section(section) else { throw MailServiceError.unknownPart(section) }
            return DownloadedPart(mediaType: leaf.part.mediaType, filename: leaf.part.fileName,
                                  bytes: TransferEncoding.decode(bytes, encoding: leaf.part.encoding))
        }
    }

    /// A conversation: the messages of `folder` in the thread of `uid`, oldest first.
    public func thread(_ account: MailAccountRecord, folder: String, uid: UInt32) async throws(MailServiceError) -> [MessageSummary] {
        try await withIMAP(account) { connection in
            try await connection.select(MailboxName(folder), readOnly: true)
            guard let thread = try await connection.threads().first(where: { $0.uids.contains(uid) }) else {
                throw MailServiceError.unknownMessage(folder: folder, uid: uid)
            }
            return try await Self.summaries(of: thread.uids.sorted(), connection: connection)
        }
    }

    // MARK: Changing

    /// Adds and removes flags (`\Seen`, `\Flagged`, keywords); the message's flags after.
    public func setFlags(_ account: MailAccountRecord, folder: String, uid: UInt32, add: [String], remove: [String]) async throws(MailServiceError) -> [String] {
        let added = try Self.flags(add)
        let removed = try Self.flags(remove)
        return try await withIMAP(account) { connection in
            try await connection.select(MailboxName(folder))
            var flags: [Flag]?
            if !added.isEmpty { flags = try await connection.store(SequenceSet([uid]), .add, added)[uid] }
            if !removed.isEmpty { flags = try await connection.store(SequenceSet([uid]), .remove, removed)[uid] }
            if flags == nil { flags = try await connection.fetch(SequenceSet([uid]), [.flags]).first?.flags }
            guard let flags else { throw MailServiceError.unknownMessage(folder: folder, uid: uid) }
            return flags.map(\.rawValue)
        }
    }

    /// Moves messages to another folder.
    public func move(_ account: MailAccountRecord, folder: String, uids: [UInt32], to destination: String) async throws(MailServiceError) {
        try await withIMAP(account) { connection in
            try await connection.select(MailboxName(folder))
            let present = try await connection.search(.uid(SequenceSet(uids)))
            guard Set(present) == Set(uids) else {
                throw MailServiceError.unknownMessage(folder: folder, uid: Set(uids).subtracting(present).min() ?? 0)
            }
            try await connection.move(SequenceSet(uids), to: MailboxName(destination))
        }
    }

    // MARK: Sending

    /// Sends a message from the account's address and keeps a copy in its Sent folder (the
    /// special-use `\Sent` one) unless `saveToSent` is false (a server that files sent mail
    /// itself).
    public func send(_ account: MailAccountRecord, _ outgoing: OutgoingMail, saveToSent: Bool = true) async throws(MailServiceError) -> SentMail {
        let endpoints = try self.endpoints(account)
        let recipients = outgoing.to + outgoing.cc + outgoing.bcc
        guard !recipients.isEmpty else { throw MailServiceError.invalid("a message needs at least one recipient") }
        let messageID = "\(UUID().uuidString.lowercased())@\(endpoints.sender.address.split(separator: "@").last ?? "switchboard")"
        let draft = MessageDraft(from: Mailbox(endpoints.sender, name: outgoing.fromName), to: outgoing.to.map { Mailbox($0) },
                                 cc: outgoing.cc.map { Mailbox($0) }, subject: outgoing.subject, date: Date(), messageID: messageID,
                                 inReplyTo: outgoing.inReplyTo, text: outgoing.text, html: outgoing.html, invitation: outgoing.invitation,
                                 attachments: outgoing.attachments)
        let bytes = MessageWriter().write(draft)
        let delivery: SMTPDelivery
        do {
            delivery = try await SMTPClient(server: endpoints.smtp, options: endpoints.options).send(bytes, from: endpoints.sender, to: recipients)
        } catch {
            throw .server(error)
        }
        var savedIn: String?
        if saveToSent {
            savedIn = try await withIMAP(account) { connection in
                guard let sent = try await connection.folders().first(where: { $0.specialUse == .sent })?.name else { return nil }
                try await connection.append(bytes, to: sent, flags: [.seen])
                return sent.name
            }
        }
        return SentMail(messageID: messageID, accepted: delivery.accepted.map(\.address),
                        refused: delivery.refused.map { RefusedRecipient(address: $0.key.address, reply: $0.value.description) }
                            .sorted { $0.address < $1.address },
                        savedIn: savedIn)
    }

    // MARK: Invitation replies

    /// The keyword a message gets once its invitation reply was dealt with.
    public static let processedReplyKeyword = Flag("$SwitchboardReply")!

    /// The inbox's answers to invitations not dealt with yet (no ``processedReplyKeyword``),
    /// of the last `days` days: each message's UID, its senders, and its `text/calendar`
    /// part with `method=REPLY` (only that part is downloaded).
    public func invitationReplies(_ account: MailAccountRecord, days: Int = 30, now: Date = Date()) async throws(MailServiceError) -> [ReceivedReply] {
        try await withIMAP(account) { connection in
            try await connection.select(.inbox, readOnly: true)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
            let day = calendar.dateComponents([.year, .month, .day], from: now.addingTimeInterval(-Double(days) * 86_400))
            var criteria: [SearchCriteria] = [.not(.keyword(Self.processedReplyKeyword))]
            if let year = day.year, let month = day.month, let date = day.day, let since = SearchDate(year: year, month: month, day: date) {
                criteria.append(.since(since))
            }
            let uids = try await connection.search(.and(criteria))
            guard !uids.isEmpty else { return [] }
            var replies: [ReceivedReply] = []
            for message in try await connection.fetch(SequenceSet(uids.suffix(1_000)), [.envelope, .bodyStructure]) {
                guard let uid = message.uid,
                      let leaf = message.bodyStructure?.leaves.first(where: { $0.part.mediaType == "text/calendar" && $0.part.parameters["method"]?.uppercased() == "REPLY" }),
                      let bytes = try await connection.fetch(SequenceSet([uid]), [.bodyPeek(section: leaf.section, partial: nil)]).first?.section(leaf.section)
                else { continue }
                let decoded = TransferEncoding.decode(bytes, encoding: leaf.part.encoding)
                let text = Charset.decode(decoded, charset: leaf.part.parameters["charset"] ?? "utf-8") ?? String(decoding: decoded, as: UTF8.self)
                replies.append(ReceivedReply(uid: uid, from: message.envelope?.from.compactMap(\.address) ?? [], calendar: text))
            }
            return replies
        }
    }

    /// Marks replies as dealt with (``processedReplyKeyword``), so they are not read again.
    public func markRepliesProcessed(_ account: MailAccountRecord, uids: [UInt32]) async throws(MailServiceError) {
        guard !uids.isEmpty else { return }
        try await withIMAP(account) { connection in
            try await connection.select(.inbox)
            try await connection.store(SequenceSet(uids), .add, [Self.processedReplyKeyword])
        }
    }

    // MARK: Watching

    /// Waits for new messages in `folder` (IMAP IDLE) and hands each to `onNew`, until it
    /// answers `false`.
    public func watch(_ account: MailAccountRecord, folder: String,
                      onNew: @escaping (MessageSummary) async throws -> Bool) async throws(MailServiceError) {
        try await withOwnIMAP(account) { connection in
            var next = try await connection.select(MailboxName(folder), readOnly: true).uidNext ?? 1
            while true {
                try await connection.idle { event in
                    if case .exists = event { return false }
                    return true
                }
                // New mail: what has a UID at or above the UIDNEXT seen last.
                let fresh = try await connection.search(.uid(SequenceSet.from(next))).filter { $0 >= next }.sorted()
                for summary in try await Self.summaries(of: fresh, connection: connection) {
                    guard try await onNew(summary) else { return }
                }
                next = fresh.last.map { $0 + 1 } ?? next
            }
        }
    }

    // MARK: Helpers

    func endpoints(_ account: MailAccountRecord) throws(MailServiceError) -> MailEndpoints {
        do {
            return try accounts.endpoints(for: account)
        } catch {
            throw .account(error)
        }
    }

    /// Runs `body` on one of the account's pooled connections.
    private func withIMAP<Result: Sendable>(_ account: MailAccountRecord,
                                            _ body: @escaping @Sendable (IMAPConnection) async throws -> Result) async throws(MailServiceError) -> Result {
        let endpoints = try self.endpoints(account)
        let pool = pools.pool(for: account, endpoints: endpoints)
        return try await mailCall { try await pool.withConnection(body) }
    }

    /// Runs `body` on a connection of its own, opened for it (IDLE holds a connection long).
    private func withOwnIMAP<Result>(_ account: MailAccountRecord, _ body: (IMAPConnection) async throws -> Result) async throws(MailServiceError) -> Result {
        let endpoints = try self.endpoints(account)
        return try await mailCall { try await IMAPConnection.withConnection(to: endpoints.imap, options: endpoints.options, body) }
    }

    private func mailCall<Result>(_ body: () async throws -> Result) async throws(MailServiceError) -> Result {
        do {
            return try await body()
        } catch let error as MailServiceError {
            throw error
        } catch let error as MailError {
            throw MailServiceError(error)
        } catch {
            throw .invalid("\(error)")
        }
    }

    private func storeCall<Value>(_ body: () async throws(StoreError) -> Value) async throws(MailServiceError) -> Value {
        do {
            return try await body()
        } catch {
            throw .store(error)
        }
    }

    private static func flags(_ names: [String]) throws(MailServiceError) -> [Flag] {
        var flags: [Flag] = []
        for name in names {
            guard let flag = Flag(name) else { throw MailServiceError.invalid("\(name) is not a flag") }
            flags.append(flag)
        }
        return flags
    }

    /// Envelopes, flags, sizes and attachments of `uids`, in that order.
    static func summaries(of uids: [UInt32], connection: IMAPConnection) async throws -> [MessageSummary] {
        guard !uids.isEmpty else { return [] }
        let fetched = try await connection.fetch(SequenceSet(uids), [.flags, .envelope, .bodyStructure, .size])
        let byUID = Dictionary(fetched.compactMap { message in message.uid.map { ($0, message) } }, uniquingKeysWith: { first, _ in first })
        return uids.compactMap { byUID[$0].map(summary) }
    }

    static func summary(of message: FetchedMessage) -> MessageSummary {
        let envelope = message.envelope
        let attachments = (message.bodyStructure?.leaves ?? []).compactMap { leaf -> AttachmentSummary? in
            guard MIMEPart.isAttachment(disposition: leaf.part.disposition?.kind, mediaType: leaf.part.type, filename: leaf.part.fileName) else { return nil }
            return AttachmentSummary(section: leaf.section, filename: leaf.part.fileName, mediaType: leaf.part.mediaType, size: leaf.part.size)
        }
        return MessageSummary(uid: message.uid ?? 0, date: envelope?.date, from: envelope?.from.map { EncodedWords.decode($0.description) } ?? [],
                              to: envelope?.to.map { EncodedWords.decode($0.description) } ?? [], subject: envelope?.subject.map(EncodedWords.decode),
                              messageID: envelope?.messageID, flags: message.flags?.map(\.rawValue) ?? [], size: message.size,
                              attachments: attachments)
    }
}

/// The IMAP connection pools of the accounts used so far, one per account as it is now (a
/// changed password or server gets a new pool; the old one closes when idle).
private final class ConnectionPools: Sendable {
    private let pools = Mutex<[String: IMAPConnectionPool]>([:])

    func pool(for account: MailAccountRecord, endpoints: MailEndpoints) -> IMAPConnectionPool {
        let key = [account.id, account.imapURL, account.username, Data(account.sealedPassword).base64EncodedString(), account.trustedCertificatesPEM ?? ""]
            .joined(separator: "\u{0}")
        return pools.withLock { pools in
            if let pool = pools[key] { return pool }
            let pool = IMAPConnectionPool(server: endpoints.imap, options: endpoints.options)
            pools[key] = pool
            return pool
        }
    }

    /// Closes the pools of one account (`nil`: of every account), their connections with them.
    func close(accountID: String? = nil) async {
        let closing = pools.withLock { pools in
            let keys = pools.keys.filter { key in accountID.map { key.hasPrefix($0 + "\u{0}") } ?? true }
            return keys.compactMap { pools.removeValue(forKey: $0) }
        }
        for pool in closing { await pool.close() }
    }
}
