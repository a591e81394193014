import Foundation
import Logging
import SwitchboardAPI
import SwitchboardStore

/// A tenant's own OpenID Connect provider: its access tokens act for the tenant beside its
/// API keys.
extension APIHandler {
    func getIdentityProvider(_ input: Operations.GetIdentityProvider.Input) async throws -> Operations.GetIdentityProvider.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.read)
            guard let provider = try await provider(of: principal) else { throw Problem.notFound("the tenant has no identity provider") }
            return .ok(.init(body: .json(Self.provider(provider))))
        }
    }

    func setIdentityProvider(_ input: Operations.SetIdentityProvider.Input) async throws -> Operations.SetIdentityProvider.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            guard let url = URL(string: body.jwksUrl), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
                throw Problem.invalid("jwksUrl", "an http or https URL")
            }
            if identities.isOperators(issuer: body.issuer, audience: body.audience) {
                throw Problem(status: 409, code: "provider_taken", title: "Provider taken",
                              detail: "this issuer and audience are the installation's own; ask the provider for an audience of your own")
            }
            do throws(JWKSDocument.Failure) {
                _ = try await JWKSDocument.fetch(url, policy: identities.tenantPolicy)
            } catch {
                if case .refused = error {
                    var refused = Problem.invalid("jwksUrl", "the address is not allowed by this installation's network policy")
                    refused.code = "destination_refused"
                    throw refused
                }
                throw Problem(status: 422, code: "jwks_unreadable", title: "Key set unreadable", detail: error.description)
            }
            let provider = IdentityProviderRecord(tenantID: principal.tenantID, issuer: body.issuer, audience: body.audience, jwksURL: url.absoluteString)
            try await call { () throws(StoreError) in try await store.saveIdentityProvider(provider) }
            audit("identity-provider.set", principal, target: provider.issuer)
            if await identities.isShadowed(issuer: provider.issuer, tenantID: provider.tenantID) {
                // Said to the operator only: the answer must not reveal another tenant's provider.
                logger.warning("identity provider shadowed: another tenant registered the issuer first; this tenant's tokens are refused",
                               metadata: ["tenant": .string(provider.tenantID), "issuer": .string(provider.issuer)])
            }
            return .ok(.init(body: .json(Self.provider(provider))))
        }
    }

    func deleteIdentityProvider(_ input: Operations.DeleteIdentityProvider.Input) async throws -> Operations.DeleteIdentityProvider.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            guard try await call({ () throws(StoreError) in try await store.deleteIdentityProvider(tenantID: principal.tenantID) }) else {
                throw Problem.notFound("the tenant has no identity provider")
            }
            audit("identity-provider.delete", principal, target: principal.tenantID)
            return .noContent(.init())
        }
    }

    private func provider(of principal: Principal) async throws(Problem) -> IdentityProviderRecord? {
        try await call { () throws(StoreError) in try await store.identityProviders() }.first { $0.tenantID == principal.tenantID }
    }

    static func provider(_ provider: IdentityProviderRecord) -> Components.Schemas.IdentityProvider {
        .init(issuer: provider.issuer, audience: provider.audience, jwksUrl: provider.jwksURL, createdAt: provider.createdAt)
    }
}
