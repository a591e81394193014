public import HTTPTransport
import Foundation

/// A Nextcloud user as the provisioning API describes one (`GET /cloud/users/{id}`): the
/// fields an integration reads; the API sends many more.
public struct NextcloudUser: Sendable, Hashable, Decodable {
    public var id: String
    public var displayName: String
    public var email: String?
    public var enabled: Bool
    public var groups: [String]
    public var language: String
    public var quota: Quota

    /// Storage use and limit, in bytes (`quota` is negative for "none set" or "unlimited").
    public struct Quota: Sendable, Hashable, Decodable {
        public var used: Int64?
        public var quota: Int64?

        enum CodingKeys: String, CodingKey { case used, quota }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            used = try? container.decodeIfPresent(Int64.self, forKey: .used)
            // A quota is a number, or the string "none" on some servers.
            quota = try? container.decodeIfPresent(Int64.self, forKey: .quota)
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, displayname, email, enabled, groups, language, quota
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        displayName = try container.decodeIfPresent(String.self, forKey: .displayname) ?? id
        email = try container.decodeIfPresent(String.self, forKey: .email)
        enabled = try container.decodeIfPresent(Bool.self, forKey: .enabled) ?? true
        groups = try container.decodeIfPresent([String].self, forKey: .groups) ?? []
        language = try container.decodeIfPresent(String.self, forKey: .language) ?? ""
        quota = try container.decodeIfPresent(Quota.self, forKey: .quota) ?? Quota.none
    }
}

extension NextcloudUser.Quota {
    static let none = try! JSONDecoder().decode(Self.self, from: Data("{}".utf8))
}

/// A user to create: the id, and what the administrator sets from the start.
public struct NewNextcloudUser: Sendable, Hashable, Encodable {
    public var userid: String
    /// Empty: Nextcloud mails the user a link to set one (then an email is required).
    public var password: String
    public var displayName: String
    public var email: String
    public var groups: [String]
    /// `"5 GB"`, `"none"`; empty: the default.
    public var quota: String
    public var language: String

    public init(id: String, password: String = "", displayName: String = "", email: String = "", groups: [String] = [], quota: String = "",
                language: String = "") {
        self.userid = id
        self.password = password
        self.displayName = displayName
        self.email = email
        self.groups = groups
        self.quota = quota
        self.language = language
    }
}

/// A field of a user that ``OCSClient/editUser(_:_:to:)`` sets (the provisioning API's keys).
public enum NextcloudUserField: String, Sendable, CaseIterable {
    case displayName = "displayname"
    case email
    case password
    case quota
    case language
    case locale
}

/// Users and groups: Nextcloud's provisioning API (`/ocs/v2.php/cloud/…`), for administrators
/// (and group sub-administrators within their groups).
extension OCSClient {
    struct UserIDs: Decodable { var users: [String] }
    struct GroupIDs: Decodable { var groups: [String] }
    struct Created: Decodable { var id: String }
    struct Field: Encodable { var key: String; var value: String }
    struct GroupName: Encodable { var groupid: String }
    struct NewGroup: Encodable { var groupid: String; var displayname: String }
    /// A `data` this client does not read (often `[]`).
    struct Nothing: Decodable { init(from decoder: any Decoder) {} }

    /// One page of user ids, those matching `search` (id, name or email) when given.
    public func users(search: String = "", limit: Int? = nil, offset: Int = 0) async throws(PlatformError) -> [String] {
        var query = [URLQueryItem(name: "search", value: search), URLQueryItem(name: "offset", value: String(offset))]
        if let limit { query.append(URLQueryItem(name: "limit", value: String(limit))) }
        return try await send("GET", "ocs/v2.php/cloud/users", query: query, as: UserIDs.self).users
    }

    /// Every user id (matching `search`), read `pageSize` at a time until a page comes back
    /// short. Pages are by offset, so users created or deleted meanwhile shift them: an id
    /// seen twice is kept once (one deleted meanwhile may shift another past the pager).
    public func allUsers(search: String = "", pageSize: Int = 500) async throws(PlatformError) -> [String] {
        var all: [String] = []
        var seen: Set<String> = []
        var offset = 0
        while true {
            let page = try await users(search: search, limit: pageSize, offset: offset)
            offset += page.count
            all += page.filter { seen.insert($0).inserted }
            if page.count < pageSize { return all }
        }
    }

    /// The signed-in user (what proves the credentials: the capabilities are public).
    public func currentUser() async throws(PlatformError) -> NextcloudUser {
        try await send("GET", "ocs/v2.php/cloud/user", as: NextcloudUser.self)
    }

    public func user(_ id: String) async throws(PlatformError) -> NextcloudUser {
        try await send("GET", "ocs/v2.php/cloud/users/" + Self.segment(id), as: NextcloudUser.self)
    }

    /// Creates the user; answers its id. A taken id is ``PlatformError/Code/invalid`` with OCS status 102.
    @discardableResult
    public func createUser(_ user: NewNextcloudUser) async throws(PlatformError) -> String {
        try await send("POST", "ocs/v2.php/cloud/users", body: user, as: Created.self).id
    }

    public func editUser(_ id: String, _ field: NextcloudUserField, to value: String) async throws(PlatformError) {
        _ = try await send("PUT", "ocs/v2.php/cloud/users/" + Self.segment(id), body: Field(key: field.rawValue, value: value), as: Nothing.self)
    }

    public func setUser(_ id: String, enabled: Bool) async throws(PlatformError) {
        _ = try await send("PUT", "ocs/v2.php/cloud/users/" + Self.segment(id) + (enabled ? "/enable" : "/disable"), as: Nothing.self)
    }

    public func deleteUser(_ id: String) async throws(PlatformError) {
        _ = try await send("DELETE", "ocs/v2.php/cloud/users/" + Self.segment(id), as: Nothing.self)
    }

    /// The groups the user is in.
    public func groups(ofUser id: String) async throws(PlatformError) -> [String] {
        try await send("GET", "ocs/v2.php/cloud/users/" + Self.segment(id) + "/groups", as: GroupIDs.self).groups
    }

    public func addUser(_ id: String, toGroup group: String) async throws(PlatformError) {
        _ = try await send("POST", "ocs/v2.php/cloud/users/" + Self.segment(id) + "/groups", body: GroupName(groupid: group), as: Nothing.self)
    }

    public func removeUser(_ id: String, fromGroup group: String) async throws(PlatformError) {
        _ = try await send("DELETE", "ocs/v2.php/cloud/users/" + Self.segment(id) + "/groups", query: [URLQueryItem(name: "groupid", value: group)],
                           as: Nothing.self)
    }

    /// Makes the user (or, with `false`, stops the user being) a sub-administrator of `group`.
    public func setSubadmin(_ id: String, of group: String, _ subadmin: Bool) async throws(PlatformError) {
        let path = "ocs/v2.php/cloud/users/" + Self.segment(id) + "/subadmins"
        if subadmin {
            _ = try await send("POST", path, body: GroupName(groupid: group), as: Nothing.self)
        } else {
            _ = try await send("DELETE", path, query: [URLQueryItem(name: "groupid", value: group)], as: Nothing.self)
        }
    }

    /// Sends the user the welcome mail again (it needs an email address).
    public func resendWelcome(_ id: String) async throws(PlatformError) {
        _ = try await send("POST", "ocs/v2.php/cloud/users/" + Self.segment(id) + "/welcome", as: Nothing.self)
    }

    /// One page of group ids, those matching `search` when given.
    public func groups(search: String = "", limit: Int? = nil, offset: Int = 0) async throws(PlatformError) -> [String] {
        var query = [URLQueryItem(name: "search", value: search), URLQueryItem(name: "offset", value: String(offset))]
        if let limit { query.append(URLQueryItem(name: "limit", value: String(limit))) }
        return try await send("GET", "ocs/v2.php/cloud/groups", query: query, as: GroupIDs.self).groups
    }

    public func createGroup(_ id: String, displayName: String = "") async throws(PlatformError) {
        _ = try await send("POST", "ocs/v2.php/cloud/groups", body: NewGroup(groupid: id, displayname: displayName), as: Nothing.self)
    }

    public func deleteGroup(_ id: String) async throws(PlatformError) {
        _ = try await send("DELETE", "ocs/v2.php/cloud/groups/" + Self.segment(id), as: Nothing.self)
    }

    /// The ids of the group's members.
    public func members(ofGroup id: String) async throws(PlatformError) -> [String] {
        try await send("GET", "ocs/v2.php/cloud/groups/" + Self.segment(id) + "/users", as: UserIDs.self).users
    }
}
