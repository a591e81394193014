@testable import DAVClient
@testable import HTTPTransport
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
                    let error = await httpError { _ = try await transport.send(HTTPRequest(method: "GET", url: target)) }
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
                await httpError { _ = try await transport.send(HTTPRequest(method: "GET", url: url)) }
            }
            #expect(error?.code == .destinationRefused && error?.url.contains("169.254.169.254") == true, "\(String(describing: error))")
            #expect(log.count == 1)
        }
    }
}

/// Security: the IANA special-purpose table, the spellings of internal addresses, and
/// connections made to the address that was checked (docs/security.md).
@Suite struct NetworkPolicyAttackTests {
    static func address(_ text: String) -> IPAddress { IPAddress(text)! }

    /// The last address of a range.
    static func last(of range: IPRange) -> IPAddress {
        var bytes = range.network.bytes
        for index in bytes.indices {
            let fixed = max(0, min(8, range.prefixLength - index * 8))
            bytes[index] |= fixed == 8 ? 0 : UInt8(0xFF) >> UInt8(fixed)
        }
        return IPAddress(bytes: bytes)!
    }

    @Test func everySpecialRangeIsRefusedFromItsFirstToItsLastAddress() {
        let policy = NetworkPolicy()
        for special in NetworkPolicy.specialRanges {
            #expect(!policy.permits(special.range.network), "\(special.range) (\(special.name))")
            #expect(!policy.permits(Self.last(of: special.range)), "\(Self.last(of: special.range)) in \(special.range) (\(special.name))")
        }
    }

    @Test func addressesCarryingAnInternalOneAreRefused() {
        let policy = NetworkPolicy()
        for refused in ["::127.0.0.1", "::a9fe:a9fe", "fec0::1", "feff::1", "2002:7f00:1::1", "2002:a9fe:a9fe::", "2002:c0a8:101::1",
                        "64:ff9b::7f00:1", "64:ff9b:1::a00:1", "2001:0:4136:e378::1", "192.0.0.170", "255.255.255.255", "100:0:0:1::1"] {
            #expect(!policy.permits(Self.address(refused)), "\(refused)")
        }
        for permitted in ["2002:808:808::1", "192.31.196.1", "192.52.193.1", "2001:4860:4860::8888", "2606:4700:4700::1111"] {
            #expect(policy.permits(Self.address(permitted)), "\(permitted)")
        }
        // An allowed range lets its 6to4 form through too.
        #expect(NetworkPolicy(allowing: [IPRange("127.0.0.1")!]).permits(Self.address("2002:7f00:1::")))
    }

    @Test(arguments: ["2130706433", "0177.0.0.1", "0x7f.0.0.1", "0x7f000001", "127.1", "0", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]",
                      "[::1]", "[0:0:0:0:0:0:0:1]", "localhost", "169.254.169.254", "[fe80::1%25lo]", "[::127.0.0.1]"])
    func spellingsOfAnInternalAddressAreRefused(_ host: String) async throws {
        var configuration = ClientConfiguration()
        configuration.networkPolicy = NetworkPolicy()
        configuration.retry = .none
        configuration.connectTimeout = 1
        let error = try await HTTPTransport.withTransport(configuration: configuration) { transport in
            await httpError { _ = try await transport.send(HTTPRequest(method: "GET", url: URL(string: "http://\(host):9/")!)) }
        }
        #expect(error?.code == .destinationRefused || error?.code == .invalidURL, "\(host): \(String(describing: error))")
        // The refusal says no more than that: not which address a name has.
        #expect(error?.detail.contains("127.0.0.1") != true || host.contains("127.0.0.1"), "\(String(describing: error))")
    }

    /// DNS rebinding: the check sees an allowed address (127.0.0.2) for a name the system
    /// resolves to a forbidden one (`localhost`, 127.0.0.1) listening on the same port. The
    /// connection goes to the address checked, never to a second resolution's answer.
    @Test func theConnectionGoesToTheAddressThatWasChecked() async throws {
        try await ScriptedServer.with(host: "127.0.0.2", { _ in ScriptedServer.response(200, body: "allowed") }) { allowedURL, allowedLog in
            let port = allowedURL.port ?? 0
            try await ScriptedServer.with(host: "127.0.0.1", port: port, { _ in ScriptedServer.response(200, body: "forbidden") }) { _, forbiddenLog in
                var configuration = ClientConfiguration()
                configuration.networkPolicy = NetworkPolicy(allowing: [IPRange("127.0.0.2")!])
                configuration.resolver = AddressResolver { _ in [IPAddress("127.0.0.2")!] }
                try await HTTPTransport.withTransport(configuration: configuration) { transport in
                    for _ in 0..<20 {
                        let response = try await transport.send(HTTPRequest(method: "GET", url: URL(string: "http://localhost:\(port)/")!))
                        #expect(String(decoding: response.body, as: UTF8.self) == "allowed")
                    }
                }
                #expect(forbiddenLog.count == 0)
                #expect(allowedLog.count > 0)
                // The name, not the address, is what the server is told.
                #expect(allowedLog.all.first?.headers["host"]?.hasPrefix("localhost") == true)
            }
        }
    }

    /// Credentials belong to one origin: a request elsewhere goes without them, even when a
    /// caller sends it through the same transport (the Nextcloud push's `ocsUrl` hole).
    @Test func credentialsGoToTheirOriginOnly() async throws {
        try await ScriptedServer.with({ _ in ScriptedServer.response(200) }) { home, homeLog in
            try await ScriptedServer.with({ _ in ScriptedServer.response(200) }) { elsewhere, elsewhereLog in
                var configuration = ClientConfiguration(credentials: .basic(user: "anna", password: "secret"))
                configuration.credentialOrigin = home
                try await HTTPTransport.withTransport(configuration: configuration) { transport in
                    _ = try await transport.send(HTTPRequest(method: "GET", url: home.appending(path: "dav/")))
                    _ = try await transport.send(HTTPRequest(method: "GET", url: elsewhere.appending(path: "ocs/")))
                }
                #expect(homeLog.all.first?.headers["authorization"]?.hasPrefix("Basic ") == true)
                #expect(elsewhereLog.all.first?.headers["authorization"] == nil)
            }
        }
    }
}
