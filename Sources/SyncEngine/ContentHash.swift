import Crypto

/// Short stable names from text (for local ids that cannot come from a file name).
enum ContentHash {
    static func hex(of text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).prefix(16).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
