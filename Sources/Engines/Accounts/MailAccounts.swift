public import Foundation
public import HTTPTransport
public import MailClient
public import MIME
public import SwitchboardStore

/// A request to connect a mail account.
public struct MailAccountConnection: Sendable {
    public var name: String
    public var imapURL: URL
    public var smtpURL: URL
    public var username: String
    public var password: String
    /// Who messages are sent from; the user name when it is an address and this is `nil`.
    public var address: MailAddress?
    public var trustedCertificatesPEM: String?
    public var tenantID: String?

    public init(name: String, imapURL: URL, smtpURL: URL, username: String, password: String, address: MailAddress? = nil,
                trustedCertificatesPEM: String? = nil, tenantID: String? = nil) {
        self.name = name
        self.imapURL = imapURL
        self.smtpURL = smtpURL
        self.username = username
        self.password = password
        self.address = address
        self.trustedCertificatesPEM = trustedCertificatesPEM
        self.tenantID = tenantID
    }
}

/// How to reach one mail account: its servers, the options to connect with (its password
/// opened from the sealed copy, its network policy), and its sender address.
public struct MailEndpoints: Sendable {
    public var imap: MailServer
    public var smtp: MailServer
    public var options: MailConnectionOptions
    public var sender: MailAddress
}

/// The mail accounts of the store: connected (signed in to IMAP and SMTP, capabilities
/// read) before they are kept, their passwords sealed with the store's key, and a tenant's
/// held to the tenant network policy while the operator's reach anything.
public struct MailAccounts: Sendable {
    let secrets: SecretBox
    /// The addresses a tenant's mail servers may have.
    public let tenantPolicy: NetworkPolicy

    public init(secrets: SecretBox, tenantPolicy: NetworkPolicy = NetworkPolicy()) {
        self.secrets = secrets
        self.tenantPolicy = tenantPolicy
    }

    /// Signs in to both servers and keeps the account. Nothing is kept when either refuses,
    /// cannot be reached or is not allowed; a name already taken is ``AccountError/Code/nameTaken``.
    public func connect(_ request: MailAccountConnection, in store: any MailAccountStore) async throws(AccountError) -> MailAccountRecord {
        guard let sender = request.address ?? MailAddress(request.username) else {
            throw AccountError(.unusable, detail: "the user name is not an address: give the address messages are sent from")
        }
        let sealed: [UInt8]
        do {
            sealed = try secrets.seal(request.password)
        } catch {
            throw AccountError(.unusable, detail: "the password cannot be sealed: \(error)")
        }
        let account = MailAccountRecord(name: request.name, imapURL: request.imapURL.absoluteString, smtpURL: request.smtpURL.absoluteString,
                                        username: request.username, sealedPassword: sealed, address: sender.address,
                                        trustedCertificatesPEM: request.trustedCertificatesPEM, tenantID: request.tenantID)
        let endpoints = try self.endpoints(for: account)
        do {
            try await IMAPConnection.withConnection(to: endpoints.imap, options: endpoints.options) { _ in }
            _ = try await SMTPClient(server: endpoints.smtp, options: endpoints.options).verify()
        } catch let error as MailError {
            throw AccountError(mail: error)
        } catch {
            throw AccountError(.server, detail: "\(error)")
        }
        do {
            guard try await !store.mailAccounts().contains(where: { $0.name == request.name }) else {
                throw AccountError(.nameTaken, detail: "there is already a mail account named \(request.name)")
            }
            try await store.saveMailAccount(account)
        } catch let error as AccountError {
            throw error
        } catch let error as StoreError {
            throw AccountError(store: error)
        } catch {
            throw AccountError(.server, detail: "\(error)")
        }
        return account
    }

    /// The servers, options and sender of `account`.
    public func endpoints(for account: MailAccountRecord) throws(AccountError) -> MailEndpoints {
        guard let imapURL = URL(string: account.imapURL), let imap = MailServer(url: imapURL, kind: .imap) else {
            throw AccountError(.unusable, detail: "mail account \(account.name): \(account.imapURL) is not an imap:// or imaps:// URL")
        }
        guard let smtpURL = URL(string: account.smtpURL), let smtp = MailServer(url: smtpURL, kind: .smtp) else {
            throw AccountError(.unusable, detail: "mail account \(account.name): \(account.smtpURL) is not an smtp:// or smtps:// URL")
        }
        guard let sender = MailAddress(account.address) else {
            throw AccountError(.unusable, detail: "mail account \(account.name): \(account.address) is not an address")
        }
        let password: String
        do {
            password = try secrets.open(account.sealedPassword)
        } catch {
            throw AccountError(.unusable, detail: "mail account \(account.name): \(error)")
        }
        let options = MailConnectionOptions(user: account.username, password: password, trustedCertificatesPEM: account.trustedCertificatesPEM,
                                            networkPolicy: account.tenantID == nil ? .unrestricted : tenantPolicy)
        return MailEndpoints(imap: imap, smtp: smtp, options: options, sender: sender)
    }
}

extension AccountError {
    /// A mail server's failure, its code kept in the detail.
    public init(mail error: MailError) {
        self.init(.server, detail: error.description)
    }
}
