import Foundation
import Crypto
import SyncPlanning

/// Secrets handed out once and kept only as their SHA-256 (API keys, feed tokens, the
/// secret a push subscription's calls carry): a prefix and 32 random bytes (base64url).
/// A copy of the database opens nothing.
public enum SecretToken {
    /// A new token (`sb_…` for API keys, or with another prefix) and its hash.
    public static func generate(prefix: String = "sb_") -> (token: String, hash: String) {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let token = prefix + bytes.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return (token, hash(token))
    }

    /// The hash a token is stored and found by (SHA-256, hex).
    public static func hash(_ token: String) -> String { Digest.sha256Hex(token) }
}
