public import Foundation

/// Where a mail server is and how to reach it, from an `imap://`, `imaps://`, `smtp://` or
/// `smtps://` URL: `imaps` and `smtps` speak TLS from the first byte; `imap` and `smtp`
/// start in the clear and upgrade with STARTTLS (credentials never go in the clear unless
/// the options allow it).
public struct MailServer: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable { case imap, smtp }

    public enum Security: Sendable, Hashable {
        /// TLS from the first byte (IMAPS 993, SMTPS/submissions 465).
        case implicitTLS
        /// In the clear, upgraded with STARTTLS when the server offers it.
        case startTLS
    }

    public let kind: Kind
    public let security: Security
    /// The host name or address literal (without brackets).
    public let host: String
    public let port: Int

    /// The server in `url`, or `nil` when it is not a mail URL of `kind` with a host.
    /// Default ports: 143 (imap), 993 (imaps), 587 (smtp, submission), 465 (smtps).
    public init?(url: URL, kind: Kind) {
        guard let scheme = url.scheme?.lowercased(), let rawHost = url.host, !rawHost.isEmpty,
              url.user == nil, url.password == nil, url.query == nil, url.fragment == nil
        else { return nil }
        switch (kind, scheme) {
        case (.imap, "imap"): (security, port) = (.startTLS, url.port ?? 143)
        case (.imap, "imaps"): (security, port) = (.implicitTLS, url.port ?? 993)
        case (.smtp, "smtp"): (security, port) = (.startTLS, url.port ?? 587)
        case (.smtp, "smtps"): (security, port) = (.implicitTLS, url.port ?? 465)
        default: return nil
        }
        guard (1...65535).contains(port) else { return nil }
        self.kind = kind
        host = rawHost.hasPrefix("[") && rawHost.hasSuffix("]") ? String(rawHost.dropFirst().dropLast()) : rawHost
    }

    /// `host:port`, for errors and logs.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
