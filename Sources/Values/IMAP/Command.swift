/// A command the client sends (RFC 9051 §6 and the extensions it uses). Every name, flag
/// and text is typed; ``CommandEncoder`` writes them as atoms, quoted strings or literals.
public enum Command: Sendable, Hashable {
    case capability
    case noop
    case logout
    case startTLS
    case login(user: String, password: String)
    /// AUTHENTICATE PLAIN with the initial response in the command (SASL-IR) when
    /// `initialResponse` is set; else the response follows a continuation.
    case authenticatePlain(initialResponse: String?)
    case enable([Capability])
    /// LIST "" "*", asking for special-use attributes when the server offers them.
    case list(reference: String, pattern: String, returnSpecialUse: Bool)
    case status(MailboxName, items: [String])
    case create(MailboxName)
    /// SELECT with CONDSTORE (RFC 7162 §3.1.8), or with QRESYNC to learn what changed since
    /// a remembered state (§3.2.5; QRESYNC must be enabled first).
    case select(MailboxName, condStore: Bool, qresync: QResync? = nil)
    case examine(MailboxName, condStore: Bool, qresync: QResync? = nil)
    case uidSearch(SearchCriteria)
    case uidFetch(SequenceSet, [FetchAttribute], changedSince: UInt64?)
    case uidStore(SequenceSet, FlagChange, [Flag], silent: Bool)
    case uidCopy(SequenceSet, MailboxName)
    case uidMove(SequenceSet, MailboxName)
    case uidExpunge(SequenceSet)
    case expunge
    case append(MailboxName, flags: [Flag], message: [UInt8])
    case idle
    case uidThreadReferences(SearchCriteria)
    case close

    /// The state a client remembers of a folder, for `SELECT … (QRESYNC (…))`: the server
    /// answers with the UIDs expunged since (`VANISHED (EARLIER)`) and the messages whose
    /// flags changed (untagged FETCH with MODSEQ).
    public struct QResync: Sendable, Hashable {
        public var uidValidity: UInt32
        public var modSeq: UInt64
        /// The UIDs the client knows, so the server reports only those that vanished.
        public var knownUIDs: SequenceSet?

        public init(uidValidity: UInt32, modSeq: UInt64, knownUIDs: SequenceSet? = nil) {
            self.uidValidity = uidValidity
            self.modSeq = modSeq
            self.knownUIDs = knownUIDs
        }
    }

    /// The command's name, for errors and logs: never its arguments, which may hold a
    /// password or a search text.
    public var verb: String {
        switch self {
        case .capability: "CAPABILITY"
        case .noop: "NOOP"
        case .logout: "LOGOUT"
        case .startTLS: "STARTTLS"
        case .login: "LOGIN"
        case .authenticatePlain: "AUTHENTICATE"
        case .enable: "ENABLE"
        case .list: "LIST"
        case .status: "STATUS"
        case .create: "CREATE"
        case .select: "SELECT"
        case .examine: "EXAMINE"
        case .uidSearch: "UID SEARCH"
        case .uidFetch: "UID FETCH"
        case .uidStore: "UID STORE"
        case .uidCopy: "UID COPY"
        case .uidMove: "UID MOVE"
        case .uidExpunge: "UID EXPUNGE"
        case .expunge: "EXPUNGE"
        case .append: "APPEND"
        case .idle: "IDLE"
        case .uidThreadReferences: "UID THREAD"
        case .close: "CLOSE"
        }
    }

    /// How a STORE changes flags.
    public enum FlagChange: String, Sendable, Hashable {
        case add = "+FLAGS", remove = "-FLAGS", replace = "FLAGS"
    }
}

/// What to fetch of each message (RFC 9051 §6.4.5).
public enum FetchAttribute: Sendable, Hashable {
    case uid, flags, envelope, bodyStructure, internalDate, size, modSeq
    /// `BODY.PEEK[section]<offset.length>`: a section without setting `\Seen`.
    case bodyPeek(section: String, partial: ClosedRange<Int>?)

    var atom: String {
        switch self {
        case .uid: "UID"
        case .flags: "FLAGS"
        case .envelope: "ENVELOPE"
        case .bodyStructure: "BODYSTRUCTURE"
        case .internalDate: "INTERNALDATE"
        case .size: "RFC822.SIZE"
        case .modSeq: "MODSEQ"
        case .bodyPeek(let section, let partial):
            "BODY.PEEK[\(section)]" + (partial.map { "<\($0.lowerBound).\($0.count)>" } ?? "")
        }
    }

    /// Whether `section` is a section-spec RFC 9051 allows (`1.2`, `HEADER`, `1.MIME`,
    /// `HEADER.FIELDS (SUBJECT DATE)`, or empty), so nothing else reaches the brackets.
    public static func isValidSection(_ section: String) -> Bool {
        let allowed = Set("0123456789.ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-() ".unicodeScalars)
        return section.utf8.count <= 512 && section.unicodeScalars.allSatisfy(allowed.contains)
            && section.unicodeScalars.filter { $0 == "(" }.count == section.unicodeScalars.filter { $0 == ")" }.count
    }
}
