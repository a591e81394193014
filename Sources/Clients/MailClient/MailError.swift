public import IMAP
public import SMTP

/// Why talking to a mail server failed: a stable code, the server, the command's verb (never
/// its arguments, which may hold a password or an address) and a hint safe to log.
public struct MailError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidURL = "invalid-url"
            case destinationRefused = "destination-refused"
            case connection
            case timeout
            case tls
            case tlsUnavailable = "tls-unavailable"
            case authentication
            case commandFailed = "command-failed"
            case protocolViolation = "protocol-violation"
            case connectionClosed = "connection-closed"
            case unsupported
            case messageTooLarge = "message-too-large"
            case recipientsRefused = "recipients-refused"
            case transient
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The URL is not `imap://`, `imaps://`, `smtp://` or `smtps://` with a host.
        public static let invalidURL = Code(.invalidURL)
        /// The host is, or resolves to, an address the network policy keeps out.
        public static let destinationRefused = Code(.destinationRefused)
        /// No connection could be made, or it broke.
        public static let connection = Code(.connection)
        /// The server went quiet for longer than the configured timeout.
        public static let timeout = Code(.timeout)
        /// The TLS handshake failed (certificate, host name, protocol).
        public static let tls = Code(.tls)
        /// A plain `imap://` or `smtp://` server does not offer STARTTLS, and credentials are
        /// not sent in the clear.
        public static let tlsUnavailable = Code(.tlsUnavailable)
        /// The server refused the user name and password.
        public static let authentication = Code(.authentication)
        /// The server answered NO or BAD (IMAP), or 5yz (SMTP).
        public static let commandFailed = Code(.commandFailed)
        /// The server's bytes break the protocol (or one of the client's limits).
        public static let protocolViolation = Code(.protocolViolation)
        /// The server closed the connection (BYE, or end of stream).
        public static let connectionClosed = Code(.connectionClosed)
        /// The server lacks something the operation needs (MOVE's fallback exists; this is
        /// for what has none, like SMTPUTF8 for an internationalised address).
        public static let unsupported = Code(.unsupported)
        /// The message is larger than the server's SIZE.
        public static let messageTooLarge = Code(.messageTooLarge)
        /// Every recipient was refused; the per-recipient results say why.
        public static let recipientsRefused = Code(.recipientsRefused)
        /// The server said "not now" (SMTP 4yz) and retries ran out.
        public static let transient = Code(.transient)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// `host:port`.
    public var server: String
    /// The command under way (`LOGIN`, `UID FETCH`, `MAIL`), when there was one.
    public var command: String?
    /// The server's own words or the client's hint; never a credential or message content.
    public var detail: String

    public init(_ code: Code, server: String, command: String? = nil, detail: String = "") {
        self.code = code
        self.server = server
        self.command = command
        self.detail = detail
    }

    public var description: String {
        var text = "\(code) (\(server)"
        if let command { text += ", \(command)" }
        text += ")"
        if !detail.isEmpty { text += ": \(detail)" }
        return text
    }
}
