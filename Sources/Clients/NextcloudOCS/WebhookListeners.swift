public import HTTPTransport
/// A webhook registered with Nextcloud's webhook_listeners app (its `WebhookInfo`): the
/// fields Switchboard reads.
public struct WebhookListener: Sendable, Hashable, Decodable {
    public var id: String
    public var uri: String
    public var event: String?
}

/// A webhook to register: which event class, where to send it, and the filter and headers.
///
/// The filter's conditions are written in their operator form (`{"$e": value}`): the app's
/// OpenAPI document types each condition as an object. Headers carry the receiver's
/// secret (the document types `authData` values as objects, while the app sends them as
/// header strings; `headers` is typed as strings, see docs/decisions.md).
public struct WebhookRegistration: Sendable, Hashable, Encodable {
    public var httpMethod = "POST"
    public var uri: String
    public var event: String
    public var eventFilter: [String: [String: String]]
    public var headers: [String: String]
    public var authMethod = "none"

    /// A registration that POSTs `event` to `uri` with `headers` when every condition of
    /// `equalities` (a dotted path into the call's body and the value it must equal) holds.
    public init(uri: String, event: String, equalities: [String: String], headers: [String: String]) {
        self.uri = uri
        self.event = event
        eventFilter = equalities.mapValues { ["$e": $0] }
        self.headers = headers
    }
}

/// The webhook_listeners app's OCS API (Nextcloud 30 and later). Every call needs an
/// administrator's (or delegated administrator's) credentials.
extension OCSClient {
    static let webhooksPath = "ocs/v2.php/apps/webhook_listeners/api/v1/webhooks"

    /// Every registered webhook.
    public func webhookListeners() async throws(PlatformError) -> [WebhookListener] {
        try await send("GET", Self.webhooksPath, as: [WebhookListener].self)
    }

    /// Registers a webhook and returns it as the server keeps it.
    public func register(_ registration: WebhookRegistration) async throws(PlatformError) -> WebhookListener {
        try await send("POST", Self.webhooksPath, body: registration, as: WebhookListener.self)
    }

    /// Removes a webhook; `false` when the server had none by that id.
    public func deleteWebhookListener(id: String) async throws(PlatformError) -> Bool {
        try await send("DELETE", Self.webhooksPath + "/" + id, as: Bool.self)
    }
}
