public import Accounts
import Foundation
public import HTTPTransport
public import SwitchboardStore
public import ZulipAPI

/// Zulip's REST API for an account of kind `zulip` (a bot's email and API key): the
/// account's credentials go to its organisation only.
public struct ZulipService: Sendable {
    let clients: AccountClients

    /// Runs `operation` with a client of `account`'s organisation.
    public func call<Value>(_ account: AccountRecord, _ operation: (ZulipClient) async throws(PlatformError) -> Value) async throws(PlatformServiceError) -> Value {
        try await clients.platformCall(account, kind: .zulip, root: URL(string: account.serverURL)) { transport, root throws(PlatformError) in
            try await operation(ZulipClient(baseURL: root, transport: transport))
        }
    }

    /// Creates a stream (or joins it) with the bot and `members` subscribed; answers it.
    public func createStream(_ account: AccountRecord, _ name: String, description: String, members: [String],
                             inviteOnly: Bool) async throws(PlatformServiceError) -> ZulipStream {
        try await call(account) { client throws(PlatformError) in
            try await client.subscribe(to: name, description: description, inviteOnly: inviteOnly)
            if !members.isEmpty { try await client.subscribe(members, to: name) }
            let id = try await client.streamID(named: name)
            guard let stream = try await client.streams().first(where: { $0.id == id }) else {
                throw PlatformError(.notFound, platform: "Zulip", method: "GET", url: "streams", detail: "stream \(name) is not listed after it was made")
            }
            return stream
        }
    }

    /// Sends a message to a stream's topic or to people directly; answers its id.
    public func send(_ account: AccountRecord, _ content: String, to destination: ZulipDestination) async throws(PlatformServiceError) -> Int {
        try await call(account) { client throws(PlatformError) in try await client.send(content, to: destination) }
    }
}
