public import Foundation

/// What a Zulip outgoing-webhook bot posts when it is mentioned or messaged (the
/// `zulip-outgoing-webhook` payload): the message, what triggered it, and the bot's token.
public struct ZulipOutgoingWebhook: Sendable, Hashable, Decodable {
    public var botEmail: String
    /// `mention` or `direct_message` (`private_message` before Zulip 8).
    public var trigger: String
    /// The message's text with the bot's mention removed.
    public var data: String
    public var token: String
    public var message: ZulipMessage

    enum CodingKeys: String, CodingKey { case bot_email, trigger, data, token, message }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        botEmail = try container.decode(String.self, forKey: .bot_email)
        trigger = try container.decode(String.self, forKey: .trigger)
        data = try container.decode(String.self, forKey: .data)
        token = try container.decode(String.self, forKey: .token)
        message = try container.decode(ZulipMessage.self, forKey: .message)
    }

    /// Whether the payload carries `expected`, compared in time that does not depend on
    /// where they differ.
    public func hasToken(_ expected: String) -> Bool {
        let given = Array(token.utf8)
        let wanted = Array(expected.utf8)
        var difference = UInt8(truncatingIfNeeded: given.count ^ wanted.count)
        for index in 0..<max(given.count, wanted.count) {
            difference |= (index < given.count ? given[index] : 0) ^ (index < wanted.count ? wanted[index] : 0)
        }
        return difference == 0 && !wanted.isEmpty
    }
}
