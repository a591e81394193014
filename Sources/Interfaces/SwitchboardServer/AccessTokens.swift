public import Foundation
import DAVClient
import HTTPTransport
import JWTKit
import NIOCore
import NIOHTTP1
import Synchronization
import SwitchboardStore

/// An OpenID Connect provider whose access tokens (JWTs) the API accepts beside API keys.
/// A token must be signed by a key of the provider's JWKS, come from `issuer`, be meant for
/// `audience`, be within its validity (`exp`, `nbf`, a minute of leeway), name its tenant in
/// the `switchboard_tenant` claim (a tenant's name) and grant a scope in `scope`
/// (`switchboard:read`, `switchboard:book` or `switchboard:admin`; the highest counts).
public struct OIDCConfiguration: Sendable, Hashable {
    public var issuer: String
    public var audience: String
    public var jwksURL: URL
    /// The shortest time between two fetches of the JWKS (a token naming an unknown key
    /// makes the server fetch it again, once this has passed).
    public var keyRefreshInterval: Duration
    /// The algorithm of the provider's RSA keys that name none (`RS256`, as OpenID Connect
    /// signs by default; `PS256` and the like where the provider says so). EC keys take
    /// the algorithm of their curve, OKP keys EdDSA. Never chosen by a token.
    public var rsaAlgorithm: String

    public init(issuer: String, audience: String, jwksURL: URL, keyRefreshInterval: Duration = .seconds(30), rsaAlgorithm: String = "RS256") {
        self.issuer = issuer
        self.audience = audience
        self.jwksURL = jwksURL
        self.keyRefreshInterval = keyRefreshInterval
        self.rsaAlgorithm = rsaAlgorithm
    }
}

/// The claims of an access token the server reads.
struct AccessTokenClaims: JWTPayload {
    var iss: IssuerClaim
    var aud: AudienceClaim
    var exp: ExpirationClaim
    var nbf: NotBeforeClaim?
    var sub: SubjectClaim
    var scope: String?
    var switchboard_tenant: String?

    /// What the signature check also checks: the token is within its validity.
    func verify(using algorithm: some JWTAlgorithm) async throws {
        let now = Date()
        try exp.verifyNotExpired(currentDate: now.addingTimeInterval(-60))
        try nbf?.verifyNotBefore(currentDate: now.addingTimeInterval(60))
    }
}

/// Verifies access tokens against the provider's keys, fetched from its JWKS URL when first
/// needed and again when a token names a key not seen yet (at most once per
/// `keyRefreshInterval`, so forged key ids cannot make the server hammer the provider).
///
/// The operator's provider names each token's tenant in its `switchboard_tenant` claim; a
/// tenant's own provider (`tenantID`) acts for that tenant only, whatever its tokens claim,
/// and its keys are fetched under the tenants' network policy.
final class AccessTokenVerifier: Sendable {
    let configuration: OIDCConfiguration
    /// The tenant whose own provider this is, or `nil` for the operator's.
    let tenantID: String?
    let networkPolicy: NetworkPolicy?
    private let keys = Mutex<Keys>(Keys())

    /// The provider's keys as last fetched.
    struct Keys {
        var collection = JWTKeyCollection()
        /// The key ids the collection holds (jwt-kit falls back to its default key for an
        /// unknown id, so ids are checked here first).
        var ids: Set<String> = []
        var fetched: ContinuousClock.Instant?
    }

    init(configuration: OIDCConfiguration, tenantID: String? = nil, networkPolicy: NetworkPolicy? = nil) {
        self.configuration = configuration
        self.tenantID = tenantID
        self.networkPolicy = networkPolicy
    }

    /// The principal a token stands for; `nil` when it is not a valid token of the provider
    /// for a known tenant with a scope.
    func principal(for token: String, tenants: () async throws -> [TenantRecord]) async -> Principal? {
        guard let claims = await verified(token) else { return nil }
        guard claims.iss.value == configuration.issuer, (try? claims.aud.verifyIntendedAudience(includes: configuration.audience)) != nil
        else { return nil }
        let tenantID: String
        if let own = self.tenantID {
            tenantID = own
        } else {
            guard let tenantName = claims.switchboard_tenant, let tenant = try? await tenants().first(where: { $0.name == tenantName }) else {
                return nil
            }
            tenantID = tenant.id
        }
        let granted = Set((claims.scope ?? "").split(separator: " ").map(String.init))
        guard let scope = APIScope.allCases.reversed().first(where: { granted.contains("switchboard:" + $0.rawValue) }) else { return nil }
        return Principal(tenantID: tenantID, scope: scope, keyID: "oidc:" + (self.tenantID.map { $0 + ":" } ?? "") + claims.sub.value)
    }

    /// The token's claims when its signature and validity hold, fetching keys as needed: a
    /// token must name a key of the provider (`kid`), unless the provider has only one.
    private func verified(_ token: String) async -> AccessTokenClaims? {
        let kid = Self.keyID(of: token)
        if !knows(kid) {
            await refreshKeys()
            guard knows(kid) else { return nil }
        }
        let collection = keys.withLock { $0.collection }
        return try? await collection.verify(token, as: AccessTokenClaims.self)
    }

    /// Whether the keys hold `kid` (or, for a token naming none, are one key).
    private func knows(_ kid: String?) -> Bool {
        keys.withLock { kid.map($0.ids.contains) ?? ($0.ids.count == 1) }
    }

    /// The `kid` of a token's header, if it has one.
    static func keyID(of token: String) -> String? {
        part(0, of: token)?["kid"] as? String
    }

    /// The issuer and audiences a token claims, read without checking anything: to choose
    /// the provider whose keys then check it.
    static func claimedIssuer(of token: String) -> (issuer: String, audiences: [String])? {
        guard let payload = part(1, of: token), let issuer = payload["iss"] as? String else { return nil }
        let audiences = (payload["aud"] as? [String]) ?? (payload["aud"] as? String).map { [$0] } ?? []
        return (issuer, audiences)
    }

    /// A token's header (0) or payload (1) as a JSON object.
    private static func part(_ index: Int, of token: String) -> [String: Any]? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var base64 = parts[index].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    /// Fetches the JWKS again unless it was fetched within `keyRefreshInterval`.
    private func refreshKeys() async {
        let now = ContinuousClock.now
        let due = keys.withLock { state in
            guard state.fetched.map({ now - $0 >= configuration.keyRefreshInterval }) ?? true else { return false }
            state.fetched = now
            return true
        }
        guard due else { return }
        do {
            let jwks = JWKSDocument.pinningAlgorithms(
                try await JWKSDocument.fetch(configuration.jwksURL, policy: networkPolicy), rsa: configuration.rsaAlgorithm)
            let collection = JWTKeyCollection()
            try await collection.add(jwks: jwks)
            let ids = Set(jwks.keys.compactMap { $0.keyIdentifier?.string })
            keys.withLock { state in
                state.collection = collection
                state.ids = ids
            }
        } catch {
            return
        }
    }
}

/// A provider's signing keys (JSON Web Key Set, RFC 7517).
enum JWKSDocument {
    /// The key set with every key's algorithm fixed: a key that names none gets the one its
    /// type stands for here (RSA: `rsa`; EC: its curve's; OKP: EdDSA) and a key whose type
    /// has no algorithm here is left out. jwt-kit pins an algorithm-less key to the
    /// algorithm of the first token checked with it, so without this one token could
    /// choose the algorithm every later token must use.
    static func pinningAlgorithms(_ jwks: JWKS, rsa: String) -> JWKS {
        JWKS(keys: jwks.keys.compactMap { key in
            guard key.algorithm == nil else { return key }
            var pinned = key
            switch (key.keyType, key.curve?.rawValue) {
            case (.rsa, _): pinned.algorithm = JWK.Algorithm(rawValue: rsa)
            case (.ecdsa, "P-256"?): pinned.algorithm = .es256
            case (.ecdsa, "P-384"?): pinned.algorithm = .es384
            case (.ecdsa, "P-521"?): pinned.algorithm = .es512
            case (.octetKeyPair, "Ed25519"?): pinned.algorithm = .eddsa
            default: return nil
            }
            return pinned.algorithm == nil ? nil : pinned
        })
    }

    /// Why a key set could not be had.
    enum Failure: Error, CustomStringConvertible {
        /// The URL is not allowed by the network policy (nothing was sent).
        case refused(HTTPError)
        /// No answer, another status, or not a key set with a usable key.
        case unreadable(String)

        var description: String {
            switch self {
            case .refused(let error): error.description
            case .unreadable(let why): why
            }
        }
    }

    /// The key set at `url`, fetched through the HTTP layer the calendar clients use: one
    /// attempt, 10 seconds, 1 MiB, held to `policy` (when given) before the request and at
    /// every redirect.
    static func fetch(_ url: URL, policy: NetworkPolicy?) async throws(Failure) -> JWKS {
        var configuration = ClientConfiguration()
        configuration.networkPolicy = policy
        configuration.retry = .none
        configuration.connectTimeout = 5
        configuration.requestTimeout = 10
        configuration.maxResponseBytes = 1 << 20
        let response: HTTPResponse
        do {
            response = try await HTTPTransport.withTransport(configuration: configuration) { transport in
                try await transport.send(HTTPRequest(method: "GET", url: url, headers: ["Accept": "application/json"]))
            }
        } catch let error as HTTPError where error.code == .destinationRefused {
            throw .refused(error)
        } catch {
            throw .unreadable("\(error)")
        }
        guard response.status == 200 else { throw .unreadable("GET \(url) answered \(response.status)") }
        guard let jwks = try? JSONDecoder().decode(JWKS.self, from: Data(response.body)), !jwks.keys.isEmpty else {
            throw .unreadable("\(url) is not a JSON Web Key Set with keys")
        }
        return jwks
    }
}
