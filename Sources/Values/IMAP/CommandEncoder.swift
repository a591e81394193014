import Foundation

/// How the encoder may send literals: every one synchronising (the server answers `+`
/// before the bytes), or non-synchronising ones where the server offers LITERAL+ (any
/// size) or LITERAL- (up to 4,096 bytes) (RFC 7888).
public enum LiteralMode: Sendable, Hashable {
    case synchronizing
    case nonSynchronizing
    case nonSynchronizingUpTo4096

    /// The mode a server's capabilities allow.
    public init(capabilities: Set<Capability>) {
        if capabilities.contains(.literalPlus) {
            self = .nonSynchronizing
        } else if capabilities.contains(.literalMinus) || capabilities.contains(.imap4rev2) {
            self = .nonSynchronizingUpTo4096
        } else {
            self = .synchronizing
        }
    }
}

/// A command as bytes, cut where a synchronising literal makes the client wait: send the
/// first piece, and each further piece only after the server's continuation request.
public struct EncodedCommand: Sendable, Hashable {
    public var tag: String
    public var pieces: [[UInt8]]
}

/// Writes commands as bytes (RFC 9051 §9 `command`). Texts become quoted strings when they
/// are short 7-bit text without CR, LF or NUL, and literals otherwise; so no value from
/// outside can end a command early or start another.
public struct CommandEncoder: Sendable {
    public var literalMode: LiteralMode

    public init(literalMode: LiteralMode = .synchronizing) {
        self.literalMode = literalMode
    }

    public func encode(_ command: Command, tag: String) -> EncodedCommand {
        var writer = CommandWriter(literalMode: literalMode)
        writer.atom(tag)
        writer.atom(" ")
        switch command {
        case .capability: writer.atom("CAPABILITY")
        case .noop: writer.atom("NOOP")
        case .logout: writer.atom("LOGOUT")
        case .startTLS: writer.atom("STARTTLS")
        case .idle: writer.atom("IDLE")
        case .expunge: writer.atom("EXPUNGE")
        case .close: writer.atom("CLOSE")
        case .login(let user, let password):
            writer.atom("LOGIN ")
            writer.string(user)
            writer.atom(" ")
            writer.string(password)
        case .authenticatePlain(let initialResponse):
            writer.atom("AUTHENTICATE PLAIN")
            if let initialResponse { writer.atom(" "); writer.atom(initialResponse.isEmpty ? "=" : initialResponse) }
        case .enable(let capabilities):
            writer.atom("ENABLE")
            for capability in capabilities where capability.rawValue.utf8.allSatisfy(Flag.isAtomByte) {
                writer.atom(" " + capability.rawValue)
            }
        case .list(let reference, let pattern, let returnSpecialUse):
            writer.atom("LIST ")
            writer.string(reference)
            writer.atom(" ")
            writer.string(pattern)
            if returnSpecialUse { writer.atom(" RETURN (SPECIAL-USE)") }
        case .status(let mailbox, let items):
            writer.atom("STATUS ")
            writer.mailbox(mailbox)
            writer.atom(" (" + items.filter { $0.utf8.allSatisfy(Flag.isAtomByte) }.joined(separator: " ") + ")")
        case .create(let mailbox):
            writer.atom("CREATE ")
            writer.mailbox(mailbox)
        case .select(let mailbox, let condStore, let qresync), .examine(let mailbox, let condStore, let qresync):
            if case .select = command { writer.atom("SELECT ") } else { writer.atom("EXAMINE ") }
            writer.mailbox(mailbox)
            if let qresync {
                // Numbers and a sequence set only: nothing here comes from outside as text.
                let known = qresync.knownUIDs.map { " \($0)" } ?? ""
                writer.atom(" (QRESYNC (\(qresync.uidValidity) \(max(qresync.modSeq, 1))\(known)))")
            } else if condStore {
                writer.atom(" (CONDSTORE)")
            }
        case .uidSearch(let criteria):
            writer.atom("UID SEARCH ")
            if criteria.needsUTF8 { writer.atom("CHARSET UTF-8 ") }
            criteria.encode(into: &writer)
        case .uidThreadReferences(let criteria):
            writer.atom("UID THREAD REFERENCES UTF-8 ")
            criteria.encode(into: &writer)
        case .uidFetch(let set, let attributes, let changedSince):
            writer.atom("UID FETCH \(set) (")
            writer.atom(attributes.map(\.atom).joined(separator: " "))
            writer.atom(")")
            if let changedSince { writer.atom(" (CHANGEDSINCE \(changedSince))") }
        case .uidStore(let set, let change, let flags, let silent):
            writer.atom("UID STORE \(set) \(change.rawValue)\(silent ? ".SILENT" : "") (")
            writer.atom(flags.map(\.rawValue).joined(separator: " "))
            writer.atom(")")
        case .uidCopy(let set, let mailbox):
            writer.atom("UID COPY \(set) ")
            writer.mailbox(mailbox)
        case .uidMove(let set, let mailbox):
            writer.atom("UID MOVE \(set) ")
            writer.mailbox(mailbox)
        case .uidExpunge(let set):
            writer.atom("UID EXPUNGE \(set)")
        case .append(let mailbox, let flags, let message):
            writer.atom("APPEND ")
            writer.mailbox(mailbox)
            if !flags.isEmpty { writer.atom(" (" + flags.map(\.rawValue).joined(separator: " ") + ")") }
            writer.atom(" ")
            writer.literal(message)
        }
        writer.atom("\r\n")
        return EncodedCommand(tag: tag, pieces: writer.finish())
    }

    /// The SASL PLAIN response for `user` and `password` (RFC 4616), base64.
    public static func plainResponse(user: String, password: String) -> String {
        Data([0] + Array(user.utf8) + [0] + Array(password.utf8)).base64EncodedString()
    }
}

/// Accumulates a command's bytes and cuts it after each synchronising literal.
struct CommandWriter {
    let literalMode: LiteralMode
    private var pieces: [[UInt8]] = []
    private var current: [UInt8] = []

    init(literalMode: LiteralMode) {
        self.literalMode = literalMode
    }

    /// Text the encoder itself controls (keywords, numbers, checked atoms).
    mutating func atom(_ text: String) { current.append(contentsOf: text.utf8) }

    /// A string: quoted when it may be, else a literal.
    mutating func string(_ text: String) { string(bytes: Array(text.utf8)) }

    mutating func string(bytes: [UInt8]) {
        let quotable = bytes.count <= 1024 && bytes.allSatisfy { $0 > 0 && $0 < 0x80 && $0 != 0x0D && $0 != 0x0A }
        guard quotable else { return literal(bytes) }
        current.append(UInt8(ascii: "\""))
        for byte in bytes {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { current.append(UInt8(ascii: "\\")) }
            current.append(byte)
        }
        current.append(UInt8(ascii: "\""))
    }

    mutating func mailbox(_ name: MailboxName) { string(bytes: name.wireBytes) }

    mutating func literal(_ bytes: [UInt8]) {
        let nonSynchronizing = switch literalMode {
        case .synchronizing: false
        case .nonSynchronizing: true
        case .nonSynchronizingUpTo4096: bytes.count <= 4096
        }
        current.append(contentsOf: "{\(bytes.count)\(nonSynchronizing ? "+" : "")}\r\n".utf8)
        if !nonSynchronizing {
            pieces.append(current)
            current = []
        }
        current.append(contentsOf: bytes)
    }

    mutating func finish() -> [[UInt8]] {
        pieces.append(current)
        return pieces
    }
}
