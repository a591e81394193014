import Crypto

/// Text digests as the store and the API write them: SHA-256 in lower-case hex (content
/// fingerprints, entity tags, the hashes secrets are kept as).
public enum Digest {
    /// The SHA-256 of `text`'s UTF-8 bytes, in lower-case hex (64 characters).
    public static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
