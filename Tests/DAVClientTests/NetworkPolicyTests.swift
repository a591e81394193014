@testable import DAVClient
import Foundation
import Testing

/// Which addresses a tenant's requests may reach, and that the transport asks before
/// every request and every redirect.
@Suite struct NetworkPolicyTests {
    static func address(_ text: String) -> IPAddress { IPAddress(text)! }

    @Test func internalAddressesAreRefusedUnlessAllowed() {
        let policy = NetworkPolicy()
        for refused in ["127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
                        "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "::", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254"] {
            #expect(!policy.permits(Self.address(refused)), "\(refused)")
        }
        for permitted in ["8.8.8.8", "172.32.0.1", "1.1.1.1", "2a00:1450:4001:81c::200e", "::ffff:8.8.8.8"] {
            #expect(policy.permits(Self.address(permitted)), "\(permitted)")
        }
        let demo = NetworkPolicy(allowing: [IPRange("127.0.0.1")!])
        #expect(demo.permits(Self.address("127.0.0.1")) && demo.permits(Self.address("::ffff:127.0.0.1")))
        #expect(!demo.permits(Self.address("127.0.0.2")) && !demo.permits(Self.address("169.254.169.254")))
    }

    @Test func rangesParseAndMatchByPrefix() {
        #expect(IPRange("10.0.0.0/8")?.contains(Self.address("10.255.0.1")) == true)
        #expect(IPRange("10.0.0.0/9")?.contains(Self.address("10.128.0.1")) == false)
        #expect(IPRange("fc00::/7")?.contains(Self.address("fdff::1")) == true)
        #expect(IPRange("fc00::/7")?.contains(Self.address("10.0.0.1")) == false)
        #expect(IPRange("0.0.0.0/0")?.contains(Self.address("203.0.113.9")) == true)
        for bad in ["10.0.0.0/33", "::/129", "example.org", "10.0.0/8", "10.0.0.0/x", ""] { #expect(IPRange(bad) == nil, "\(bad)") }
        #expect(IPAddress("::ffff:10.0.0.1")?.mappedIPv4 == Self.address("10.0.0.1"))
    }

    @Test func aRefusedAddressIsNeverContactedByNameOrNumber() async throws {
        try await ScriptedServer.with({ _ in ScriptedServer.response(200) }) { url, log in
            var configuration = ClientConfiguration()
            configuration.networkPolicy = NetworkPolicy()
            try await HTTPTransport.withTransport(configuration: configuration) { transport in
                let byName = URL(string: "http://localhost:\(url.port ?? 0)/")!
                for target in [url, byName] {
                    let error = await davError { _ = try await transport.send(HTTPRequest(method: "GET", url: target)) }
                    #expect(error?.code == .destinationRefused, "\(target) → \(String(describing: error))")
                }
            }
            #expect(log.count == 0)
        }
    }

    @Test func aRedirectToARefusedAddressIsNotFollowed() async throws {
        // The allowed server (127.0.0.2) sends the client on to the cloud metadata address.
        try await ScriptedServer.with(host: "127.0.0.2", { _ in
            ScriptedServer.response(302, headers: ["Location": "http://169.254.169.254/latest/meta-data/"])
        }) { url, log in
            var configuration = ClientConfiguration()
            configuration.networkPolicy = NetworkPolicy(allowing: [IPRange("127.0.0.2")!])
            configuration.connectTimeout = 2
            let error = try await HTTPTransport.withTransport(configuration: configuration) { transport in
                await davError { _ = try await transport.send(HTTPRequest(method: "GET", url: url)) }
            }
            #expect(error?.code == .destinationRefused && error?.url.contains("169.254.169.254") == true, "\(String(describing: error))")
            #expect(log.count == 1)
        }
    }
}
