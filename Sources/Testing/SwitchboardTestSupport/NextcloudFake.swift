import Foundation
import HTTPTransport

/// The stand-in for Nextcloud's OCS APIs (`scripts/peers/nextcloud-fake`).
public enum NextcloudFake {
    /// What the stand-in found outside Nextcloud's OpenAPI documents so far (requests it was
    /// sent and answers it gave).
    public static func violations(_ fake: Peer) async throws -> [String] {
        try await HTTPTransport.withTransport(configuration: ClientConfiguration()) { transport in
            let response = try await transport.send(HTTPRequest(method: "GET", url: fake.baseURL.appending(path: "_fake/violations")))
            return try JSONDecoder().decode([String].self, from: Data(response.body))
        }
    }
}
