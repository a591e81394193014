public import Crypto
import Foundation

/// Signatures as the Standard Webhooks specification writes them: the message is
/// `id.timestamp.body`, signed with HMAC-SHA256 under the subscriber's secret
/// (`whsec_` and base64), sent as `webhook-signature: v1,<base64>` beside `webhook-id` and
/// `webhook-timestamp`, so receivers can use that specification's libraries to verify.
public enum WebhookSignature {
    /// A new secret (`whsec_` and 24 random bytes in base64).
    public static func newSecret() -> String {
        "whsec_" + SymmetricKey(size: .init(bitCount: 192)).withUnsafeBytes { Data($0) }.base64EncodedString()
    }

    /// The `webhook-signature` value for a message, or `nil` for a secret that is not `whsec_` base64.
    public static func sign(id: String, timestamp: Int64, body: [UInt8], secret: String) -> String? {
        guard secret.hasPrefix("whsec_"), let key = Data(base64Encoded: String(secret.dropFirst("whsec_".count))) else { return nil }
        var message = Array("\(id).\(timestamp).".utf8)
        message += body
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
        return "v1," + Data(mac).base64EncodedString()
    }

    /// Whether `header` (one or more space-separated `v1,…` signatures) holds the message's.
    public static func verify(_ header: String, id: String, timestamp: Int64, body: [UInt8], secret: String) -> Bool {
        guard let expected = sign(id: id, timestamp: timestamp, body: body, secret: secret) else { return false }
        return header.split(separator: " ").contains { Array($0.utf8) == Array(expected.utf8) }
    }
}
