import Foundation
import HTTPTransport
import SwitchboardTestSupport
import Testing
import ZulipAPI

/// The Zulip client against the stateful stand-in, which checks every request and its own
/// answers against Zulip's API document.
@Suite struct ZulipClientTests {
    func withClient(email: String = "bot@zulip.test", key: String = "zulip-bot-key", retries: Int = 1,
                    _ body: (ZulipClient, Peer) async throws -> Void) async throws {
        let fake = try await Peer.named("zulip-fake")
        var configuration = ClientConfiguration(credentials: .basic(user: email, password: key))
        configuration.retry = RetryPolicy(maxAttempts: retries)
        try await HTTPTransport.withTransport(configuration: configuration) { transport in
            try await body(ZulipClient(baseURL: fake.baseURL, transport: transport), fake)
        }
        let violations = try await PlatformFake.violations(fake)
        #expect(violations.isEmpty, "\(violations)")
    }

    static func unique(_ prefix: String) -> String { prefix + "-" + UUID().uuidString.prefix(8).lowercased() }

    @Test func streamsAreCreatedBySubscribingUpdatedAndArchived() async throws {
        try await withClient { client, _ in
            #expect(try await client.serverSettings().zulipVersion == "9.2")
            #expect(try await client.currentUser().isBot)
            let name = Self.unique("praxis")
            try await client.subscribe(["anna@zulip.test"], to: name, description: "Praxis & \"Team\"")
            let id = try await client.streamID(named: name)
            let stream = try #require(try await client.streams().first { $0.id == id })
            #expect(stream.name == name && stream.description == "Praxis & \"Team\"")
            #expect(try await client.subscribers(of: id).count == 1)
            try await client.subscribe(to: name)
            #expect(try await client.subscribers(of: id).count == 2)
            try await client.updateStream(id, description: "Renamed", newName: name + "-x")
            #expect(try await client.streamID(named: name + "-x") == id)
            try await client.unsubscribe(["anna@zulip.test"], from: name + "-x")
            #expect(try await client.subscribers(of: id).count == 1)
            try await client.archiveStream(id)
            let gone = await thrownError(PlatformError.self) { _ = try await client.streamID(named: name + "-x") }
            #expect(gone?.code == .invalid && gone?.vendorCode == "BAD_REQUEST", "\(String(describing: gone))")
        }
    }

    @Test func messagesAreSentFetchedByNarrowEditedFlaggedAndDeleted() async throws {
        try await withClient { client, _ in
            let stream = Self.unique("notes")
            try await client.subscribe(to: stream)
            let first = try await client.send("Gloves & masks: **ordered**", to: .stream(stream, topic: "Supplies"))
            let second = try await client.send("Room 2 clean", to: .stream(stream, topic: "Rooms"))
            let direct = try await client.send("Hi Anna", to: .direct(["anna@zulip.test"]))
            let inTopic = try await client.messages([.stream(stream), .topic("Supplies")])
            #expect(inTopic.map(\.id) == [first] && inTopic.first?.content == "Gloves & masks: **ordered**" && inTopic.first?.recipients == [stream])
            #expect(try await client.messages([.stream(stream)]).map(\.id) == [first, second])
            #expect(try await client.messages([.stream(stream), .search("clean")]).map(\.id) == [second])
            #expect(try await client.messages([.is("dm")]).contains { $0.id == direct && $0.recipients.contains("anna@zulip.test") })
            #expect(try await client.messages([.stream(stream)], anchor: String(first), before: 0, after: 1).map(\.id) == [first, second])

            try await client.editMessage(first, content: "Gloves ordered", topic: "Orders")
            #expect(try await client.messages([.stream(stream), .topic("Orders")]).first?.content == "Gloves ordered")
            #expect(try await client.topics(of: try await client.streamID(named: stream)).map(\.name) == ["Rooms", "Orders"])
            try await client.flag([first], "starred", set: true)
            #expect(try await client.messages([.is("starred")]).map(\.id).contains(first))
            try await client.react(to: first, emoji: "thumbs_up")
            let twice = await thrownError(PlatformError.self) { try await client.react(to: first, emoji: "thumbs_up") }
            #expect(twice?.vendorCode == "REACTION_ALREADY_EXISTS")
            try await client.react(to: first, emoji: "thumbs_up", add: false)
            try await client.deleteMessage(second)
            #expect(try await client.messages([.stream(stream)]).map(\.id) == [first])
            let nowhere = await thrownError(PlatformError.self) { _ = try await client.send("x", to: .stream(Self.unique("none"), topic: "t")) }
            #expect(nowhere?.code == .invalid && nowhere?.vendorCode == "STREAM_DOES_NOT_EXIST")
        }
    }

    @Test func usersGroupsAndPresence() async throws {
        try await withClient { client, _ in
            let email = Self.unique("jo") + "@zulip.test"
            let id = try await client.createUser(email: email, fullName: "Jo Doe", password: "Secret-123456")
            #expect(try await client.users().contains { $0.id == id && $0.fullName == "Jo Doe" })
            let taken = await thrownError(PlatformError.self) { _ = try await client.createUser(email: email, fullName: "Jo", password: "x") }
            #expect(taken?.code == .invalid)
            let group = Self.unique("team")
            try await client.createUserGroup(group, description: "Team", members: [id])
            #expect(try await client.userGroups().first { $0.name == group }?.members == [id])
            #expect(try await client.presence(of: "anna@zulip.test") == "active")
            try await client.deactivateUser(id)
            #expect(try await client.users().first { $0.id == id }?.isActive == false)
        }
        try await withClient(key: "wrong") { client, _ in
            #expect(await thrownError(PlatformError.self) { _ = try await client.currentUser() }?.code == .unauthorized)
        }
    }

    @Test func anEventQueueIsPolledAndRegisteredAgainWhenDropped() async throws {
        try await withClient { client, fake in
            let stream = Self.unique("events")
            try await client.subscribe(to: stream)
            var queue = try await ZulipEventQueue(client: client, eventTypes: ["message"], streams: [stream])
            let sent = try await client.send("first", to: .stream(stream, topic: "t"))
            let batch = try await queue.next()
            #expect(batch.events.compactMap(\.message?.id) == [sent] && !batch.queueWasReset)
            try await PlatformFake.control(fake, "_fake/drop_queues", Array("{}".utf8))
            let reset = try await queue.next()
            #expect(reset.queueWasReset && reset.events.isEmpty)
            let again = try await client.send("second", to: .stream(stream, topic: "t"))
            #expect(try await queue.next().events.compactMap(\.message?.id) == [again])
            try await queue.close()
        }
    }

    @Test func throttlingIsWaitedOut() async throws {
        try await withClient(retries: 3) { client, fake in
            let stream = Self.unique("slow")
            try await client.subscribe(to: stream)
            let id = try await client.streamID(named: stream)
            // This test's own stream only (the suites share the stand-in).
            try await PlatformFake.inject(fake, prefix: "/api/v1/users/me/\(id)/topics", #"{"status": 429, "retryAfter": 1, "headers": {"X-RateLimit-Remaining": 0}}"#)
            #expect(try await client.topics(of: id).isEmpty)
        }
    }

    @Test func aFileIsUploadedAndLinkedInAMessage() async throws {
        try await withClient { client, _ in
            let uri = try await client.upload(fileName: "Befund März.pdf", contentType: "application/pdf", bytes: Array("%PDF-1.4".utf8))
            #expect(uri.hasPrefix("/user_uploads/") && uri.hasSuffix(".pdf"))
            let stream = Self.unique("files")
            try await client.subscribe(to: stream)
            _ = try await client.send("[Befund](\(uri))", to: .stream(stream, topic: "Befunde"))
            #expect(try await client.messages([.stream(stream)]).first?.content.contains(uri) == true)
        }
    }

    @Test func anOutgoingWebhookIsReadAndItsTokenComparedWhole() throws {
        let payload = #"""
        {"bot_email": "bot@zulip.test", "bot_full_name": "Bot", "data": "status?", "trigger": "mention", "token": "s3cret",
         "message": {"id": 7, "sender_id": 3, "sender_email": "anna@zulip.test", "sender_full_name": "Anna", "content": "@**Bot** status?",
                     "subject": "t", "stream_id": 5, "display_recipient": "praxis", "timestamp": 1800000000, "type": "stream", "new_field": 1}}
        """#
        let hook = try JSONDecoder().decode(ZulipOutgoingWebhook.self, from: Data(payload.utf8))
        #expect(hook.data == "status?" && hook.message.senderEmail == "anna@zulip.test" && hook.message.recipients == ["praxis"])
        #expect(hook.hasToken("s3cret") && !hook.hasToken("s3cre") && !hook.hasToken("s3cretx") && !hook.hasToken(""))
    }
}

/// Multipart bodies: a name or file name cannot end its header, a media type cannot carry
/// more than itself, and the boundary is in no part.
@Suite struct MultipartFormTests {
    @Test func namesAreQuotedAndTheBoundaryIsInNoPart() throws {
        var form = MultipartForm()
        form.add("meta\"data", value: "{}", contentType: "application/json\r\nX-Injected: 1")
        form.add("file", fileName: "a\"b\r\nContent-Type: text/html; x=\".pdf", contentType: "application/pdf; name=evil", bytes: Array("--sb-".utf8))
        let (type, body) = form.encoded()
        let boundary = try #require(type.split(separator: "=").last.map(String.init))
        let text = String(decoding: body, as: UTF8.self)
        #expect(type.hasPrefix("multipart/form-data; boundary=sb-") && boundary.count == 35)
        #expect(text.components(separatedBy: "--" + boundary).count == 4)
        #expect(text.contains("name=\"meta%22data\"") && text.contains("filename=\"a%22b%0D%0AContent-Type: text/html; x=%22.pdf\""))
        #expect(text.contains("Content-Type: application/json\r\n") && !text.contains("X-Injected") && text.contains("Content-Type: application/pdf\r\n"))
        #expect(text.hasSuffix("--" + boundary + "--\r\n"))
    }
}
