public import HTTPTransport
import Foundation

/// Who a share is for (the API's `shareType`).
public enum ShareKind: Sendable, Hashable {
    case user(String)
    case group(String)
    /// A public link, optionally with a password.
    case publicLink
    case email(String)

    var shareType: Int {
        switch self {
        case .user: 0
        case .group: 1
        case .publicLink: 3
        case .email: 4
        }
    }

    var shareWith: String? {
        switch self {
        case .user(let id), .group(let id), .email(let id): id
        case .publicLink: nil
        }
    }
}

/// What a share allows (the API's `permissions` bits).
public struct SharePermissions: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let read = SharePermissions(rawValue: 1)
    public static let update = SharePermissions(rawValue: 2)
    public static let create = SharePermissions(rawValue: 4)
    public static let delete = SharePermissions(rawValue: 8)
    public static let share = SharePermissions(rawValue: 16)
    public static let all: SharePermissions = [.read, .update, .create, .delete, .share]
}

/// A share as the files_sharing API describes one.
public struct NextcloudShare: Sendable, Hashable, Decodable {
    public var id: String
    public var shareType: Int
    public var shareWith: String?
    public var path: String?
    public var permissions: Int
    /// `YYYY-MM-DD 00:00:00`, when it expires.
    public var expiration: String?
    /// The public link (link and email shares).
    public var url: String?
    public var token: String?
    public var label: String
    public var note: String
    public var owner: String

    enum CodingKeys: String, CodingKey {
        case id, path, permissions, expiration, url, token, label, note
        case shareType = "share_type", shareWith = "share_with", owner = "uid_owner"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // Older servers send the id as a number.
        if let text = try? container.decode(String.self, forKey: .id) { id = text } else { id = String(try container.decode(Int.self, forKey: .id)) }
        shareType = try container.decode(Int.self, forKey: .shareType)
        shareWith = try container.decodeIfPresent(String.self, forKey: .shareWith)
        path = try container.decodeIfPresent(String.self, forKey: .path)
        permissions = try container.decode(Int.self, forKey: .permissions)
        expiration = try container.decodeIfPresent(String.self, forKey: .expiration)
        url = try container.decodeIfPresent(String.self, forKey: .url)
        token = try container.decodeIfPresent(String.self, forKey: .token)
        label = try container.decodeIfPresent(String.self, forKey: .label) ?? ""
        note = try container.decodeIfPresent(String.self, forKey: .note) ?? ""
        owner = try container.decodeIfPresent(String.self, forKey: .owner) ?? ""
    }
}

extension NextcloudShare {
    /// `user`, `group`, `link` or `email`; `other` for the kinds this client does not make
    /// (federated, circles, rooms, …).
    public var typeName: String { ShareKind.name(ofShareType: shareType) }
}

extension ShareKind {
    /// The name of a `shareType` number: `user`, `group`, `link`, `email` or `other`.
    static func name(ofShareType type: Int) -> String {
        switch type {
        case 0: "user"
        case 1: "group"
        case 3: "link"
        case 4: "email"
        default: "other"
        }
    }
}

/// Someone a file can be shared with, as the sharee search finds them.
public struct Sharee: Sendable, Hashable {
    /// What the server shows (a display name, a group's name, an address).
    public var label: String
    /// The share type to create for them (0 user, 1 group, 4 email, …).
    public var shareType: Int
    /// The value for `shareWith`.
    public var shareWith: String
    /// Whether the search text named them exactly.
    public var exact: Bool

    public init(label: String, shareType: Int, shareWith: String, exact: Bool) {
        self.label = label
        self.shareType = shareType
        self.shareWith = shareWith
        self.exact = exact
    }

    /// `user`, `group` or `email`; `other` for kinds this client does not share with.
    public var typeName: String { ShareKind.name(ofShareType: shareType) }
}

/// A share to make: the path (below the user's files), for whom, and its settings.
public struct NewNextcloudShare: Sendable, Hashable {
    public var path: String
    public var kind: ShareKind
    public var permissions: SharePermissions?
    public var password: String
    /// `YYYY-MM-DD`.
    public var expires: String?
    public var label: String
    public var note: String

    public init(path: String, kind: ShareKind, permissions: SharePermissions? = nil, password: String = "", expires: String? = nil, label: String = "",
                note: String = "") {
        self.path = path
        self.kind = kind
        self.permissions = permissions
        self.password = password
        self.expires = expires
        self.label = label
        self.note = note
    }
}

/// Shares: Nextcloud's files_sharing API (`/ocs/v2.php/apps/files_sharing/api/v1/…`).
extension OCSClient {
    struct ShareRequest: Encodable {
        var path: String
        var shareType: Int
        var shareWith: String?
        var permissions: Int?
        var password: String
        var expireDate: String?
        var label: String
        var note: String
    }

    struct ShareUpdate: Encodable {
        var permissions: Int?
        var password: String?
        var expireDate: String?
        var label: String?
        var note: String?
    }

    static let shares = "ocs/v2.php/apps/files_sharing/api/v1/shares"

    public func createShare(_ share: NewNextcloudShare) async throws(PlatformError) -> NextcloudShare {
        let request = ShareRequest(path: share.path, shareType: share.kind.shareType, shareWith: share.kind.shareWith, permissions: share.permissions?.rawValue,
                                   password: share.password, expireDate: share.expires, label: share.label, note: share.note)
        return try await send("POST", Self.shares, body: request, as: NextcloudShare.self)
    }

    /// The user's shares, those of `path` only when given.
    public func shares(path: String? = nil) async throws(PlatformError) -> [NextcloudShare] {
        try await send("GET", Self.shares, query: path.map { [URLQueryItem(name: "path", value: $0)] } ?? [], as: [NextcloudShare].self)
    }

    public func share(_ id: String) async throws(PlatformError) -> NextcloudShare {
        // The API answers a list of one.
        guard let share = try await send("GET", Self.shares + "/" + Self.segment(id), as: [NextcloudShare].self).first else {
            throw PlatformError(.notFound, platform: "Nextcloud", method: "GET", url: Self.shares + "/" + id, detail: "no share in the answer")
        }
        return share
    }

    /// Changes what is given; `expires` `""` removes the expiry.
    public func updateShare(_ id: String, permissions: SharePermissions? = nil, password: String? = nil, expires: String? = nil, label: String? = nil,
                            note: String? = nil) async throws(PlatformError) -> NextcloudShare {
        try await send("PUT", Self.shares + "/" + Self.segment(id),
                       body: ShareUpdate(permissions: permissions?.rawValue, password: password, expireDate: expires, label: label, note: note),
                       as: NextcloudShare.self)
    }

    public func deleteShare(_ id: String) async throws(PlatformError) {
        _ = try await send("DELETE", Self.shares + "/" + Self.segment(id), as: Nothing.self)
    }

    /// The sharee search's answer: exact matches, then the others, by kind.
    struct ShareeResult: Decodable {
        struct Item: Decodable {
            struct Value: Decodable { var shareType: Int; var shareWith: String }
            var label: String
            var value: Value
        }

        struct Lists: Decodable {
            var users: [Item]?
            var groups: [Item]?
            var emails: [Item]?
        }

        var exact: Lists
        var users: [Item]?
        var groups: [Item]?
        var emails: [Item]?
    }

    /// Users, groups and email addresses a file can be shared with whose name or id matches
    /// `search`: exact matches first, at most `limit` of the others.
    public func sharees(search: String, itemType: String = "file", limit: Int = 50) async throws(PlatformError) -> [Sharee] {
        let query = [URLQueryItem(name: "search", value: search), URLQueryItem(name: "itemType", value: itemType),
                     URLQueryItem(name: "page", value: "1"), URLQueryItem(name: "perPage", value: String(limit)),
                     URLQueryItem(name: "lookup", value: "false")]
        let result = try await send("GET", "ocs/v2.php/apps/files_sharing/api/v1/sharees", query: query, as: ShareeResult.self)
        func sharees(_ lists: [[ShareeResult.Item]?], exact: Bool) -> [Sharee] {
            lists.flatMap { $0 ?? [] }.map { Sharee(label: $0.label, shareType: $0.value.shareType, shareWith: $0.value.shareWith, exact: exact) }
        }
        return sharees([result.exact.users, result.exact.groups, result.exact.emails], exact: true)
            + sharees([result.users, result.groups, result.emails], exact: false)
    }

    /// Shares offered to the user that wait for acceptance.
    public func pendingShares() async throws(PlatformError) -> [NextcloudShare] {
        try await send("GET", Self.shares + "/pending", as: [NextcloudShare].self)
    }

    public func acceptShare(_ id: String) async throws(PlatformError) {
        _ = try await send("POST", Self.shares + "/pending/" + Self.segment(id), as: Nothing.self)
    }
}
