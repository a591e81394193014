public import Accounts
import Crypto
import Foundation
import OpenProjectAPI
public import SwitchboardStore
public import Webhooks
import ZulipAPI

/// Why a platform's webhook call was refused.
public enum PlatformHookError: Error, Sendable, CustomStringConvertible {
    /// No such account, an account of another kind, or one without a hook secret.
    case unknown
    /// The signature or token does not match the account's secret.
    case unauthorized
    /// The body is not the platform's payload.
    case invalid(String)
    case account(AccountError)
    case store(StoreError)

    public var description: String {
        switch self {
        case .unknown: "no account takes these calls"
        case .unauthorized: "the call's signature or token does not match"
        case .invalid(let why): "not the platform's payload: \(why)"
        case .account(let error): error.description
        case .store(let error): error.description
        }
    }
}

/// Webhook calls from OpenProject (work package created or updated, signed with the
/// account's secret: `X-OP-Signature: sha1=` and the HMAC-SHA1 of the body) and from a Zulip
/// outgoing-webhook bot (its token in the body), checked against the account's hook secret
/// and passed on as the tenant's own webhook events, signed as all of them are.
public struct PlatformHooks: Sendable {
    let store: any SyncStore
    let clients: AccountClients
    let webhooks: WebhookService

    /// Keeps `secret` (sealed) as the one the account's calls are checked with.
    public func setSecret(_ account: AccountRecord, _ secret: String) async throws(PlatformHookError) {
        guard account.kind == .openproject || account.kind == .zulip else { throw .unknown }
        var account = account
        do {
            account.sealedHookSecret = try clients.seal(secret)
        } catch {
            throw .account(error)
        }
        do { try await store.saveAccount(account) } catch { throw .store(error) }
    }

    /// The account's secret, when it is of `kind` and has one.
    private func secret(accountID: String, kind: AccountKind) async throws(PlatformHookError) -> (AccountRecord, String) {
        let account: AccountRecord?
        do { account = try await store.account(id: accountID) } catch { throw .store(error) }
        guard let account, account.kind == kind, let sealed = account.sealedHookSecret else { throw .unknown }
        do { return (account, try clients.open(sealed)) } catch { throw .account(error) }
    }

    /// The event an OpenProject call is passed on as (`openproject.work_package.created` or
    /// `.updated`), or `nil` for an action that is acknowledged and left alone.
    public func receiveOpenProject(accountID: String, body: [UInt8], signature: String?) async throws(PlatformHookError) -> String? {
        let (account, secret) = try await secret(accountID: accountID, kind: .openproject)
        guard let signature, signature.hasPrefix("sha1="), let given = Self.bytes(hex: signature.dropFirst(5)),
              HMAC<Insecure.SHA1>.isValidAuthenticationCode(given, authenticating: body, using: SymmetricKey(data: Data(secret.utf8))) else {
            throw .unauthorized
        }
        struct Payload: Decodable {
            var action: String
            var work_package: OpenProjectWorkPackage?
        }
        let payload: Payload
        do { payload = try JSONDecoder().decode(Payload.self, from: Data(body)) } catch { throw .invalid("\(error)") }
        guard ["work_package:created", "work_package:updated"].contains(payload.action), let package = payload.work_package else { return nil }
        let type = "openproject." + payload.action.replacingOccurrences(of: ":", with: ".")
        if let tenantID = account.tenantID {
            await webhooks.emit(tenantID: tenantID, type: type, data: WorkPackageEvent(accountId: account.id, id: package.id, subject: package.subject,
                                                                                      project: package.project.title, status: package.status.title,
                                                                                      type: package.type.title, lockVersion: package.lockVersion))
        }
        return type
    }

    /// Passes a Zulip bot's call on as `zulip.message.received`.
    public func receiveZulip(accountID: String, body: [UInt8]) async throws(PlatformHookError) -> String {
        let (account, secret) = try await secret(accountID: accountID, kind: .zulip)
        let hook: ZulipOutgoingWebhook
        do { hook = try JSONDecoder().decode(ZulipOutgoingWebhook.self, from: Data(body)) } catch { throw .invalid("\(error)") }
        guard hook.hasToken(secret) else { throw .unauthorized }
        let type = "zulip.message.received"
        if let tenantID = account.tenantID {
            let message = hook.message
            await webhooks.emit(tenantID: tenantID, type: type, data: ZulipMessageEvent(
                accountId: account.id, messageId: message.id, trigger: hook.trigger, stream: message.streamID == nil ? nil : message.recipients.first,
                topic: message.topic, sender: message.senderEmail, content: hook.data))
        }
        return type
    }

    static func bytes(hex: Substring) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}

/// The `data` of an `openproject.work_package.*` event.
struct WorkPackageEvent: Encodable, Sendable {
    var accountId: String
    var id: Int
    var subject: String
    var project: String?
    var status: String?
    var type: String?
    var lockVersion: Int
}

/// The `data` of a `zulip.message.received` event.
struct ZulipMessageEvent: Encodable, Sendable {
    var accountId: String
    var messageId: Int
    var trigger: String
    var stream: String?
    var topic: String
    var sender: String
    var content: String
}
