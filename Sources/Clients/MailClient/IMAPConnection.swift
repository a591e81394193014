public import IMAP
import NIOCore
import Synchronization

/// A signed-in IMAP session (RFC 9051, RFC 3501): one connection, one command at a time.
/// It is lent to one task at a time (``withConnection(to:options:limits:_:)`` or a
/// ``IMAPConnectionPool``), so it is not `Sendable`; what it returns is.
///
/// Every command goes through ``CommandExchange`` (the pure state of one command) and
/// ``CommandEncoder`` (values as quoted strings or literals); untagged news (EXISTS,
/// EXPUNGE, CAPABILITY, BYE) updates ``capabilities`` and ``selectedFolder`` on the way.
public final class IMAPConnection {
    public let server: MailServer
    /// What the server offers now (read again after STARTTLS and after signing in).
    public private(set) var capabilities: Set<Capability> = []
    /// The folder SELECT or EXAMINE opened, with what the server said of it.
    public private(set) var selectedFolder: SelectedFolder?

    private let stream: MailStream<Response>
    private var encoder = CommandEncoder()
    /// Whether ENABLE QRESYNC was answered (it stays on for the session).
    private var qresyncEnabled = false
    private var tagNumber = 0

    private init(stream: MailStream<Response>) {
        server = stream.server
        self.stream = stream
    }

    /// Connects to `server` (held to the options' network policy), upgrades to TLS
    /// (`imaps://`, or STARTTLS for `imap://`), signs in, runs `body`, and logs out.
    public static func withConnection<Result>(
        to server: MailServer, options: MailConnectionOptions, limits: IMAPLimits = IMAPLimits(),
        _ body: (IMAPConnection) async throws -> Result
    ) async throws -> Result {
        try await MailStream<Response>.withStream(to: server, options: options, decoder: { ResponseDecoder(limits: limits) }) { stream in
            let connection = IMAPConnection(stream: stream)
            try await connection.open(options)
            let result = try await body(connection)
            try? await connection.logout()
            return result
        }
    }

    // MARK: Signing in

    /// Reads the greeting, upgrades with STARTTLS where the URL asks for it, and signs in
    /// with AUTHENTICATE PLAIN where offered (SASL-IR in one round trip), else LOGIN.
    private func open(_ options: MailConnectionOptions) async throws(MailError) {
        guard case .untagged(.condition(let condition, let text)) = try await stream.receive(command: nil) else {
            throw violation(nil, "the server did not greet")
        }
        switch condition {
        case .ok, .preauth: absorbCapabilities(from: text)
        case .bye: throw MailError(.connectionClosed, server: server.description, detail: text.text)
        case .no, .bad: throw violation(nil, "the greeting was \(condition.rawValue)")
        }
        if capabilities.isEmpty { try await refreshCapabilities() }
        if server.security == .startTLS {
            if capabilities.contains(.startTLS) {
                try await run(.startTLS)
                try await MailChannel.startTLS(on: stream.channel, server: server, options: options)
                try await stream.awaitTLS(command: "STARTTLS")
                try await refreshCapabilities()
            } else if !options.allowsCredentialsInTheClear {
                throw MailError(.tlsUnavailable, server: server.description, detail: "the server does not offer STARTTLS")
            }
        }
        guard condition != .preauth else { return }
        let signIn: TaggedResponse
        do throws(MailError) {
            if capabilities.contains(.authPlain) {
                let response = CommandEncoder.plainResponse(user: options.user, password: options.password)
                signIn = try await run(.authenticatePlain(initialResponse: capabilities.contains(.saslIR) ? response : nil),
                                       saslResponse: response)
            } else if !capabilities.contains(.loginDisabled) {
                signIn = try await run(.login(user: options.user, password: options.password))
            } else {
                throw MailError(.unsupported, server: server.description, detail: "the server offers neither AUTH=PLAIN nor LOGIN")
            }
        } catch {
            guard error.code == .commandFailed else { throw error }
            throw MailError(.authentication, server: server.description, command: error.command, detail: error.detail)
        }
        if case .capability(let offered) = signIn.text.code {
            capabilities = Set(offered)
        } else {
            try await refreshCapabilities()
        }
        encoder = CommandEncoder(literalMode: LiteralMode(capabilities: capabilities))
    }

    private func refreshCapabilities() async throws(MailError) {
        try await run(.capability)
    }

    private func absorbCapabilities(from text: ResponseText) {
        if case .capability(let offered) = text.code { capabilities = Set(offered) }
    }

    /// Ends the session politely.
    public func logout() async throws(MailError) {
        do throws(MailError) {
            try await run(.logout)
        } catch {
            guard error.code == .connectionClosed else { throw error }
        }
    }

    // MARK: Folders

    /// Every folder, with its special use (RFC 6154) where the server says it.
    public func folders() async throws(MailError) -> [ListEntry] {
        var entries: [ListEntry] = []
        try await run(.list(reference: "", pattern: "*", returnSpecialUse: capabilities.contains(.specialUse) && capabilities.contains(.listExtended))) { data in
            if case .list(let entry) = data { entries.append(entry) }
        }
        return entries
    }

    public func createFolder(_ name: MailboxName) async throws(MailError) {
        try await run(.create(name))
    }

    /// Opens `folder` for reading and writing (SELECT) or reading only (EXAMINE), with
    /// CONDSTORE where offered, and returns what the server says of it.
    @discardableResult
    public func select(_ folder: MailboxName, readOnly: Bool = false) async throws(MailError) -> SelectedFolder {
        try await open(folder, readOnly: readOnly, qresync: nil).folder
    }

    /// Opens `folder` read-only and learns what changed since `remembered` (RFC 7162 §3.2.5):
    /// the UIDs expunged since and the messages whose flags changed, in the same round trip.
    /// `nil` when the server does not offer QRESYNC, or when the folder's UIDVALIDITY is not
    /// the one remembered (nothing is then known of the old UIDs).
    public func resynchronize(_ folder: MailboxName, from remembered: Command.QResync) async throws(MailError) -> FolderChanges? {
        guard capabilities.contains(.qresync) else { return nil }
        if !qresyncEnabled {
            try await run(.enable([.qresync]))
            qresyncEnabled = true
        }
        let (opened, vanished, changed) = try await open(folder, readOnly: true, qresync: remembered)
        guard opened.uidValidity == remembered.uidValidity else { return nil }
        return FolderChanges(folder: opened, vanished: SequenceSet(vanished.sorted { $0.lowerBound < $1.lowerBound }),
                             changed: changed.sorted { ($0.uid ?? 0) < ($1.uid ?? 0) })
    }

    private func open(_ folder: MailboxName, readOnly: Bool, qresync: Command.QResync?) async throws(MailError)
        -> (folder: SelectedFolder, vanished: [ClosedRange<UInt32>], changed: [FetchedMessage])
    {
        let condStore = capabilities.contains(.condStore)
        var opened = SelectedFolder(name: folder, readOnly: readOnly)
        var vanished: [ClosedRange<UInt32>] = []
        var changed: [FetchedMessage] = []
        selectedFolder = nil
        let command: Command = readOnly ? .examine(folder, condStore: condStore, qresync: qresync) : .select(folder, condStore: condStore, qresync: qresync)
        let done = try await run(command) { data in
            switch data {
            case .exists(let count): opened.messageCount = count
            case .flags(let flags): opened.flags = flags
            case .condition(.ok, let text):
                switch text.code {
                case .uidValidity(let value): opened.uidValidity = value
                case .uidNext(let value): opened.uidNext = value
                case .highestModSeq(let value): opened.highestModSeq = value
                case .permanentFlags(let flags): opened.permanentFlags = flags
                default: break
                }
            // Kept as the ranges the server names (`1:4000000000` is one range), each
            // response bounded by the decoder's limits.
            case .vanished(_, let set) where qresync != nil: vanished += set.ranges
            case .fetch(_, let message) where qresync != nil && message.uid != nil: changed.append(message)
            default: break
            }
        }
        if case .readOnly = done.text.code { opened.readOnly = true }
        selectedFolder = opened
        return (opened, vanished, changed)
    }

    // MARK: Messages

    /// The UIDs of the selected folder's messages that match `criteria` (UTF-8 where needed).
    public func search(_ criteria: SearchCriteria) async throws(MailError) -> [UInt32] {
        var uids: [UInt32] = []
        try await run(.uidSearch(criteria)) { data in
            if case .search(let found, _) = data { uids.append(contentsOf: found) }
        }
        return uids
    }

    /// Fetches `attributes` of the messages `uids` names, handing each to `each` as it
    /// arrives (so a folder of any size is read in bounded memory). With `changedSince`,
    /// only messages whose flags changed after that mod-sequence (CONDSTORE).
    public func fetch(_ uids: SequenceSet, _ attributes: [FetchAttribute], changedSince: UInt64? = nil,
                      each: (FetchedMessage) throws(MailError) -> Void) async throws(MailError) {
        let wanted = attributes.contains(.uid) ? attributes : [.uid] + attributes
        try await run(.uidFetch(uids, wanted, changedSince: changedSince)) { data throws(MailError) in
            if case .fetch(_, let message) = data, message.uid != nil { try each(message) }
        }
    }

    /// ``fetch(_:_:changedSince:each:)`` collected, in UID order.
    public func fetch(_ uids: SequenceSet, _ attributes: [FetchAttribute], changedSince: UInt64? = nil) async throws(MailError) -> [FetchedMessage] {
        var messages: [FetchedMessage] = []
        try await fetch(uids, attributes, changedSince: changedSince) { message in messages.append(message) }
        return messages.sorted { ($0.uid ?? 0) < ($1.uid ?? 0) }
    }

    /// Adds, removes or replaces flags; returns each message's flags afterwards.
    @discardableResult
    public func store(_ uids: SequenceSet, _ change: Command.FlagChange, _ flags: [Flag]) async throws(MailError) -> [UInt32: [Flag]] {
        var result: [UInt32: [Flag]] = [:]
        try await run(.uidStore(uids, change, flags, silent: false)) { data in
            if case .fetch(_, let message) = data, let uid = message.uid, let flags = message.flags { result[uid] = flags }
        }
        return result
    }

    public func copy(_ uids: SequenceSet, to folder: MailboxName) async throws(MailError) {
        try await run(.uidCopy(uids, folder))
    }

    /// Moves messages to `folder`: MOVE where offered (RFC 6851), else COPY, `\Deleted` and
    /// UID EXPUNGE of just those messages (UIDPLUS) or EXPUNGE.
    public func move(_ uids: SequenceSet, to folder: MailboxName) async throws(MailError) {
        if capabilities.contains(.move) {
            try await run(.uidMove(uids, folder))
            return
        }
        try await run(.uidCopy(uids, folder))
        try await run(.uidStore(uids, .add, [.deleted], silent: true))
        try await expunge(uids)
    }

    /// Removes `\Deleted` messages: only those in `uids` where the server has UIDPLUS.
    public func expunge(_ uids: SequenceSet? = nil) async throws(MailError) {
        if let uids, capabilities.contains(.uidPlus) {
            try await run(.uidExpunge(uids))
        } else {
            try await run(.expunge)
        }
    }

    /// Stores `message` in `folder`; the new message's UID when the server says (UIDPLUS).
    @discardableResult
    public func append(_ message: [UInt8], to folder: MailboxName, flags: [Flag] = []) async throws(MailError) -> UInt32? {
        let done = try await run(.append(folder, flags: flags, message: message))
        if case .appendUID(_, let uid) = done.text.code { return uid }
        return nil
    }

    /// The selected folder's conversations among the messages matching `criteria`: the
    /// server's THREAD=REFERENCES (RFC 5256) when offered, else the same algorithm here over
    /// Message-ID, In-Reply-To and References.
    public func threads(_ criteria: SearchCriteria = .all) async throws(MailError) -> [ThreadNode] {
        if capabilities.contains(.threadReferences) {
            var threads: [ThreadNode] = []
            try await run(.uidThreadReferences(criteria)) { data in
                if case .thread(let found) = data { threads.append(contentsOf: found) }
            }
            return threads
        }
        return try await clientSideThreads(criteria)
    }

    /// RFC 5256 REFERENCES threading done here, for servers without THREAD=REFERENCES.
    func clientSideThreads(_ criteria: SearchCriteria) async throws(MailError) -> [ThreadNode] {
        let uids = try await search(criteria)
        guard !uids.isEmpty else { return [] }
        let references = "HEADER.FIELDS (REFERENCES)"
        let messages = try await fetch(SequenceSet(uids), [.envelope, .bodyPeek(section: references, partial: nil)])
        return MessageThreader.threads(messages.compactMap { message in
            guard let uid = message.uid else { return nil }
            let header = message.section(references).map { String(decoding: $0, as: UTF8.self) }
            return MessageThreader.Message(uid: uid, messageID: message.envelope?.messageID, inReplyTo: message.envelope?.inReplyTo,
                                           references: header.map { $0.drop { $0 != ":" }.dropFirst().description })
        })
    }

    // MARK: IDLE

    /// Waits for news of the selected folder (RFC 2177): `onEvent` sees each untagged
    /// response (EXISTS for a new message, EXPUNGE, FETCH for flags) and answers whether to
    /// go on. IDLE is ended and issued again every `renewal` (well before the 29 minutes
    /// after which servers may drop an idle client); the read timeout is off while idling.
    public func idle(renewal: Duration = .seconds(9 * 60),
                     onEvent: (UntaggedResponse) async throws -> Bool) async throws {
        guard capabilities.contains(.idle) else {
            throw MailError(.unsupported, server: server.description, command: "IDLE", detail: "the server does not offer IDLE")
        }
        var goOn = true
        while goOn {
            tagNumber += 1
            let encoded = encoder.encode(.idle, tag: "A\(tagNumber)")
            var exchange = CommandExchange(encoded)
            try await stream.send(exchange.start(), command: "IDLE")
            let doneSent = Once()
            let writer = stream.outbound
            var renewalTask: Task<Void, Never>?
            defer { renewalTask?.cancel() }
            while true {
                let response = try await stream.receive(command: "IDLE")
                switch try act(&exchange, on: response, command: "IDLE") {
                case .idling:
                    stream.expectNothing()
                    renewalTask = Task {
                        try? await Task.sleep(for: renewal)
                        guard !Task.isCancelled, doneSent.claim() else { return }
                        try? await writer.write(ByteBuffer(bytes: CommandExchange.idleDone))
                    }
                case .deliver(let data):
                    absorb(data)
                    if try await onEvent(data) == false {
                        goOn = false
                        if doneSent.claim() {
                            try await stream.send(CommandExchange.idleDone, command: "IDLE")
                        }
                    }
                case .finished(let tagged):
                    guard tagged.status == .ok else { throw failure(tagged, command: "IDLE") }
                    break
                case .send(let bytes):
                    try await stream.send(bytes, command: "IDLE")
                case .none:
                    break
                }
                if exchange.isFinished { break }
            }
        }
    }

    // MARK: The one way a command runs

    /// Runs `command` to its tagged end: pieces after continuations, untagged data to
    /// `onData`, NO or BAD as ``MailError/Code/commandFailed``.
    @discardableResult
    private func run(_ command: Command, saslResponse: String? = nil,
                     onData: (UntaggedResponse) throws(MailError) -> Void = { _ in }) async throws(MailError) -> TaggedResponse {
        tagNumber += 1
        let verb = command.verb
        var exchange = CommandExchange(encoder.encode(command, tag: "A\(tagNumber)"), saslResponse: saslResponse)
        try await stream.send(exchange.start(), command: verb)
        while true {
            let response = try await stream.receive(command: verb)
            switch try act(&exchange, on: response, command: verb) {
            case .send(let bytes):
                try await stream.send(bytes, command: verb)
            case .deliver(let data):
                absorb(data)
                if case .condition(.bye, let text) = data, command != .logout {
                    throw MailError(.connectionClosed, server: server.description, command: verb, detail: text.text)
                }
                try onData(data)
            case .finished(let tagged):
                stream.expectNothing()
                absorbCapabilities(from: tagged.text)
                guard tagged.status == .ok else { throw failure(tagged, command: verb) }
                return tagged
            case .idling, .none:
                break
            }
        }
    }

    private func act(_ exchange: inout CommandExchange, on response: Response, command: String) throws(MailError) -> CommandExchange.Action {
        do {
            return try exchange.receive(response)
        } catch {
            switch error {
            case .unexpectedContinuation:
                throw violation(command, "a continuation request the command had no use for")
            case .unknownTag(let tag):
                throw violation(command, "a tagged response for \(tag.prefix(16)), which the client never sent")
            }
        }
    }

    /// Keeps what untagged news says of the session.
    private func absorb(_ data: UntaggedResponse) {
        switch data {
        case .capabilities(let offered): capabilities = Set(offered)
        case .exists(let count): selectedFolder?.messageCount = count
        case .expunge:
            if let count = selectedFolder?.messageCount, count > 0 { selectedFolder?.messageCount = count - 1 }
        case .condition(.ok, let text):
            if case .highestModSeq(let value) = text.code { selectedFolder?.highestModSeq = value }
            if case .uidNext(let value) = text.code { selectedFolder?.uidNext = value }
        default: break
        }
    }

    private func failure(_ tagged: TaggedResponse, command: String) -> MailError {
        MailError(.commandFailed, server: server.description, command: command, detail: "\(tagged.status.rawValue) \(tagged.text.text.prefix(200))")
    }

    private func violation(_ command: String?, _ detail: String) -> MailError {
        MailError(.protocolViolation, server: server.description, command: command, detail: detail)
    }
}

/// A folder as SELECT or EXAMINE opened it: what incremental reading keys on.
public struct SelectedFolder: Sendable, Hashable {
    public var name: MailboxName
    public var readOnly: Bool
    /// Changes when the server renumbers the folder: UIDs from before mean nothing then.
    public var uidValidity: UInt32?
    /// The UID the next message will get: messages at or above a remembered UIDNEXT are new.
    public var uidNext: UInt32?
    public var messageCount: UInt32 = 0
    /// The folder's mod-sequence (CONDSTORE): flags changed above a remembered one are news.
    public var highestModSeq: UInt64?
    public var flags: [Flag] = []
    public var permanentFlags: [Flag] = []

    public init(name: MailboxName, readOnly: Bool) {
        self.name = name
        self.readOnly = readOnly
    }
}

/// What changed in a folder since a remembered state (QRESYNC).
public struct FolderChanges: Sendable {
    /// The folder as it is now (its UIDNEXT and HIGHESTMODSEQ are the state to remember).
    public var folder: SelectedFolder
    /// UIDs expunged since, as the server names them (it may name UIDs never seen).
    public var vanished: SequenceSet
    /// Messages whose flags changed since (UID, FLAGS, MODSEQ), new ones included.
    public var changed: [FetchedMessage]
}

/// Lets exactly one of two racing parties act (IDLE's DONE: the renewal timer or the caller).
private final class Once: Sendable {
    private let claimed = Mutex(false)

    /// `true` for the first caller only.
    func claim() -> Bool {
        claimed.withLock { claimed in
            defer { claimed = true }
            return !claimed
        }
    }
}
