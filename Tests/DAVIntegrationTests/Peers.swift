import DAVClient
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// A real CalDAV/CardDAV server started on 127.0.0.1 by `scripts/peers/NAME` for this
/// test process (users anna and bob, password "secret"; throwaway storage).
struct Peer: Sendable, CustomStringConvertible {
    /// `radicale` or `xandikos`.
    let name: String
    /// The server's root URL.
    let baseURL: URL
    /// The self-signed certificate to trust (Xandikos serves HTTPS).
    let certificateFile: String?

    var description: String { name }

    /// Where anna's default calendar and address book are, per server layout.
    var annaCalendarHome: String { name == "xandikos" ? "/anna/calendars/" : "/anna/" }

    /// Runs `body` with a client logged in as `user`.
    func withClient<Result>(
        user: String = "anna", password: String = "secret", _ body: (DAVClient) async throws -> Result
    ) async throws -> Result {
        var configuration = ClientConfiguration(credentials: .basic(user: user, password: password))
        configuration.additionalTrustRootsFile = certificateFile
        return try await HTTPTransport.withTransport(configuration: configuration) { transport in
            try await body(DAVClient(baseURL: baseURL, transport: transport))
        }
    }

    /// The peers every integration test runs against.
    static let all = ["radicale", "xandikos"]

    /// The running peer named `name`, started on first use.
    static func named(_ name: String) async throws -> Peer {
        switch name {
        case "radicale": try await radicale.value
        case "xandikos": try await xandikos.value
        default: throw PeerError(message: "unknown peer \(name)")
        }
    }

    private static let radicale = Task { try start("radicale") }
    private static let xandikos = Task { try start("xandikos") }

    private static func start(_ name: String) throws -> Peer {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        // posix_spawn and waitpid: Foundation's Process misses the exit of a script that
        // leaves a daemon behind when it runs inside the test runner. Output goes to a
        // file, not a pipe, which the daemon would hold open.
        let script = root.appendingPathComponent("scripts/peers/\(name)").path
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("peer-\(name)-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: outputFile) }
        let status = try spawnAndWait([script, "start", String(try freePort())], stdout: outputFile)
        let data = try Data(contentsOf: URL(fileURLWithPath: outputFile))
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        guard status == 0, let first = lines.first, let url = URL(string: first) else {
            throw PeerError(message: "scripts/peers/\(name) failed (\(status)): \(lines)")
        }
        return Peer(name: name, baseURL: url, certificateFile: lines.count > 1 ? lines[1] : nil)
    }

    /// Runs `arguments` with standard output to `stdout` and returns its exit status.
    private static func spawnAndWait(_ arguments: [String], stdout: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, &argv, environ)
        guard spawned == 0 else { throw PeerError(message: "cannot run \(arguments[0]): \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (status >> 8) & 0xff
    }

    /// A port nobody listens on now.
    private static func freePort() throws -> Int {
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

struct PeerError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
