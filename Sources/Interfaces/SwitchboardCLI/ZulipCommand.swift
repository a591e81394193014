import ArgumentParser
import Foundation
import HTTPTransport
import SwitchboardCore
import ZulipAPI

/// `switchboard zulip`: messages and streams of a Zulip organisation, as the account's bot.
struct ZulipCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zulip", abstract: "Messages and streams on Zulip (an account of kind zulip: a bot's email and API key).",
        subcommands: [Send.self, Messages.self, Streams.self])

    /// The Zulip account a command works on.
    struct AccountOptions: ParsableArguments {
        @OptionGroup var platform: PlatformAccountOptions

        func call<Value: Sendable>(_ operation: (ZulipClient) async throws(PlatformError) -> Value) async throws -> Value {
            try await platform.call { hub, record throws(PlatformServiceError) in try await hub.zulip.call(record, operation) }
        }
    }

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send a message to a stream's topic (--stream, --topic) or to people (--to, repeated).")
        @OptionGroup var zulip: AccountOptions
        @Option var stream: String?
        @Option var topic: String?
        @Option(help: "A recipient's email; repeat for a group conversation.") var to: [String] = []
        @Option(help: "The message (Markdown).") var content: String

        func validate() throws {
            guard (stream != nil) != !to.isEmpty else { throw ValidationError("give either --stream with --topic, or --to") }
            if stream != nil, topic == nil { throw ValidationError("--stream needs --topic") }
        }

        func run() async throws {
            let destination: ZulipDestination = if let stream { .stream(stream, topic: topic ?? "") } else { .direct(to) }
            let content = content
            let id = try await zulip.platform.call { hub, record throws(PlatformServiceError) in try await hub.zulip.send(record, content, to: destination) }
            StandardOutput.write(Array("\(id)\n".utf8))
        }
    }

    struct Messages: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The newest messages of a stream (and topic), or matching a search.")
        @OptionGroup var zulip: AccountOptions
        @Option var stream: String?
        @Option var topic: String?
        @Option var search: String?
        @Option(help: "How many, newest last.") var count = 20
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var narrow: [ZulipNarrow] = []
            if let stream { narrow.append(.stream(stream)) }
            if let topic { narrow.append(.topic(topic)) }
            if let search { narrow.append(.search(search)) }
            let (terms, count) = (narrow, count)
            let found = try await zulip.call { client throws(PlatformError) in try await client.messages(terms, before: count) }.map(MessageLine.init)
            try output.print(found) { found.map { "\($0.id)\t\($0.sender)\t\($0.topic)\t\($0.content)" }.joined(separator: "\n") }
        }
    }

    struct Streams: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Streams: list, create (by subscribing), archive.", subcommands: [List.self, Create.self, Archive.self])

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "The streams the bot can see: id, name, description.")
            @OptionGroup var zulip: AccountOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let streams = try await zulip.call { client throws(PlatformError) in try await client.streams() }.map(StreamLine.init)
                try output.print(streams) { streams.map { "\($0.id)\t\($0.name)\t\($0.description)" }.joined(separator: "\n") }
            }
        }

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Create a stream (or join it) with the bot and --member subscribed.")
            @OptionGroup var zulip: AccountOptions
            @Argument var name: String
            @Option var description = ""
            @Option(name: .customLong("member"), help: "An email to subscribe; repeat.") var members: [String] = []
            @Flag(help: "Private: only subscribers see it.") var `private` = false

            func run() async throws {
                let (name, description, members, inviteOnly) = (name, description, members, `private`)
                let id = try await zulip.platform.call { hub, record throws(PlatformServiceError) in
                    try await hub.zulip.createStream(record, name, description: description, members: members, inviteOnly: inviteOnly).id
                }
                StandardOutput.write(Array("\(id)\n".utf8))
            }
        }

        struct Archive: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Archive a stream (by name).")
            @OptionGroup var zulip: AccountOptions
            @Argument var name: String

            func run() async throws {
                let name = name
                try await zulip.call { client throws(PlatformError) in try await client.archiveStream(try await client.streamID(named: name)) }
            }
        }
    }

    struct MessageLine: Encodable {
        var id: Int
        var sender: String
        var topic: String
        var content: String
        var timestamp: Date

        init(_ message: ZulipMessage) {
            (id, sender, topic, content, timestamp) = (message.id, message.senderEmail, message.topic, message.content, message.timestamp)
        }
    }

    struct StreamLine: Encodable {
        var id: Int
        var name: String
        var description: String

        init(_ stream: ZulipStream) {
            (id, name, description) = (stream.id, stream.name, stream.description)
        }
    }
}
