import Caching
import DAVClient
import HTTPTransport
import Foundation
import Synchronization
import SwitchboardStore

/// The OpenID Connect providers whose access tokens the API accepts: the operator's (tokens
/// name their tenant) and each tenant's own (tokens act for that tenant only). A token is
/// checked by the provider its issuer and audience name; the tenants' providers are read
/// from the store while it is unchanged (a second at most), and each keeps its fetched keys.
final class IdentityProviders: Sendable {
    let store: any AccessStore & SyncStore
    /// The operator's provider, if configured.
    let operatorProvider: AccessTokenVerifier?
    /// Where tenants' JWKS URLs may point.
    let tenantPolicy: NetworkPolicy
    private let registered = Memo<Int, [IdentityProviderRecord]>(capacity: 1, lifetime: .seconds(1))
    private let verifiers = Mutex<[String: AccessTokenVerifier]>([:])

    init(store: any AccessStore & SyncStore, operatorProvider: OIDCConfiguration?, tenantPolicy: NetworkPolicy) {
        self.store = store
        self.operatorProvider = operatorProvider.map { AccessTokenVerifier(configuration: $0) }
        self.tenantPolicy = tenantPolicy
    }

    /// The principal a token stands for, or `nil` when no provider vouches for it.
    func principal(for token: String) async -> Principal? {
        guard let claimed = AccessTokenVerifier.claimedIssuer(of: token) else { return nil }
        if let operatorProvider, operatorProvider.configuration.issuer == claimed.issuer,
           claimed.audiences.contains(operatorProvider.configuration.audience) {
            return await operatorProvider.principal(for: token, tenants: { try await store.tenants() })
        }
        guard let providers = try? await tenantProviders(),
              let provider = Self.owner(of: claimed.issuer, among: providers), claimed.audiences.contains(provider.audience),
              let verifier = verifier(for: provider)
        else { return nil }
        return await verifier.principal(for: token, tenants: { [] })
    }

    /// The provider an issuer's tokens go to: an issuer belongs to the tenant that
    /// registered it first. A later tenant naming the same issuer can neither take its
    /// tokens over nor make them fail, and is not told at registration (that would reveal
    /// another tenant's provider); its own tokens are refused and the operator's log says why.
    static func owner(of issuer: String, among providers: [IdentityProviderRecord]) -> IdentityProviderRecord? {
        providers.filter { $0.issuer == issuer }.min { ($0.createdAt, $0.tenantID) < ($1.createdAt, $1.tenantID) }
    }

    /// Whether a provider registered for `tenantID` with `issuer` would be shadowed by
    /// another tenant's earlier registration of the issuer.
    func isShadowed(issuer: String, tenantID: String) async -> Bool {
        guard let providers = try? await tenantProviders(), let owner = Self.owner(of: issuer, among: providers) else { return false }
        return owner.tenantID != tenantID
    }

    /// Whether `issuer` and `audience` are the operator's provider's.
    func isOperators(issuer: String, audience: String) -> Bool {
        operatorProvider.map { $0.configuration.issuer == issuer && $0.configuration.audience == audience } ?? false
    }

    private func tenantProviders() async throws(StoreError) -> [IdentityProviderRecord] {
        try await registered.value(for: 0, version: Int64(truncatingIfNeeded: store.writeGeneration)) { () async throws(StoreError) in
            try await store.identityProviders()
        }
    }

    /// The verifier of a tenant's provider, kept while its settings stay the same.
    private func verifier(for provider: IdentityProviderRecord) -> AccessTokenVerifier? {
        guard let url = URL(string: provider.jwksURL) else { return nil }
        let configuration = OIDCConfiguration(issuer: provider.issuer, audience: provider.audience, jwksURL: url)
        return verifiers.withLock { verifiers in
            if let kept = verifiers[provider.tenantID], kept.configuration == configuration { return kept }
            let made = AccessTokenVerifier(configuration: configuration, tenantID: provider.tenantID, networkPolicy: tenantPolicy)
            verifiers[provider.tenantID] = made
            return made
        }
    }
}
