import ArgumentParser
import Foundation
import SwitchboardServer

/// How `switchboard serve` runs. Each key may come from the configuration file (`--config`,
/// JSON), from the environment, or from a flag, in rising precedence; docs/configuration.md
/// lists them all.
struct ServeSettings: Codable, Equatable {
    var host: String?
    var port: Int?
    var maxBodyBytes: Int?
    var answerLifetimeSeconds: Double?
    var rateLimitPerSecond: Double?
    var logFormat: String?
    var backgroundSync: Bool?
    var allowNetwork: [String]?
    var caFile: String?
    var oidcIssuer: String?
    var oidcAudience: String?
    var oidcJWKSURL: String?
    var publicURL: String?
    /// The bearer token `/metrics` asks of scrapers not on this machine (file or environment
    /// only: a secret does not belong in a command line).
    var metricsToken: String?
    /// The folder of the sentence embedding model (`scripts/install-model`): indexes store
    /// vectors and searches rank by meaning too. Keyword search only without it.
    var embeddingModel: String?
    /// An OpenAI-compatible embeddings API to embed with instead (`embeddingModel` then names
    /// the server's model).
    var embeddingServer: String?
    /// The bearer token of `embeddingServer` (file or environment only).
    var embeddingAPIKey: String?

    /// The keys a configuration file may hold.
    static let keys: Set<String> = [
        "host", "port", "maxBodyBytes", "answerLifetimeSeconds", "rateLimitPerSecond", "logFormat", "backgroundSync", "allowNetwork", "caFile",
        "oidcIssuer", "oidcAudience", "oidcJWKSURL", "publicURL", "metricsToken", "embeddingModel",
        "embeddingServer", "embeddingAPIKey",
    ]

    /// The settings in a JSON file; a key this program does not know is refused (a typo
    /// must not silently leave a default in force).
    static func file(_ path: String) throws -> ServeSettings {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read the configuration file \(path)") }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ValidationError("\(path) is not a JSON object")
        }
        if let unknown = object.keys.sorted().first(where: { !keys.contains($0) }) {
            throw ValidationError("\(path): unknown key \"\(unknown)\" (known: \(keys.sorted().joined(separator: ", ")))")
        }
        do {
            return try JSONDecoder().decode(ServeSettings.self, from: data)
        } catch {
            throw ValidationError("\(path): \(error)")
        }
    }

    /// The settings given in the environment.
    static func environment(_ environment: [String: String]) throws -> ServeSettings {
        var settings = ServeSettings()
        func number<T: LosslessStringConvertible>(_ variable: String) throws -> T? {
            guard let text = environment[variable] else { return nil }
            guard let value = T(text) else { throw ValidationError("\(variable)=\(text) is not a number") }
            return value
        }
        settings.host = environment["SWITCHBOARD_HOST"]
        settings.port = try number("SWITCHBOARD_PORT")
        settings.maxBodyBytes = try number("SWITCHBOARD_MAX_BODY_BYTES")
        settings.answerLifetimeSeconds = try number("SWITCHBOARD_ANSWER_LIFETIME")
        settings.rateLimitPerSecond = try number("SWITCHBOARD_RATE_LIMIT")
        settings.logFormat = environment["SWITCHBOARD_LOG_FORMAT"]
        if let text = environment["SWITCHBOARD_BACKGROUND_SYNC"] {
            guard let value = ["true": true, "1": true, "false": false, "0": false][text.lowercased()] else {
                throw ValidationError("SWITCHBOARD_BACKGROUND_SYNC=\(text) is not true or false")
            }
            settings.backgroundSync = value
        }
        settings.allowNetwork = environment["SWITCHBOARD_ALLOW_NETWORK"].map {
            $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        settings.caFile = environment["SWITCHBOARD_CA_FILE"]
        settings.oidcIssuer = environment["SWITCHBOARD_OIDC_ISSUER"]
        settings.oidcAudience = environment["SWITCHBOARD_OIDC_AUDIENCE"]
        settings.oidcJWKSURL = environment["SWITCHBOARD_OIDC_JWKS_URL"]
        settings.publicURL = environment["SWITCHBOARD_PUBLIC_URL"]
        settings.metricsToken = environment["SWITCHBOARD_METRICS_TOKEN"]
        settings.embeddingModel = environment["SWITCHBOARD_EMBEDDING_MODEL"]
        settings.embeddingServer = environment["SWITCHBOARD_EMBEDDING_SERVER"]
        settings.embeddingAPIKey = environment["SWITCHBOARD_EMBEDDING_API_KEY"]
        return settings
    }

    /// The OIDC provider, when all three of its settings are given (some of them is a mistake).
    func oidc() throws -> OIDCConfiguration? {
        switch (oidcIssuer, oidcAudience, oidcJWKSURL) {
        case (nil, nil, nil):
            return nil
        case (let issuer?, let audience?, let jwks?):
            guard let url = URL(string: jwks), url.scheme == "https" || url.scheme == "http" else { throw ValidationError("oidcJWKSURL is not a URL: \(jwks)") }
            return OIDCConfiguration(issuer: issuer, audience: audience, jwksURL: url)
        default:
            throw ValidationError("give oidcIssuer, oidcAudience and oidcJWKSURL together")
        }
    }

    /// These settings with `other`'s given values in place of these.
    func overlaid(by other: ServeSettings) -> ServeSettings {
        ServeSettings(host: other.host ?? host, port: other.port ?? port, maxBodyBytes: other.maxBodyBytes ?? maxBodyBytes,
                      answerLifetimeSeconds: other.answerLifetimeSeconds ?? answerLifetimeSeconds,
                      rateLimitPerSecond: other.rateLimitPerSecond ?? rateLimitPerSecond, logFormat: other.logFormat ?? logFormat,
                      backgroundSync: other.backgroundSync ?? backgroundSync,
                      allowNetwork: (allowNetwork ?? []) + (other.allowNetwork ?? []), caFile: other.caFile ?? caFile,
                      oidcIssuer: other.oidcIssuer ?? oidcIssuer, oidcAudience: other.oidcAudience ?? oidcAudience,
                      oidcJWKSURL: other.oidcJWKSURL ?? oidcJWKSURL, publicURL: other.publicURL ?? publicURL,
                      metricsToken: other.metricsToken ?? metricsToken, embeddingModel: other.embeddingModel ?? embeddingModel,
                      embeddingServer: other.embeddingServer ?? embeddingServer, embeddingAPIKey: other.embeddingAPIKey ?? embeddingAPIKey)
    }

    /// Where the server is reached from outside, checked.
    func reachableURL() throws -> URL? {
        guard let publicURL else { return nil }
        guard let url = URL(string: publicURL), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil,
              url.query == nil, url.fragment == nil
        else { throw ValidationError("publicURL is not an http or https URL without query: \(publicURL)") }
        return url
    }
}
