import SyncPlanning

/// Short stable names from text: local ids that cannot come from a file name, and the
/// API's entity tags of stored objects (the first 16 bytes of SHA-256, in hex).
public enum ContentHash {
    public static func hex(of text: String) -> String { String(Digest.sha256Hex(text).prefix(32)) }
}
