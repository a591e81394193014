public import HTTPTransport
import Foundation

/// What a Nextcloud server is and offers (`GET /ocs/v2.php/cloud/capabilities`): its version,
/// and the names of the apps that announce capabilities.
public struct NextcloudCapabilities: Sendable, Hashable, Decodable {
    public struct Version: Sendable, Hashable, Decodable {
        public var major: Int
        public var minor: Int
        public var micro: Int
        public var string: String
    }

    public var version: Version
    /// The apps that announce capabilities (`core`, `files_sharing`, `provisioning_api`, …).
    public var apps: Set<String>

    enum CodingKeys: String, CodingKey { case version, capabilities }

    struct AnyValue: Decodable { init(from decoder: any Decoder) {} }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Version.self, forKey: .version)
        apps = Set(try container.decode([String: AnyValue].self, forKey: .capabilities).keys)
    }
}

extension OCSClient {
    /// The server's version and capabilities (a public page: it proves no credentials, ``currentUser()`` does).
    public func capabilities() async throws(PlatformError) -> NextcloudCapabilities {
        try await send("GET", "ocs/v2.php/cloud/capabilities", as: NextcloudCapabilities.self)
    }
}
