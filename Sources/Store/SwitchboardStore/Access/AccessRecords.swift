public import Foundation

/// A tenant: every API key and every resource served over the API belongs to one, and a
/// request sees only its tenant's data.
public struct TenantRecord: Sendable, Hashable, Codable {
    public var id: String
    /// Unique in a store.
    public var name: String
    public var createdAt: Date

    public init(id: String = UUID().uuidString, name: String, createdAt: Date = Date()) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

/// What an API key may do.
public enum APIScope: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Read availability, resources and bookings.
    case read
    /// Also create, confirm, reschedule and cancel bookings.
    case book
    /// Everything, including the tenant's configuration.
    case admin

    /// Whether a key with this scope may act with `needed`: `admin` implies `book`, which implies `read`.
    public func allows(_ needed: APIScope) -> Bool { needed <= self }

    public static func < (lhs: APIScope, rhs: APIScope) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// An API key as stored: its SHA-256 (the key itself is shown once, when made), tenant and scope.
public struct APIKeyRecord: Sendable, Hashable, Codable {
    public var id: String
    public var tenantID: String
    /// What the key is for, as its maker named it.
    public var name: String
    /// The key's SHA-256, hex.
    public var keyHash: String
    public var scope: APIScope
    public var createdAt: Date
    /// When it was revoked; a revoked key opens nothing.
    public var revokedAt: Date?

    public init(id: String = UUID().uuidString, tenantID: String, name: String, keyHash: String, scope: APIScope,
                createdAt: Date = Date(), revokedAt: Date? = nil) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.keyHash = keyHash
        self.scope = scope
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// A subscribable calendar feed (`/ics/{token}.ics`): a calendar's events, or those of a
/// resource's calendars, with their details or as busy time only. Only the token's SHA-256
/// is kept; the feed URL is shown once, when made.
public struct FeedRecord: Sendable, Hashable, Codable {
    public var id: String
    public var tenantID: String
    public var name: String
    /// The token's SHA-256, hex.
    public var tokenHash: String
    /// The calendar published, or `nil` for a resource's.
    public var calendarID: String?
    /// The resource whose calendars are published, or `nil` for one calendar.
    public var resourceID: String?
    /// Whether events are published as busy time only (no summary, place or people).
    public var busyOnly: Bool
    public var createdAt: Date

    public init(id: String = UUID().uuidString, tenantID: String, name: String, tokenHash: String, calendarID: String? = nil,
                resourceID: String? = nil, busyOnly: Bool, createdAt: Date = Date()) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.tokenHash = tokenHash
        self.calendarID = calendarID
        self.resourceID = resourceID
        self.busyOnly = busyOnly
        self.createdAt = createdAt
    }
}

/// A tenant's own OpenID Connect provider: access tokens it signs act for that tenant, and
/// for no other. An issuer and audience belong to one tenant at most.
public struct IdentityProviderRecord: Sendable, Hashable, Codable {
    public var tenantID: String
    /// The `iss` its tokens carry.
    public var issuer: String
    /// The `aud` its tokens must name.
    public var audience: String
    /// Where it publishes its signing keys (JWKS), held to the tenants' network policy.
    public var jwksURL: String
    public var createdAt: Date

    public init(tenantID: String, issuer: String, audience: String, jwksURL: String, createdAt: Date = Date()) {
        self.tenantID = tenantID
        self.issuer = issuer
        self.audience = audience
        self.jwksURL = jwksURL
        self.createdAt = createdAt
    }
}

/// Tenants, API keys, feeds and tenants' identity providers.
public protocol AccessStore: Sendable {
    /// Writes a tenant (insert or replace by id); a name another tenant has is a constraint error.
    func saveTenant(_ tenant: TenantRecord) async throws(StoreError)
    /// Every tenant, by name.
    func tenants() async throws(StoreError) -> [TenantRecord]
    /// Writes a key (insert or replace by id).
    func saveKey(_ key: APIKeyRecord) async throws(StoreError)
    /// The keys of one tenant, or of all, by creation.
    func keys(tenantID: String?) async throws(StoreError) -> [APIKeyRecord]
    /// The key with this hash, revoked or not.
    func key(hash: String) async throws(StoreError) -> APIKeyRecord?
    /// Revokes a key; `false` when there is no such key or it was revoked already.
    func revokeKey(id: String, at date: Date) async throws(StoreError) -> Bool
    /// Writes a feed (insert or replace by id).
    func saveFeed(_ feed: FeedRecord) async throws(StoreError)
    /// The feeds of one tenant, by creation.
    func feeds(tenantID: String) async throws(StoreError) -> [FeedRecord]
    /// The feed with this token hash.
    func feed(hash: String) async throws(StoreError) -> FeedRecord?
    /// Deletes a feed; `false` when there was none.
    func deleteFeed(id: String) async throws(StoreError) -> Bool
    /// Writes a tenant's identity provider, in place of its earlier one; an issuer and
    /// audience another tenant has is a constraint error.
    func saveIdentityProvider(_ provider: IdentityProviderRecord) async throws(StoreError)
    /// Every tenant's identity provider.
    func identityProviders() async throws(StoreError) -> [IdentityProviderRecord]
    /// Removes a tenant's identity provider; `false` when it had none.
    func deleteIdentityProvider(tenantID: String) async throws(StoreError) -> Bool
}
