#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOPosix

/// Turns host names into addresses for the network policy's check; the transport then
/// connects to an address it checked, never resolving the name again (so a name that
/// changes its answer between the check and the connection — DNS rebinding — gains
/// nothing). ``system`` asks the system resolver; tests give answers of their own.
public struct AddressResolver: Sendable {
    private let resolve: @Sendable (String) async throws -> [IPAddress]

    /// A resolver that answers with `resolve`.
    public init(_ resolve: @escaping @Sendable (String) async throws -> [IPAddress]) {
        self.resolve = resolve
    }

    /// The addresses `host` has now.
    public func addresses(of host: String) async throws -> [IPAddress] {
        try await resolve(host)
    }

    /// The system resolver (`getaddrinfo`), which blocks: it runs on NIO's thread pool,
    /// never on an event loop or the cooperative pool.
    public static let system = AddressResolver { host in try await systemAddresses(of: host) }

    struct Failure: Error, CustomStringConvertible {
        var code: Int32
        var description: String { String(cString: gai_strerror(code)) }
    }

    private static func systemAddresses(of host: String) async throws -> [IPAddress] {
        try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            #else
            hints.ai_socktype = SOCK_STREAM
            #endif
            var list: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, nil, &hints, &list)
            guard status == 0 else { throw Failure(code: status) }
            defer { freeaddrinfo(list) }
            var found: [IPAddress] = []
            var cursor = list
            while let entry = cursor {
                if let socketAddress = entry.pointee.ai_addr {
                    switch Int32(socketAddress.pointee.sa_family) {
                    case AF_INET:
                        socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                            var address = pointer.pointee.sin_addr
                            if let ip = IPAddress(bytes: withUnsafeBytes(of: &address) { Array($0) }) { found.append(ip) }
                        }
                    case AF_INET6:
                        socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                            var address = pointer.pointee.sin6_addr
                            if let ip = IPAddress(bytes: withUnsafeBytes(of: &address) { Array($0) }) { found.append(ip) }
                        }
                    default:
                        break
                    }
                }
                cursor = entry.pointee.ai_next
            }
            return found
        }
    }
}
