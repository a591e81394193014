#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address, as bytes (4 or 16).
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Reads dotted IPv4 or textual IPv6 (`::1`, `fe80::1`, `::ffff:10.0.0.1`); `nil` otherwise.
    public init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        bytes = withUnsafeBytes(of: &v6) { Array($0) }
    }

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// The IPv4 address an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) stands for.
    public var mappedIPv4: IPAddress? {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF else { return nil }
        return IPAddress(bytes: Array(bytes[12..<16]))
    }

    public var description: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }.joined(separator: ":")
    }
}

/// A block of addresses in CIDR notation (`10.0.0.0/8`, `fc00::/7`).
public struct IPRange: Sendable, Hashable, CustomStringConvertible {
    public let network: IPAddress
    public let prefixLength: Int

    /// Reads `address/prefix`, or one address alone (a /32 or /128).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let network = IPAddress(String(first)) else { return nil }
        let bits = network.bytes.count * 8
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...bits).contains(length) else { return nil }
            prefixLength = length
        } else {
            prefixLength = bits
        }
        self.network = network
    }

    public func contains(_ address: IPAddress) -> Bool {
        guard address.bytes.count == network.bytes.count else { return false }
        var remaining = prefixLength
        for index in network.bytes.indices where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if address.bytes[index] & mask != network.bytes[index] & mask { return false }
            remaining -= 8
        }
        return true
    }

    public var description: String { "\(network)/\(prefixLength)" }
}

/// Which addresses outbound requests made on a tenant's behalf may reach. By default every
/// public address and nothing else: every range of IANA's IPv4 and IPv6 special-purpose
/// address registries that is not globally reachable (loopback, link-local where cloud
/// metadata services answer, private, shared, documentation, benchmarking, reserved),
/// multicast, and the deprecated IPv6 forms that carry or stand for internal addresses, are
/// refused unless the operator allows them (the demo allows 127.0.0.1). An IPv6 address
/// that embeds an IPv4 one (IPv4-mapped `::ffff:a.b.c.d`, 6to4 `2002:aabb:ccdd::`) is
/// judged by the IPv4 address too. The transport checks every address a host name
/// resolves to, then connects to the address it checked.
public struct NetworkPolicy: Sendable, Hashable {
    /// Ranges allowed although they are internal (checked first).
    public var allowed: [IPRange]

    public init(allowing allowed: [IPRange] = []) {
        self.allowed = allowed
    }

    /// One refused range and where it comes from.
    public struct SpecialRange: Sendable, Hashable {
        public var range: IPRange
        /// The registry's name for it.
        public var name: String
    }

    /// The ranges no tenant reaches unless allowed: IANA's special-purpose registries
    /// (IPv4: RFC 6890 and updates; IPv6: the same) where "Globally Reachable" is false,
    /// multicast, and the deprecated IPv6 site-local and IPv4-compatible ranges. Globally
    /// reachable entries outside these blocks (AS112, AMT) stay reachable; those inside a
    /// refused block (192.0.0.9/32 and 192.0.0.10/32: anycast
    /// services no groupware server is) stay refused with it.
    public static let specialRanges: [SpecialRange] = [
        ("0.0.0.0/8", "this network"), ("10.0.0.0/8", "private use"), ("100.64.0.0/10", "shared address space"),
        ("127.0.0.0/8", "loopback"), ("169.254.0.0/16", "link local"), ("172.16.0.0/12", "private use"),
        ("192.0.0.0/29", "IPv4 service continuity prefix"), ("192.0.0.8/32", "IPv4 dummy address"),
        ("192.0.0.170/32", "NAT64/DNS64 discovery"), ("192.0.0.171/32", "NAT64/DNS64 discovery"),
        ("192.0.0.0/24", "IETF protocol assignments"), ("192.0.2.0/24", "documentation (TEST-NET-1)"),
        ("192.88.99.0/24", "deprecated 6to4 relay anycast"), ("192.168.0.0/16", "private use"),
        ("198.18.0.0/15", "benchmarking"), ("198.51.100.0/24", "documentation (TEST-NET-2)"),
        ("203.0.113.0/24", "documentation (TEST-NET-3)"), ("224.0.0.0/4", "multicast"), ("240.0.0.0/4", "reserved"),
        ("255.255.255.255/32", "limited broadcast"),
        ("::/128", "unspecified address"), ("::1/128", "loopback"), ("::/96", "deprecated IPv4-compatible"),
        ("64:ff9b::/96", "IPv4-IPv6 translation"), ("64:ff9b:1::/48", "local-use IPv4-IPv6 translation"),
        ("100::/64", "discard-only"), ("100:0:0:1::/64", "dummy IPv6 prefix"),
        ("2001::/32", "TEREDO"), ("2001:2::/48", "benchmarking"), ("2001:10::/28", "deprecated ORCHID"), ("2001:20::/28", "ORCHIDv2"),
        ("2001:db8::/32", "documentation"), ("3fff::/20", "documentation"), ("5f00::/16", "segment routing SIDs"),
        ("fc00::/7", "unique local"), ("fe80::/10", "link-local unicast"), ("fec0::/10", "deprecated site-local"),
        ("ff00::/8", "multicast"),
    ].map { text, name in
        guard let range = IPRange(text) else { preconditionFailure("\(text) is a CIDR range") }
        return SpecialRange(range: range, name: name)
    }

    /// A policy that lets every address through (an operator's own accounts, like HTTP's
    /// default of no policy).
    public static let unrestricted = NetworkPolicy(allowing: [IPRange("0.0.0.0/0"), IPRange("::/0")].compactMap { $0 })

    /// Whether `address` may be reached.
    public func permits(_ address: IPAddress) -> Bool { refusal(of: address) == nil }

    /// The special range that keeps `address` out, or `nil` when it may be reached.
    public func refusal(of address: IPAddress) -> SpecialRange? {
        let address = address.mappedIPv4 ?? address
        if allowed.contains(where: { $0.contains(address) }) { return nil }
        if let embedded = address.sixToFourIPv4, let refused = refusal(of: embedded) {
            return SpecialRange(range: refused.range, name: "6to4 of \(refused.name)")
        }
        return Self.specialRanges.first { $0.range.contains(address) }
    }
}

extension NetworkPolicy {
    /// Resolves `host` (a name or an address literal without brackets), refuses it when any
    /// of its addresses is one the policy does not allow, and returns the address to connect
    /// to: the lowest of those checked (the same one while the name's answer is the same).
    /// Every client that opens a connection (HTTP, IMAP, SMTP) connects to this address only.
    public func checkedAddress(of host: String, resolver: AddressResolver = .system) async throws(DestinationError) -> IPAddress {
        let addresses: [IPAddress]
        if let literal = IPAddress(host) {
            addresses = [literal]
        } else {
            do {
                addresses = try await resolver.addresses(of: host)
            } catch {
                throw DestinationError(host: host, reason: .unresolvable)
            }
        }
        if addresses.contains(where: { !permits($0) }) { throw DestinationError(host: host, reason: .refused) }
        guard let first = addresses.min(by: { $0.bytes.lexicographicallyPrecedes($1.bytes) }) else {
            throw DestinationError(host: host, reason: .noAddress)
        }
        return first
    }
}

/// Why a host may not be connected to.
public struct DestinationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var reason: Reason

    public enum Reason: Sendable, Hashable {
        /// The name does not resolve.
        case unresolvable
        /// It resolves to nothing.
        case noAddress
        /// It is, or resolves to, an address the network policy keeps out.
        case refused
    }

    /// Whether the policy refused the host (rather than the name failing to resolve).
    public var isRefusal: Bool { reason == .refused }

    public var description: String {
        switch reason {
        case .unresolvable: "\(host) does not resolve"
        case .noAddress: "\(host) has no address"
        case .refused: "\(host) is refused by the network policy"
        }
    }
}

extension IPAddress {
    /// The IPv4 address a 6to4 address (`2002:aabb:ccdd::/48`) carries.
    var sixToFourIPv4: IPAddress? {
        guard bytes.count == 16, bytes[0] == 0x20, bytes[1] == 0x02 else { return nil }
        return IPAddress(bytes: Array(bytes[2..<6]))
    }
}
