import DAVClient
import Foundation
import NextcloudOCS
import SwitchboardCore
import SwitchboardAPI
import SyncEngine
import SwitchboardStore
import HTTPTransport

/// Push: an account's Nextcloud server calls back when its calendars change (its
/// webhook_listeners app), and each call syncs the calendar it names at once.
extension APIHandler {
    func getPushSubscription(_ input: Operations.GetPushSubscription.Input) async throws -> Operations.GetPushSubscription.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let account = try await account(input.path.accountId, of: try Principal.requiring(.read))
            guard let subscription = try await call({ () throws(StoreError) in try await store.pushSubscription(accountID: account.id) }) else {
                throw Problem.notFound("account \(input.path.accountId) has no push subscription")
            }
            return .ok(.init(body: .json(Self.subscription(subscription))))
        }
    }

    func subscribePush(_ input: Operations.SubscribePush.Input) async throws -> Operations.SubscribePush.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            let account = try await account(input.path.accountId, of: principal)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            guard let publicURL else {
                throw Problem(status: 409, code: "public_url_unset", title: "No public URL",
                              detail: "the operator has not set publicURL, where the Nextcloud server would call this server")
            }
            var ocsURL: URL?
            if let text = body.ocsUrl {
                guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
                    throw Problem.invalid("ocsUrl", "an http or https URL")
                }
                ocsURL = url
            }
            var administrator: (user: String, password: String)?
            switch (body.username, body.password) {
            case (let user?, let password?): administrator = (user, password)
            case (nil, nil): administrator = nil
            case (nil, _): throw Problem.invalid("username", "give the administrator's username with the password")
            case (_, nil): throw Problem.invalid("password", "give the administrator's password with the username")
            }
            let request = PushSubscriptions.Request(account: account, callbackBase: publicURL, ocsURL: ocsURL, administrator: administrator)
            let subscription = try await call { () throws(PushError) in try await push.subscribe(request) }
            audit("push.subscribe", principal, target: account.id)
            return .created(.init(body: .json(Self.subscription(subscription))))
        }
    }

    func unsubscribePush(_ input: Operations.UnsubscribePush.Input) async throws -> Operations.UnsubscribePush.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            let account = try await account(input.path.accountId, of: principal)
            guard let subscription = try await call({ () throws(StoreError) in try await store.pushSubscription(accountID: account.id) }) else {
                throw Problem.notFound("account \(input.path.accountId) has no push subscription")
            }
            try await call { () throws(PushError) in try await push.unsubscribe(subscription, account: account) }
            audit("push.unsubscribe", principal, target: account.id)
            return .noContent(.init())
        }
    }

    func receiveNextcloudEvent(_ input: Operations.ReceiveNextcloudEvent.Input) async throws -> Operations.ReceiveNextcloudEvent.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            guard let secret = HookSecret.current else { throw Problem.unauthorized }
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            let event = body.event
            let named = [event.calendarData, event.sourceCalendarData, event.targetCalendarData].compactMap { data in
                data.map { CalendarReference(principalURI: $0.principaluri, uri: $0.uri) }
            }
            let collections = try await call { () throws(PushError) in
                try await push.collections(naming: named, subscriptionID: input.path.subscriptionId, secret: secret)
            }
            for collection in collections {
                if let sync {
                    sync.trigger(collection.id)
                } else {
                    // No sync service beside this server: the run happens before the answer.
                    _ = await syncer.sync(collection)
                }
            }
            let paths = [event.node, event.source, event.target].compactMap { $0?.path.flatMap(FileNodeEvents.filesPath) }
            var indexIDs: [String] = []
            if !paths.isEmpty {
                let subscription = try await call { () throws(PushError) in
                    try await push.verified(subscriptionID: input.path.subscriptionId, secret: secret)
                }
                indexIDs = try await indexCall { () throws(IndexServiceError) in
                    try await indexes.filesChanged(accountID: subscription.accountID, paths: paths)
                }.map(\.id)
            }
            return .accepted(.init(body: .json(.init(collectionIds: collections.map(\.id), indexIds: indexIDs))))
        }
    }

    /// One of the principal's tenant's accounts; another tenant's looks missing.
    func account(_ id: String, of principal: Principal) async throws(Problem) -> AccountRecord {
        try await lookup { () throws(LookupError) in try await hub.tenant(principal.tenantID).account(id) }
    }

    func call<T>(_ body: () async throws(PushError) -> T) async throws(Problem) -> T {
        do { return try await body() } catch { throw Problem(error) }
    }

    static func subscription(_ subscription: PushSubscriptionRecord) -> Components.Schemas.PushSubscription {
        .init(id: subscription.id, accountId: subscription.accountID, ocsUrl: subscription.ocsURL,
              callbackUrl: subscription.callbackURL, registeredAs: subscription.ocsUsername,
              webhookIds: subscription.listenerIDs, createdAt: subscription.createdAt)
    }
}

/// The secret a call to `/hooks/…` carries (its bearer token), set by the authentication
/// middleware, which checks API keys on every other path.
enum HookSecret {
    @TaskLocal static var current: String?
}

extension Problem {
    /// Why a push subscription could not be made, removed or used, in terms the caller can act on.
    init(_ error: PushError) {
        switch error.code {
        case .exists:
            self.init(status: 409, code: "push_exists", title: "Subscribed already", detail: error.detail)
        case .account:
            self.init(status: 422, code: "push_unavailable", title: "Push cannot be set up", detail: error.detail)
        case .credentialsNeeded:
            self.init(status: 422, code: "credentials_needed", title: "Credentials needed", detail: error.detail)
        case .refused:
            self = .unauthorized
        case .store:
            self.init(status: 503, code: "store_unavailable", title: "Store unavailable", detail: "the store could not answer")
        case .upstream:
            switch (error.upstream?.code, error.upstream?.underlying?.code) {
            case (.transport?, .destinationRefused?):
                self = .invalid("ocsUrl", "the server's address is not allowed by this installation's network policy")
                code = "destination_refused"
            case (.unauthorized?, _):
                self.init(status: 422, code: "credentials_refused", title: "Credentials refused",
                          detail: "the Nextcloud server refused the user name or password")
            case (.forbidden?, _):
                self.init(status: 422, code: "not_administrator", title: "Not an administrator",
                          detail: "the Nextcloud server takes webhook registrations from administrators only: give one's username and password")
            case (.notFound?, _):
                self.init(status: 422, code: "webhooks_unavailable", title: "No webhook_listeners app",
                          detail: "the server has no webhook_listeners API (Nextcloud 30 or later, with the app enabled)")
            default:
                self.init(status: 502, code: "upstream_failed", title: "The Nextcloud server failed", detail: error.detail)
            }
        }
    }
}
