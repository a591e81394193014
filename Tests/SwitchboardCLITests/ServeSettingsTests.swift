import ArgumentParser
import Foundation
@testable import SwitchboardCLI
import SwitchboardServer
import Testing

/// `serve`'s settings: file, then environment, then flags.
@Suite struct ServeSettingsTests {
    static func file(_ json: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString).json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func flagsOverTheEnvironmentOverTheFile() throws {
        let path = try Self.file(#"{"host": "10.0.0.5", "port": 9000, "rateLimitPerSecond": 20, "allowNetwork": ["10.0.0.0/8"], "logFormat": "text"}"#)
        let command = try ServeCommand.parse(["--config", path, "--host", "0.0.0.0", "--no-background-sync"])
        let settings = try command.settings(environment: ["SWITCHBOARD_PORT": "9100", "SWITCHBOARD_RATE_LIMIT": "5", "SWITCHBOARD_ALLOW_NETWORK": "127.0.0.1"])
        #expect(settings.host == "0.0.0.0" && settings.port == 9100 && settings.rateLimitPerSecond == 5)
        #expect(settings.logFormat == "text" && settings.backgroundSync == false)
        #expect(settings.allowNetwork == ["10.0.0.0/8", "127.0.0.1"])
        #expect(settings.maxBodyBytes == nil, "left to the default")
    }

    @Test func mistakesAreNamed() throws {
        let typo = try Self.file(#"{"prot": 9000}"#)
        #expect(throws: (any Error).self) { try ServeCommand.parse(["--config", typo]).settings(environment: [:]) }
        let wrongType = try Self.file(#"{"port": "nine"}"#)
        #expect(throws: (any Error).self) { try ServeCommand.parse(["--config", wrongType]).settings(environment: [:]) }
        #expect(throws: (any Error).self) { try ServeCommand.parse([]).settings(environment: ["SWITCHBOARD_PORT": "eighty"]) }
        #expect(throws: (any Error).self) { try ServeCommand.parse([]).settings(environment: ["SWITCHBOARD_BACKGROUND_SYNC": "maybe"]) }
        #expect(try ServeCommand.parse([]).settings(environment: [:]) == ServeSettings(allowNetwork: []))
        let partOfOIDC = try ServeCommand.parse(["--oidc-issuer", "https://id.example.org"]).settings(environment: [:])
        #expect(throws: (any Error).self) { try partOfOIDC.oidc() }
        let oidc = try ServeCommand.parse(["--oidc-issuer", "https://id.example.org", "--oidc-audience", "switchboard"])
            .settings(environment: ["SWITCHBOARD_OIDC_JWKS_URL": "https://id.example.org/jwks"]).oidc()
        #expect(oidc?.jwksURL.absoluteString == "https://id.example.org/jwks" && oidc?.audience == "switchboard")
        #expect(throws: (any Error).self) { try ServeCommand.parse(["--public-url", "switchboard.example.com"]).settings(environment: [:]).reachableURL() }
        let reachable = try ServeCommand.parse([]).settings(environment: ["SWITCHBOARD_PUBLIC_URL": "https://sb.example.com/"]).reachableURL()
        #expect(reachable?.absoluteString == "https://sb.example.com/")
    }
}
