import Crypto
import Foundation
import SwitchboardTestSupport
import SwitchboardStore
import Testing

@Suite struct SecretBoxTests {
    private func temporaryKeyFile() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-key-\(UUID().uuidString)/secret.key")
    }

    @Test func sealedSecretsOpenOnlyWithTheirKey() throws {
        let box = try SecretBox(key: SymmetricKey(size: .bits256))
        let sealed = try box.seal("hunter2 ünïcode")
        #expect(!String(decoding: sealed, as: UTF8.self).contains("hunter2"))
        #expect(try box.open(sealed) == "hunter2 ünïcode")
        #expect(try box.seal("hunter2") != box.seal("hunter2"), "a fresh nonce per seal")

        let other = try SecretBox(key: SymmetricKey(size: .bits256))
        #expect(throws: SecretError.openFailed) { try other.open(sealed) }
        var tampered = sealed
        tampered[tampered.count / 2] ^= 1
        #expect(throws: SecretError.openFailed) { try box.open(tampered) }
        #expect(throws: SecretError.self) { try SecretBox(key: SymmetricKey(size: .bits128)) }
    }

    @Test func aKeyFileIsGeneratedOnceWithOwnerOnlyMode() async throws {
        let file = temporaryKeyFile()
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let first = try SecretBox.loadKey(environment: [:], keyFile: file)
        let mode = try #require(FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? NSNumber)
        #expect(mode.intValue == 0o600)
        let again = try SecretBox.loadKey(environment: [:], keyFile: file)
        #expect(first == again)

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        let error = await thrownError(SecretError.self) { _ = try SecretBox.loadKey(environment: [:], keyFile: file) }
        #expect(error?.description.contains("readable by others") == true)
    }

    @Test func theEnvironmentKeyWinsAndIsChecked() throws {
        let key = SymmetricKey(size: .bits256)
        let encoded = key.withUnsafeBytes { Data($0).base64EncodedString() }
        let file = temporaryKeyFile()
        #expect(try SecretBox.loadKey(environment: ["SWITCHBOARD_SECRET_KEY": encoded], keyFile: file) == key)
        #expect(!FileManager.default.fileExists(atPath: file.path))
        #expect(throws: SecretError.self) { try SecretBox.loadKey(environment: ["SWITCHBOARD_SECRET_KEY": "c2hvcnQ="], keyFile: file) }
    }
}
