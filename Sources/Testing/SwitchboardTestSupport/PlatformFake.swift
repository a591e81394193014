import Foundation
import HTTPTransport

/// The stand-ins for platforms that cannot run here (`scripts/peers/platform-fake`: Nextcloud,
/// OpenProject, Zulip).
public enum PlatformFake {
    /// What the stand-in found outside the vendor's OpenAPI documents so far (requests it was
    /// sent and answers it gave).
    public static func violations(_ fake: Peer) async throws -> [String] {
        try await HTTPTransport.withTransport(configuration: ClientConfiguration()) { transport in
            let response = try await transport.send(HTTPRequest(method: "GET", url: fake.baseURL.appending(path: "_fake/violations")))
            return try JSONDecoder().decode([String].self, from: Data(response.body))
        }
    }
}

extension PlatformFake {
    /// Queues a fault (`{"status": 429, "retryAfter": 1, "count": 1}`, `{"drop": true}`…)
    /// for the next requests whose path starts with `prefix`.
    public static func inject(_ fake: Peer, prefix: String, _ fault: String) async throws {
        guard var object = try JSONSerialization.jsonObject(with: Data(fault.utf8)) as? [String: Any] else {
            throw PeerError(message: "a fault is a JSON object: \(fault)")
        }
        object["prefix"] = prefix
        try await control(fake, "_fake/faults", Array(try JSONSerialization.data(withJSONObject: object)))
    }

    /// Drops the faults still queued that were narrowed by `contains` (a test's own: the
    /// suites share the stand-ins).
    public static func clearFaults(_ fake: Peer, contains: String) async throws {
        let url = fake.baseURL.appending(path: "_fake/faults").appending(queryItems: [URLQueryItem(name: "contains", value: contains)])
        try await HTTPTransport.withTransport(configuration: ClientConfiguration()) { transport in
            _ = try await transport.send(HTTPRequest(method: "DELETE", url: url))
        }
    }

    /// Posts `body` to one of the stand-in's own routes (`_fake/…`).
    public static func control(_ fake: Peer, _ path: String, _ body: [UInt8]) async throws {
        try await HTTPTransport.withTransport(configuration: ClientConfiguration()) { transport in
            let response = try await transport.send(HTTPRequest(method: "POST", url: fake.baseURL.appending(path: path), body: body))
            guard response.status == 200 else { throw PeerError(message: "\(path) answered \(response.status)") }
        }
    }
}
