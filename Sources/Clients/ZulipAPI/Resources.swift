public import Foundation

/// Where a message goes: a stream's topic, or people directly.
public enum ZulipDestination: Sendable, Hashable {
    case stream(String, topic: String)
    /// Users by email (or user id as text).
    case direct([String])
}

/// A message as fetched.
public struct ZulipMessage: Sendable, Hashable, Decodable {
    public var id: Int
    public var senderID: Int
    public var senderEmail: String
    public var senderName: String
    public var content: String
    /// The topic (Zulip's `subject`); empty for a direct message.
    public var topic: String
    /// The stream's id, for a stream message.
    public var streamID: Int?
    /// The stream's name for a stream message, else the recipients' emails.
    public var recipients: [String]
    public var timestamp: Date
    public var flags: [String]

    enum CodingKeys: String, CodingKey {
        case id, sender_id, sender_email, sender_full_name, content, subject, stream_id, display_recipient, timestamp, flags
    }
    struct Recipient: Decodable { var email: String }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        senderID = try container.decode(Int.self, forKey: .sender_id)
        senderEmail = try container.decode(String.self, forKey: .sender_email)
        senderName = try container.decodeIfPresent(String.self, forKey: .sender_full_name) ?? senderEmail
        content = try container.decode(String.self, forKey: .content)
        topic = try container.decodeIfPresent(String.self, forKey: .subject) ?? ""
        streamID = try container.decodeIfPresent(Int.self, forKey: .stream_id)
        if let stream = try? container.decode(String.self, forKey: .display_recipient) {
            recipients = [stream]
        } else {
            recipients = try container.decodeIfPresent([Recipient].self, forKey: .display_recipient)?.map(\.email) ?? []
        }
        timestamp = Date(timeIntervalSince1970: try container.decode(Double.self, forKey: .timestamp))
        flags = try container.decodeIfPresent([String].self, forKey: .flags) ?? []
    }
}

/// A stream (channel).
public struct ZulipStream: Sendable, Hashable, Decodable {
    public var id: Int
    public var name: String
    public var description: String
    public var inviteOnly: Bool

    enum CodingKeys: String, CodingKey { case stream_id, name, description, invite_only }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .stream_id)
        name = try container.decode(String.self, forKey: .name)
        description = try container.decodeIfPresent(String.self, forKey: .description) ?? ""
        inviteOnly = try container.decodeIfPresent(Bool.self, forKey: .invite_only) ?? false
    }
}

/// A user or bot of the organisation.
public struct ZulipUser: Sendable, Hashable, Decodable {
    public var id: Int
    public var email: String
    public var fullName: String
    public var isActive: Bool
    public var isBot: Bool
    /// 100 owner, 200 administrator, 300 moderator, 400 member, 600 guest.
    public var role: Int?

    enum CodingKeys: String, CodingKey { case user_id, email, full_name, is_active, is_bot, role }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .user_id)
        email = try container.decode(String.self, forKey: .email)
        fullName = try container.decodeIfPresent(String.self, forKey: .full_name) ?? email
        isActive = try container.decodeIfPresent(Bool.self, forKey: .is_active) ?? true
        isBot = try container.decodeIfPresent(Bool.self, forKey: .is_bot) ?? false
        role = try container.decodeIfPresent(Int.self, forKey: .role)
    }
}

/// A user group.
public struct ZulipUserGroup: Sendable, Hashable, Decodable {
    public var id: Int
    public var name: String
    public var description: String
    public var members: [Int]
}

/// A topic of a stream and its newest message.
public struct ZulipTopic: Sendable, Hashable, Decodable {
    public var name: String
    public var lastMessageID: Int

    enum CodingKeys: String, CodingKey { case name, max_id }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        lastMessageID = try container.decode(Int.self, forKey: .max_id)
    }
}

/// The server's version and the organisation it serves (`GET /server_settings`).
public struct ZulipServerSettings: Sendable, Hashable, Decodable {
    public var zulipVersion: String
    public var featureLevel: Int?
    public var realmName: String?

    enum CodingKeys: String, CodingKey { case zulip_version, zulip_feature_level, realm_name }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        zulipVersion = try container.decode(String.self, forKey: .zulip_version)
        featureLevel = try container.decodeIfPresent(Int.self, forKey: .zulip_feature_level)
        realmName = try container.decodeIfPresent(String.self, forKey: .realm_name)
    }
}

/// Which messages to fetch: Zulip's narrow terms, encoded as JSON by an encoder.
public enum ZulipNarrow: Sendable, Hashable, Encodable {
    case stream(String)
    case topic(String)
    case sender(String)
    /// Full-text search.
    case search(String)
    /// `is:` a flag or kind: `starred`, `mentioned`, `unread`, `dm`.
    case `is`(String)

    var term: (String, String) {
        switch self {
        case .stream(let name): ("stream", name)
        case .topic(let name): ("topic", name)
        case .sender(let email): ("sender", email)
        case .search(let text): ("search", text)
        case .is(let flag): ("is", flag)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(["operator": term.0, "operand": term.1])
    }
}
