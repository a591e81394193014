import DAVClient
import HTTPTransport
public import Hummingbird
public import NIOCore

/// The context of a request to the server: Hummingbird's core context and the address the
/// connection came from (for the anonymous rate limit, the request log and `/metrics`).
public struct ServerRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address as text, or `-` when unknown.
    var clientAddress: String { remoteAddress?.ipAddress ?? "-" }

    /// Whether the client connected from this machine (a loopback address).
    var isLoopback: Bool {
        guard let text = remoteAddress?.ipAddress, let address = IPAddress(text) else { return false }
        return Self.loopback.contains { $0.contains(address.mappedIPv4 ?? address) }
    }

    private static let loopback = ["127.0.0.0/8", "::1/128"].compactMap(IPRange.init)
}
