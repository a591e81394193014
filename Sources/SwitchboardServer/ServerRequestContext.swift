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
        guard let address = remoteAddress?.ipAddress else { return false }
        return address.hasPrefix("127.") || address == "::1" || address.hasPrefix("::ffff:127.")
    }
}
