public import Crypto
public import Foundation

/// Seals secrets (upstream passwords, tokens) with AES-256-GCM under the operator's key, so
/// the store never holds one in plain text.
public struct SecretBox: Sendable {
    private let key: SymmetricKey

    /// A box over a 256-bit key.
    public init(key: SymmetricKey) throws(SecretError) {
        guard key.bitCount == 256 else { throw SecretError.badKey("the key has \(key.bitCount) bits, not 256") }
        self.key = key
    }

    /// The sealed form of `secret`: nonce, ciphertext and tag.
    public func seal(_ secret: String) throws(SecretError) -> [UInt8] {
        do {
            guard let combined = try AES.GCM.seal(Array(secret.utf8), using: key).combined else {
                throw SecretError.sealFailed
            }
            return Array(combined)
        } catch {
            throw SecretError.sealFailed
        }
    }

    /// The secret back; a wrong key or altered bytes fail authentication.
    public func open(_ sealed: [UInt8]) throws(SecretError) -> String {
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            let bytes = try AES.GCM.open(box, using: key)
            return String(decoding: bytes, as: UTF8.self)
        } catch {
            throw SecretError.openFailed
        }
    }

    /// The operator's key: `SWITCHBOARD_SECRET_KEY` (base64 of 32 bytes), else the key file
    /// at `keyFile`, else a new random key written there with mode 0600.
    public static func loadKey(environment: [String: String], keyFile: URL) throws(SecretError) -> SymmetricKey {
        if let encoded = environment["SWITCHBOARD_SECRET_KEY"] {
            return try key(fromBase64: encoded, source: "SWITCHBOARD_SECRET_KEY")
        }
        let path = keyFile.path
        if FileManager.default.fileExists(atPath: path) {
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            if let mode = (attributes?[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0 {
                throw SecretError.badKey("\(path) is readable by others (mode \(String(mode, radix: 8))); chmod 600 it")
            }
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw SecretError.badKey("\(path) cannot be read")
            }
            return try key(fromBase64: text, source: path)
        }
        let key = SymmetricKey(size: .bits256)
        let encoded = key.withUnsafeBytes { Data($0).base64EncodedString() } + "\n"
        let directory = keyFile.deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw SecretError.badKey("cannot create \(directory): \(error)")
        }
        guard FileManager.default.createFile(atPath: path, contents: Data(encoded.utf8), attributes: [.posixPermissions: 0o600])
        else { throw SecretError.badKey("cannot write \(path)") }
        return key
    }

    private static func key(fromBase64 text: String, source: String) throws(SecretError) -> SymmetricKey {
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else {
            throw SecretError.badKey("\(source) is not the base64 of 32 bytes")
        }
        return SymmetricKey(data: data)
    }
}

/// Why a secret could not be sealed or opened.
public enum SecretError: Error, Sendable, Hashable, CustomStringConvertible {
    case badKey(String)
    case sealFailed
    /// Wrong key or altered bytes.
    case openFailed

    public var description: String {
        switch self {
        case .badKey(let why): "secret key: \(why)"
        case .sealFailed: "secret could not be sealed"
        case .openFailed: "secret could not be opened: wrong key (SWITCHBOARD_SECRET_KEY or key file) or damaged data"
        }
    }
}
