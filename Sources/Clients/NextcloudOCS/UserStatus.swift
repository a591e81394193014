public import HTTPTransport
public import Foundation

/// A user's status (the user_status app): online, away, do not disturb…, with a message.
public struct NextcloudUserStatus: Sendable, Hashable, Decodable {
    /// `online`, `away`, `dnd`, `busy`, `offline` or `invisible`.
    public var status: String
    public var userId: String
    public var message: String?
    public var icon: String?
    /// When the message clears itself (seconds since 1970).
    public var clearAt: Int64?
}

/// What a user sets their status to.
public enum NextcloudStatusType: String, Sendable, Hashable, CaseIterable {
    case online, away, dnd, invisible, offline
}

/// The user_status app (`/ocs/v2.php/apps/user_status/api/v1/…`).
extension OCSClient {
    static let userStatus = "ocs/v2.php/apps/user_status/api/v1"

    /// The signed-in user's status.
    public func currentStatus() async throws(PlatformError) -> NextcloudUserStatus {
        try await send("GET", Self.userStatus + "/user_status", as: NextcloudUserStatus.self)
    }

    /// Another user's status, as others see it.
    public func status(of userID: String) async throws(PlatformError) -> NextcloudUserStatus {
        try await send("GET", Self.userStatus + "/statuses/" + Self.segment(userID), as: NextcloudUserStatus.self)
    }

    /// Sets the signed-in user's status.
    public func setStatus(_ type: NextcloudStatusType) async throws(PlatformError) -> NextcloudUserStatus {
        struct Body: Encodable { var statusType: String }
        return try await send("PUT", Self.userStatus + "/user_status/status", body: Body(statusType: type.rawValue), as: NextcloudUserStatus.self)
    }

    /// Sets the signed-in user's own message, cleared at `clearAt` when given.
    public func setStatusMessage(_ message: String, icon: String? = nil, clearAt: Date? = nil) async throws(PlatformError) -> NextcloudUserStatus {
        struct Body: Encodable { var message: String; var statusIcon: String?; var clearAt: Int64? }
        return try await send("PUT", Self.userStatus + "/user_status/message/custom",
                              body: Body(message: message, statusIcon: icon, clearAt: clearAt.map { Int64($0.timeIntervalSince1970) }), as: NextcloudUserStatus.self)
    }

    /// Clears the signed-in user's message.
    public func clearStatusMessage() async throws(PlatformError) {
        _ = try await send("DELETE", Self.userStatus + "/user_status/message", as: Ignored.self)
    }
}
