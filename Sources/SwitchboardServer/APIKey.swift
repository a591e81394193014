import Crypto
import Foundation

/// API keys (and feed tokens): a prefix and 32 random bytes (base64url), shown once when
/// made; the store keeps only their SHA-256, so a copy of the database opens nothing.
public enum APIKey {
    /// A new key (`sb_…`, or with another prefix) and its hash.
    public static func generate(prefix: String = "sb_") -> (key: String, hash: String) {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let key = prefix + bytes.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return (key, hash(key))
    }

    /// The hash a key is stored and found by (SHA-256, hex).
    public static func hash(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}
