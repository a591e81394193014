import Foundation
import HTTPTransport
import SwitchboardAPI
import SwitchboardCore
import SwitchboardStore
import ZulipAPI

/// Messages and streams on the Zulip of one of the tenant's accounts.
extension APIHandler {
    func listZulipMessages(_ input: Operations.ListZulipMessages.Input) async throws -> Operations.ListZulipMessages.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let account = try await account(input.path.accountId, of: try Principal.requiring(.read))
            var narrow: [ZulipNarrow] = []
            if let stream = input.query.stream { narrow.append(.stream(stream)) }
            if let topic = input.query.topic { narrow.append(.topic(topic)) }
            if let search = input.query.search { narrow.append(.search(search)) }
            let (terms, count) = (narrow, input.query.count ?? 50)
            let found = try await platformCall { () throws(PlatformServiceError) in
                try await hub.zulip.call(account) { client throws(PlatformError) in try await client.messages(terms, before: count) }
            }
            return .ok(.init(body: .json(found.map {
                .init(id: $0.id, sender: $0.senderEmail, topic: $0.topic, content: $0.content, timestamp: $0.timestamp, recipients: $0.recipients)
            })))
        }
    }

    func sendZulipMessage(_ input: Operations.SendZulipMessage.Input) async throws -> Operations.SendZulipMessage.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.book)
            let account = try await account(input.path.accountId, of: principal)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            let destination: ZulipDestination
            switch (body.stream, body.topic, body.to) {
            case (let stream?, let topic?, nil): destination = .stream(stream, topic: topic)
            case (nil, nil, let to?): destination = .direct(to)
            default: throw Problem.invalid("stream", "give a stream with a topic, or to")
            }
            let id = try await platformCall { () throws(PlatformServiceError) in try await hub.zulip.send(account, body.content, to: destination) }
            audit("zulip.message.send", principal, target: "\(account.id)/\(id)")
            return .created(.init(body: .json(.init(id: id))))
        }
    }

    func listZulipStreams(_ input: Operations.ListZulipStreams.Input) async throws -> Operations.ListZulipStreams.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let account = try await account(input.path.accountId, of: try Principal.requiring(.read))
            let streams = try await platformCall { () throws(PlatformServiceError) in
                try await hub.zulip.call(account) { client throws(PlatformError) in try await client.streams() }
            }
            return .ok(.init(body: .json(streams.map(Self.stream))))
        }
    }

    func createZulipStream(_ input: Operations.CreateZulipStream.Input) async throws -> Operations.CreateZulipStream.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            let account = try await account(input.path.accountId, of: principal)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            let stream = try await platformCall { () throws(PlatformServiceError) in
                try await hub.zulip.createStream(account, body.name, description: body.description ?? "", members: body.members ?? [], inviteOnly: body._private ?? false)
            }
            audit("zulip.stream.create", principal, target: "\(account.id)/\(stream.id)")
            return .created(.init(body: .json(Self.stream(stream))))
        }
    }

    static func stream(_ stream: ZulipStream) -> Components.Schemas.ZulipStream {
        .init(id: stream.id, name: stream.name, description: stream.description, _private: stream.inviteOnly)
    }
}
