public import HTTPTransport

/// How the client connects and signs in. Plain `Sendable` configuration with defaults.
public struct MailConnectionOptions: Sendable {
    public var user: String
    public var password: String
    /// PEM certificates (a CA's, or the server's own) to trust beside the system's.
    public var trustedCertificatesPEM: String?
    /// Which addresses may be connected to; the host is resolved and checked first, and the
    /// connection goes to the checked address. Default: only public addresses (a tenant's
    /// server); ``NetworkPolicy/unrestricted`` for the operator's own.
    public var networkPolicy: NetworkPolicy
    public var resolver: AddressResolver
    /// How long connecting and the TLS handshake may take. Default 10 s.
    public var connectTimeout: Duration
    /// How long the server may stay silent while the client waits for an answer. Default 60 s.
    public var readTimeout: Duration
    /// Whether a plain `imap://`/`smtp://` server that does not offer STARTTLS still gets the
    /// password. Default `false`: such a server gets a ``MailError/Code/tlsUnavailable``.
    public var allowsCredentialsInTheClear: Bool

    public init(user: String, password: String, trustedCertificatesPEM: String? = nil, networkPolicy: NetworkPolicy = NetworkPolicy(),
                resolver: AddressResolver = .system, connectTimeout: Duration = .seconds(10), readTimeout: Duration = .seconds(60),
                allowsCredentialsInTheClear: Bool = false) {
        self.user = user
        self.password = password
        self.trustedCertificatesPEM = trustedCertificatesPEM
        self.networkPolicy = networkPolicy
        self.resolver = resolver
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.allowsCredentialsInTheClear = allowsCredentialsInTheClear
    }
}
