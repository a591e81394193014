public import Accounts
public import Foundation
public import NextcloudOCS
import DAVClient
public import HTTPTransport
import SyncEngine
public import SwitchboardStore

/// Calendars kept up to date as they change on a Nextcloud server instead of on the next
/// poll: webhooks registered with its webhook_listeners app for the calendar object events
/// of the account's calendars, calling back to this server with a secret of their own.
///
/// Registering needs an administrator of the Nextcloud server (the app's rule); when the
/// account's own user is not one, an administrator's credentials are given and kept sealed
/// to remove the webhooks later.
public struct PushSubscriptions: Sendable {
    let store: any PushStore & SyncStore
    let clients: AccountClients

    public init(store: any PushStore & SyncStore, clients: AccountClients) {
        self.store = store
        self.clients = clients
    }

    /// What to register.
    public struct Request: Sendable {
        /// The account whose calendars are watched.
        public var account: AccountRecord
        /// Where this server is reached from the Nextcloud server; calls go to
        /// `{callbackBase}/hooks/nextcloud/{id}`.
        public var callbackBase: URL
        /// The server's root, if not the part of the account's URL before `/remote.php/`.
        public var ocsURL: URL?
        /// An administrator to register as, if not the account's user.
        public var administrator: (user: String, password: String)?

        public init(account: AccountRecord, callbackBase: URL, ocsURL: URL? = nil, administrator: (user: String, password: String)? = nil) {
            self.account = account
            self.callbackBase = callbackBase
            self.ocsURL = ocsURL
            self.administrator = administrator
        }
    }

    /// Registers the webhooks for `request.account`'s calendars and keeps the subscription.
    /// Nothing is kept, and any webhook already registered is removed again, when one
    /// registration fails.
    public func subscribe(_ request: Request) async throws(PushError) -> PushSubscriptionRecord {
        let account = request.account
        if try await call({ () throws(StoreError) in try await store.pushSubscription(accountID: account.id) }) != nil {
            throw PushError(.exists, detail: "account \(account.name) is subscribed already")
        }
        guard let ocsURL = request.ocsURL ?? Self.ocsRoot(ofDAV: account.serverURL) else {
            throw PushError(.account, detail: "account \(account.name) has an invalid server URL")
        }
        // The account's password belongs to its server: another origin needs credentials of its own.
        if request.administrator == nil, !(URL(string: account.serverURL).map { HTTPTransport.sameOrigin(ocsURL, $0) } ?? false) {
            throw PushError(.credentialsNeeded, detail: "ocsUrl is not on the account's server; give that server's username and password")
        }
        let calendars = try await call { () throws(StoreError) in try await store.collections(accountID: account.id) }
            .filter { $0.kind == .calendar }
        let owners = Set(calendars.compactMap { CalendarReference.owner(ofCalendarAt: $0.href) })
        guard !owners.isEmpty else { throw PushError(.account, detail: "account \(account.name) has no calendars to watch") }

        let (secret, secretHash) = SecretToken.generate(prefix: "sbh_")
        let id = UUID().uuidString
        let callback = request.callbackBase.appending(path: "hooks/nextcloud/\(id)").absoluteString
        var subscription = PushSubscriptionRecord(id: id, accountID: account.id, secretHash: secretHash, callbackURL: callback,
                                                  ocsURL: ocsURL.absoluteString, listenerIDs: [])
        if let administrator = request.administrator {
            subscription.ocsUsername = administrator.user
            subscription.sealedOCSPassword = try accountCall { () throws(AccountError) in try clients.seal(administrator.password) }
        }
        let headers = ["Authorization": "Bearer " + secret]
        var registrations = owners.sorted().flatMap { owner in CalendarObjectEvents.registrations(owner: owner, uri: callback, headers: headers) }
        // An account with files is told of its user's file changes too (its indexes run on them).
        if let filesOwner = account.filesURL.flatMap(Self.filesOwner) {
            registrations += FileNodeEvents.registrations(owner: filesOwner, uri: callback, headers: headers)
        }
        try await withOCS(subscription, account: account) { ocs throws(PushError) in
            do throws(PlatformError) {
                for registration in registrations {
                    subscription.listenerIDs.append(try await ocs.register(registration).id)
                }
            } catch {
                for id in subscription.listenerIDs { _ = try? await ocs.deleteWebhookListener(id: id) }
                throw PushError(.upstream, detail: error.description, upstream: error)
            }
        }
        do throws(StoreError) {
            try await store.savePushSubscription(subscription)
        } catch {
            try? await withOCS(subscription, account: account) { ocs throws(PushError) in
                for id in subscription.listenerIDs { _ = try? await ocs.deleteWebhookListener(id: id) }
            }
            throw PushError(.store, detail: error.description)
        }
        return subscription
    }

    /// Removes the webhooks from the server, then the subscription. The subscription stays
    /// when the server cannot be told (its calls would otherwise go on unanswered).
    public func unsubscribe(_ subscription: PushSubscriptionRecord, account: AccountRecord) async throws(PushError) {
        try await withOCS(subscription, account: account) { ocs throws(PushError) in
            for id in subscription.listenerIDs {
                do throws(PlatformError) {
                    _ = try await ocs.deleteWebhookListener(id: id)
                } catch {
                    throw PushError(.upstream, detail: error.description, upstream: error)
                }
            }
        }
        _ = try await call { () throws(StoreError) in try await store.deletePushSubscription(id: subscription.id) }
    }

    /// Removes an account with its collections, synced state and log — the one way, from the
    /// API and the CLI alike. Its server's webhooks go first, while the credentials are at
    /// hand; a server that cannot be told (gone, or refusing) does not keep the account from
    /// being forgotten, and says why (`nil` when nothing was left there).
    @discardableResult
    public func removeAccount(_ account: AccountRecord) async throws(PushError) -> PushError? {
        var unreachable: PushError?
        if let subscription = try await call({ () throws(StoreError) in try await store.pushSubscription(accountID: account.id) }) {
            do {
                try await unsubscribe(subscription, account: account)
            } catch {
                unreachable = error
            }
        }
        try await call { () throws(StoreError) in try await store.deleteAccount(id: account.id) }
        await clients.forget(accountID: account.id)
        return unreachable
    }

    /// The enabled collections of the subscription's account that `calendars` name, when
    /// `secret` is the subscription's. An unknown subscription and a wrong secret are the
    /// same refusal.
    public func collections(naming calendars: [CalendarReference], subscriptionID: String, secret: String) async throws(PushError)
        -> [CollectionRecord]
    {
        let subscription = try await verified(subscriptionID: subscriptionID, secret: secret)
        return try await call { () throws(StoreError) in try await store.collections(accountID: subscription.accountID) }
            .filter { collection in collection.enabled && collection.kind == .calendar && calendars.contains { $0.names(href: collection.href) } }
    }

    /// The subscription, when `secret` is its own. An unknown subscription and a wrong secret
    /// are the same refusal.
    public func verified(subscriptionID: String, secret: String) async throws(PushError) -> PushSubscriptionRecord {
        guard let subscription = try await call({ () throws(StoreError) in try await store.pushSubscription(id: subscriptionID) }),
              SecretToken.hash(secret) == subscription.secretHash
        else { throw PushError(.refused, detail: "unknown subscription or wrong secret") }
        return subscription
    }

    /// The user whose files a files URL holds (`…/remote.php/dav/files/USER/`), if it is
    /// Nextcloud's layout.
    static func filesOwner(_ filesURL: String) -> String? {
        guard let path = URL(string: filesURL)?.path(percentEncoded: false) else { return nil }
        let segments = path.split(separator: "/")
        guard let files = segments.lastIndex(of: "files"), files > 0, segments[files - 1] == "dav", files + 1 < segments.count else { return nil }
        return String(segments[files + 1])
    }

    /// The Nextcloud root of a DAV URL: what comes before `/remote.php/`, or the origin.
    public static func ocsRoot(ofDAV serverURL: String) -> URL? {
        guard let url = URL(string: serverURL), url.host() != nil else { return nil }
        return OCSClient.root(before: url) ?? URL(string: "/", relativeTo: url)?.absoluteURL
    }

    private func withOCS(_ subscription: PushSubscriptionRecord, account: AccountRecord,
                         _ body: (OCSClient) async throws(PushError) -> Void) async throws(PushError) {
        guard let url = URL(string: subscription.ocsURL) else { throw PushError(.account, detail: "invalid OCS URL \(subscription.ocsURL)") }
        // The account's own password goes to the account's server only (the transport
        // holds it to that origin); an administrator's, to the OCS server it was given for.
        let origin = subscription.ocsUsername == nil ? URL(string: account.serverURL) ?? url : url
        let transport = try accountCall { () throws(AccountError) in
            try clients.makeTransport(for: account, user: subscription.ocsUsername ?? account.username,
                                      sealedPassword: subscription.ocsUsername == nil ? account.sealedPassword : subscription.sealedOCSPassword,
                                      origin: origin)
        }
        do throws(PushError) {
            try await body(OCSClient(baseURL: url, transport: transport))
            await transport.shutdown()
        } catch {
            await transport.shutdown()
            throw error
        }
    }

    private func call<Value>(_ body: () async throws(StoreError) -> Value) async throws(PushError) -> Value {
        do throws(StoreError) {
            return try await body()
        } catch {
            throw PushError(.store, detail: error.description)
        }
    }

    private func accountCall<Value>(_ body: () throws(AccountError) -> Value) throws(PushError) -> Value {
        do throws(AccountError) {
            return try body()
        } catch {
            throw PushError(.account, detail: error.description)
        }
    }
}

/// Why a push subscription could not be made, removed or used.
public struct PushError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The account has a subscription already.
        case exists
        /// The OCS URL is on another origin than the account's server, and no credentials
        /// for it were given (the account's own go to its server only).
        case credentialsNeeded
        /// The account cannot be reached as asked (bad URL, no calendars, credentials that cannot be opened).
        case account
        /// The Nextcloud server refused or failed: see ``upstream``.
        case upstream
        /// A call named no subscription, or carried the wrong secret.
        case refused
        /// The store failed.
        case store
    }

    public var code: Code
    public var detail: String
    /// The OCS error, for ``Code/upstream``.
    public var upstream: PlatformError?

    public init(_ code: Code, detail: String, upstream: PlatformError? = nil) {
        self.code = code
        self.detail = detail
        self.upstream = upstream
    }

    public var description: String { "\(code.rawValue): \(detail)" }
}
