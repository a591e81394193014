public import DAVClient
public import HTTPTransport
public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real server started on 127.0.0.1 by `scripts/peers/NAME` once for the whole test
/// process, whichever test target asks first: CalDAV/CardDAV (users anna and bob, password
/// "secret"; throwaway storage), WebDAV, PostgreSQL, or the stand-in for Nextcloud's
/// webhook_listeners API (checked against the vendor's OpenAPI document).
public struct Peer: Sendable, CustomStringConvertible {
    /// `radicale` or `xandikos`.
    public let name: String
    /// The server's root URL.
    public let baseURL: URL
    /// The self-signed certificate to trust (Xandikos serves HTTPS).
    public let certificateFile: String?
    /// The `PEER_INSTANCE` of a dedicated server.
    let instance: String?

    public var description: String { name }

    /// Where anna's default calendar and address book are, per server layout.
    public var annaCalendarHome: String { name == "xandikos" ? "/anna/calendars/" : "/anna/" }

    /// Runs `body` with a client logged in as `user`.
    public func withClient<Result>(
        user: String = "anna", password: String = "secret", configure: (inout ClientConfiguration) -> Void = { _ in },
        _ body: (DAVClient) async throws -> Result
    ) async throws -> Result {
        var configuration = ClientConfiguration(credentials: .basic(user: user, password: password))
        configuration.additionalTrustRootsFile = certificateFile
        configure(&configuration)
        return try await HTTPTransport.withTransport(configuration: configuration) { transport in
            try await body(DAVClient(baseURL: baseURL, transport: transport))
        }
    }

    /// The CalDAV/CardDAV peers every calendar and contact test runs against (WsgiDAV,
    /// a plain WebDAV server with locking, serves the lock tests).
    public static let all = ["radicale", "xandikos"]

    /// The plain WebDAV file servers every file test runs against: WsgiDAV (PyPI) and
    /// Apache httpd with mod_dav (Debian).
    public static let files = ["wsgidav", "apache"]

    /// The running peer named `name`, started on first use.
    public static func named(_ name: String) async throws -> Peer {
        switch name {
        case "radicale": try await radicale.value
        case "xandikos": try await xandikos.value
        case "wsgidav": try await wsgidav.value
        case "apache": try await apache.value
        case "postgres": try await postgres.value
        case "nextcloud-fake": try await nextcloudFake.value
        case "openproject-fake": try await openProjectFake.value
        case "zulip-fake": try await zulipFake.value
        default: throw PeerError(message: "unknown peer \(name)")
        }
    }

    private static let radicale = Task { try start("radicale") }
    private static let xandikos = Task { try start("xandikos") }
    private static let wsgidav = Task { try start("wsgidav") }
    private static let apache = Task { try start("apache") }
    private static let postgres = Task { try start("postgres") }
    private static let nextcloudFake = Task { try start("nextcloud-fake") }
    private static let openProjectFake = Task { try start("openproject-fake") }
    private static let zulipFake = Task { try start("zulip-fake") }

    private static func start(_ name: String) throws -> Peer {
        let lines = try script(name, ["start", String(try freePort())])
        guard let first = lines.first, let url = URL(string: first) else {
            throw PeerError(message: "scripts/peers/\(name) printed no URL")
        }
        return Peer(name: name, baseURL: url, certificateFile: lines.count > 1 ? lines[1] : nil, instance: nil)
    }

    /// A separate server of its own (not the shared one), which a test may kill and
    /// resume; stop it with ``stop()``. Only `radicale` supports this.
    public static func dedicated(_ name: String) throws -> Peer {
        let instance = UUID().uuidString.prefix(8).lowercased()
        let lines = try script(name, ["start", String(try freePort())], instance: instance)
        guard let first = lines.first, let url = URL(string: first) else {
            throw PeerError(message: "scripts/peers/\(name) printed no URL")
        }
        return Peer(name: name, baseURL: url, certificateFile: nil, instance: instance)
    }

    /// Kills a dedicated server with SIGKILL, keeping its data: a crash.
    public func kill() throws { _ = try Self.script(name, ["kill"], instance: instance) }
    /// Starts a killed dedicated server again on its data and port.
    public func resume() throws { _ = try Self.script(name, ["resume"], instance: instance) }
    /// Stops a dedicated server and removes its data.
    public func stop() throws { _ = try Self.script(name, ["stop"], instance: instance) }

    private static func script(_ name: String, _ arguments: [String], instance: String? = nil) throws -> [String] {
        let script = ChildProcess.repositoryRoot.appendingPathComponent("scripts/peers/\(name)").path
        let result = try ChildProcess.run([script] + arguments, environment: instance.map { ["PEER_INSTANCE": $0] } ?? [:])
        guard result.status == 0 else {
            throw PeerError(message: "scripts/peers/\(name) \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stdout) \(result.stderr)")
        }
        return result.stdout.split(separator: "\n").map(String.init)
    }

    /// A port nobody listens on now.
    public static func freePort() throws -> Int {
        let socket = tcpSocket()
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw PeerError(message: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func tcpSocket() -> Int32 {
        #if canImport(Glibc)
        socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        socket(AF_INET, SOCK_STREAM, 0)
        #endif
    }
}

/// A peer that could not be started.
public struct PeerError: Error, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
