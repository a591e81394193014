import Foundation
import HTTPTypes
import JWTKit
@testable import SwitchboardServer
import SwitchboardTestSupport
import Synchronization
import SwitchboardStore
import Testing

/// OIDC access tokens beside API keys, with keys from a JWKS served on 127.0.0.1.
@Suite struct AccessTokenTests {
    static func jwk(_ key: ES256PrivateKey, kid: String) -> String {
        let (x, y) = key.publicKey.parameters!
        return #"{"kty": "EC", "crv": "P-256", "x": "\#(x)", "y": "\#(y)", "kid": "\#(kid)", "alg": "ES256", "use": "sig"}"#
    }

    static func token(_ key: ES256PrivateKey, kid: String, issuer: String = "https://id.example.org", audience: String = "switchboard",
                      tenant: String, scope: String, expires: TimeInterval = 300) async throws -> String {
        let signer = JWTKeyCollection()
        await signer.add(ecdsa: key, kid: JWKIdentifier(string: kid))
        let claims = AccessTokenClaims(iss: IssuerClaim(value: issuer), aud: AudienceClaim(value: [audience]),
                                       exp: ExpirationClaim(value: Date().addingTimeInterval(expires)), nbf: nil,
                                       sub: SubjectClaim(value: "user-7"), scope: scope, switchboard_tenant: tenant)
        return try await signer.sign(claims, kid: JWKIdentifier(string: kid))
    }

    @Test func tokensOfTheProviderActForTheirTenantWithTheirScope() async throws {
        let provider = Receiver()
        let key = ES256PrivateKey()
        provider.jwks.withLock { $0 = #"{"keys": [\#(Self.jwk(key, kid: "k1"))]}"# }
        try await provider.start()
        let oidc = OIDCConfiguration(issuer: "https://id.example.org", audience: "switchboard",
                                     jwksURL: URL(string: "http://127.0.0.1:\(provider.port.withLock { $0 })/jwks")!, keyRefreshInterval: .zero)
        try await ServerHarness.with(oidc: oidc) { harness in
            let tenant = harness.tenantName
            let reader = try await Self.token(key, kid: "k1", tenant: tenant, scope: "openid switchboard:read")
            let listed = try await harness.call(.get, "/v1/resources", key: reader)
            #expect(listed.status == 200 && (listed.body as? [[String: Any]])?.first?["name"] as? String == harness.resource)
            let booking = #"{"resource": "\#(harness.resource)", "start": "2028-03-06T09:00:00Z", "end": "2028-03-06T10:00:00Z", "summary": "x"}"#
            #expect(try await harness.call(.post, "/v1/bookings", key: reader, json: booking).status == 403)
            let booker = try await Self.token(key, kid: "k1", tenant: tenant, scope: "switchboard:book")
            #expect(try await harness.call(.post, "/v1/bookings", key: booker, json: booking).status == 201)

            let stranger = ES256PrivateKey()
            let refused = [
                try await Self.token(key, kid: "k1", audience: "another-api", tenant: tenant, scope: "switchboard:read"),
                try await Self.token(key, kid: "k1", issuer: "https://evil.example.org", tenant: tenant, scope: "switchboard:read"),
                try await Self.token(key, kid: "k1", tenant: tenant, scope: "switchboard:read", expires: -600),
                try await Self.token(key, kid: "k1", tenant: "no-such-tenant", scope: "switchboard:read"),
                try await Self.token(key, kid: "k1", tenant: tenant, scope: "openid profile"),
                try await Self.token(stranger, kid: "k1", tenant: tenant, scope: "switchboard:read"),
                try await Self.token(stranger, kid: "k9", tenant: tenant, scope: "switchboard:read"),
                "not.a.token",
            ]
            for token in refused {
                let answer = try await harness.call(.get, "/v1/resources", key: token)
                #expect(answer.status == 401 && ServerHarness.problemCode(answer) == "unauthorized")
            }

            // The provider rotates its key: tokens with the new key id work once the JWKS has it.
            let rotated = ES256PrivateKey()
            provider.jwks.withLock { $0 = #"{"keys": [\#(Self.jwk(rotated, kid: "k2"))]}"# }
            let fresh = try await Self.token(rotated, kid: "k2", tenant: tenant, scope: "switchboard:read")
            #expect(try await harness.call(.get, "/v1/resources", key: fresh).status == 200)
            // API keys still work beside tokens.
            #expect(try await harness.call(.get, "/v1/resources", key: harness.keys[.read]).status == 200)
        }
        await provider.stop()
    }

    @Test func aTenantsOwnProviderActsForThatTenantOnly() async throws {
        let provider = Receiver()
        let key = ES256PrivateKey()
        provider.jwks.withLock { $0 = #"{"keys": [\#(Self.jwk(key, kid: "t1"))]}"# }
        try await provider.start()
        let jwksURL = "http://127.0.0.1:\(provider.port.withLock { $0 })/jwks"
        try await ServerHarness.with { harness in
            let admin = harness.keys[.admin]
            let settings = #"{"issuer": "https://login.clinic.example", "audience": "clinic-booking", "jwksUrl": "\#(jwksURL)"}"#
            // Before it is registered, its tokens are nobody's.
            let token = try await Self.token(key, kid: "t1", issuer: "https://login.clinic.example", audience: "clinic-booking",
                                             tenant: harness.otherTenant.name, scope: "switchboard:book")
            #expect(try await harness.call(.get, "/v1/resources", key: token).status == 401)
            #expect(try await harness.call(.get, "/v1/identity-provider", key: admin).status == 404)
            #expect(try await harness.call(.put, "/v1/identity-provider", key: harness.keys[.book], json: settings).status == 403)

            // Key sets must be at allowed addresses and must be key sets.
            for (url, code) in [("http://169.254.169.254/jwks", "destination_refused"), ("http://127.0.0.2:1/jwks", "destination_refused"),
                                ("http://127.0.0.1:\(provider.port.withLock { $0 })/none", "jwks_unreadable")] {
                let refused = try await harness.call(.put, "/v1/identity-provider", key: admin,
                                                     json: #"{"issuer": "https://login.clinic.example", "audience": "clinic-booking", "jwksUrl": "\#(url)"}"#)
                #expect(ServerHarness.problemCode(refused) == code, "\(url)")
            }
            #expect(try await harness.store.identityProviders().isEmpty)

            let made = try await harness.call(.put, "/v1/identity-provider", key: admin, json: settings)
            #expect(made.status == 200 && (made.body as? [String: Any])?["issuer"] as? String == "https://login.clinic.example")
            #expect(try await harness.call(.get, "/v1/identity-provider", key: harness.keys[.read]).status == 200)
            // Its tokens act for this tenant, with their scope — even one claiming the other tenant.
            let listed = try await harness.call(.get, "/v1/resources", key: token)
            #expect(listed.status == 200 && (listed.body as? [[String: Any]])?.map { $0["name"] as? String } == [harness.resource])
            #expect(try await harness.call(.put, "/v1/identity-provider", key: token, json: settings).status == 403, "book, not admin")
            let other = try await Self.token(key, kid: "t1", issuer: "https://login.clinic.example", audience: "another-app",
                                             tenant: harness.tenantName, scope: "switchboard:read")
            #expect(try await harness.call(.get, "/v1/resources", key: other).status == 401, "another audience")
            // Another tenant naming the same issuer (and audience) is not told it is taken, and
            // takes nothing: the issuer's tokens stay with the tenant that registered it first.
            let shadowed = try await harness.call(.put, "/v1/identity-provider", key: harness.otherTenantKey, json: settings)
            #expect(shadowed.status == 200)
            let stillOurs = try await harness.call(.get, "/v1/resources", key: token)
            #expect(stillOurs.status == 200 && (stillOurs.body as? [[String: Any]])?.map { $0["name"] as? String } == [harness.resource])
            #expect(try await harness.call(.delete, "/v1/identity-provider", key: harness.otherTenantKey).status == 204)

            #expect(try await harness.call(.delete, "/v1/identity-provider", key: admin).status == 204)
            #expect(try await harness.call(.get, "/v1/resources", key: token).status == 401)
            #expect(try await harness.call(.delete, "/v1/identity-provider", key: admin).status == 404)
        }
        await provider.stop()
    }
}
