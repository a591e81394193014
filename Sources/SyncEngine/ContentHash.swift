import Crypto

/// Short stable names from text: local ids that cannot come from a file name, and the
/// API's entity tags of stored objects (the first 16 bytes of SHA-256, in hex).
public enum ContentHash {
    public static func hex(of text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).prefix(16).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
