import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A deliberately raw HTTP/1.1 server on 127.0.0.1 for hostile-server tests: each
/// request is handed to a script that answers with bytes, pauses and closes — including
/// answers no real server should send.
struct ScriptedServer {
    /// A request as it arrived.
    struct Request: Sendable {
        var method: String
        var path: String
        var headers: [String: String]
        var body: [UInt8]
        /// 0 for the first request the server saw, then 1, 2…
        var index: Int
    }

    /// One step of an answer.
    enum Step: Sendable {
        case send([UInt8])
        case pause(Duration)
        /// Sends `count` zero bytes in 64 KiB chunks (until the client hangs up).
        case zeros(count: Int)
        case close
    }

    /// A plain response.
    static func response(_ status: Int, headers: [String: String] = [:], body: String = "") -> [Step] {
        var head = "HTTP/1.1 \(status) Status\r\n"
        var headers = headers
        headers["Content-Length"] = headers["Content-Length"] ?? String(body.utf8.count)
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        return [.send(Array((head + "\r\n" + body).utf8))]
    }

    /// A 207 with an XML body.
    static func multistatus(_ body: String, headers: [String: String] = [:]) -> [Step] {
        response(207, headers: headers.merging(["Content-Type": "application/xml; charset=utf-8"]) { $1 }, body: body)
    }

    /// Runs `body` with the server's base URL; `script` answers each request.
    static func with<Result: Sendable>(
        host: String = "127.0.0.1", port: Int = 0,
        _ script: @escaping @Sendable (Request) async -> [Step], _ body: @Sendable (URL, RequestLog) async throws -> Result
    ) async throws -> Result {
        let log = RequestLog()
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { child in
                child.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: child) }
            }
        let port = server.channel.localAddress?.port ?? 0
        let url = URL(string: "http://\(host):\(port)/")!
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await withThrowingDiscardingTaskGroup { connections in
                    try await server.executeThenClose { inbound in
                        for try await connection in inbound {
                            connections.addTask { await serve(connection, script: script, log: log) }
                        }
                    }
                }
            }
            defer { group.cancelAll() }
            let result = try await body(url, log)
            try? await server.channel.close()
            return result
        }
    }

    private static func serve(
        _ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, script: @Sendable (Request) async -> [Step], log: RequestLog
    ) async {
        try? await connection.executeThenClose { inbound, outbound in
            var pending: [UInt8] = []
            for try await chunk in inbound {
                pending += chunk.readableBytesView
                while let (head, consumed) = parseRequest(pending, index: log.count) {
                    pending.removeFirst(consumed)
                    log.append(head)
                    for step in await script(head) {
                        switch step {
                        case .send(let bytes): try await outbound.write(ByteBuffer(bytes: bytes))
                        case .pause(let duration): try await Task.sleep(for: duration)
                        case .zeros(let count):
                            let chunk = ByteBuffer(repeating: 0, count: 64 << 10)
                            var sent = 0
                            while sent < count {
                                try await outbound.write(chunk)
                                sent += chunk.readableBytes
                            }
                        case .close: return
                        }
                    }
                }
            }
        }
    }

    /// A complete request at the start of `bytes` and how many bytes it used.
    private static func parseRequest(_ bytes: [UInt8], index: Int) -> (Request, Int)? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = bytes.indices.dropLast(3).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else { return nil }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        guard bytes.count >= end + 4 + length else { return nil }
        let body = Array(bytes[(end + 4)..<(end + 4 + length)])
        let request = Request(method: String(requestLine.first ?? ""), path: String(requestLine.dropFirst().first ?? ""),
                              headers: headers, body: body, index: index)
        return (request, end + 4 + length)
    }
}

/// The requests a ``ScriptedServer`` received.
final class RequestLog: Sendable {
    private let requests = Mutex<[ScriptedServer.Request]>([])

    func append(_ request: ScriptedServer.Request) { requests.withLock { $0.append(request) } }

    var count: Int { requests.withLock { $0.count } }

    var all: [ScriptedServer.Request] { requests.withLock { $0 } }
}
