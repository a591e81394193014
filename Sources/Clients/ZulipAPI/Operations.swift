public import Foundation
public import HTTPTransport

extension ZulipClient {
    // MARK: Server and self

    /// The server's version (no sign-in needed).
    public func serverSettings() async throws(PlatformError) -> ZulipServerSettings {
        try await call("GET", Self.path("server_settings"), as: ZulipServerSettings.self)
    }

    /// The signed-in user or bot.
    public func currentUser() async throws(PlatformError) -> ZulipUser {
        try await call("GET", Self.path("users", "me"), as: ZulipUser.self)
    }

    // MARK: Messages

    /// Sends a message; answers its id.
    public func send(_ content: String, to destination: ZulipDestination) async throws(PlatformError) -> Int {
        var parameters = Parameters()
        switch destination {
        case .stream(let stream, let topic):
            parameters.add("type", "stream")
            // The document has `to` as JSON (a name, an id or a list); Zulip reads all three.
            parameters.add("to", json: stream)
            parameters.add("topic", topic)
        case .direct(let users):
            parameters.add("type", "private")
            parameters.add("to", json: users)
        }
        parameters.add("content", content)
        struct Sent: Decodable { var id: Int }
        return try await call("POST", Self.path("messages"), parameters, as: Sent.self).id
    }

    /// Messages matching `narrow` around `anchor` (a message id, `newest`, `oldest` or
    /// `first_unread`), oldest first.
    public func messages(_ narrow: [ZulipNarrow] = [], anchor: String = "newest", before: Int = 100, after: Int = 0) async throws(PlatformError) -> [ZulipMessage] {
        var parameters = Parameters()
        parameters.add("anchor", anchor)
        parameters.add("num_before", before)
        parameters.add("num_after", after)
        parameters.add("narrow", json: narrow)
        parameters.add("apply_markdown", false)
        struct Found: Decodable { var messages: [ZulipMessage] }
        return try await call("GET", Self.path("messages"), parameters, as: Found.self).messages
    }

    /// Changes a message's content or topic.
    public func editMessage(_ id: Int, content: String? = nil, topic: String? = nil) async throws(PlatformError) {
        var parameters = Parameters()
        parameters.add("content", content)
        parameters.add("topic", topic)
        _ = try await call("PATCH", Self.path("messages", String(id)), parameters, as: Done.self)
    }

    public func deleteMessage(_ id: Int) async throws(PlatformError) {
        _ = try await call("DELETE", Self.path("messages", String(id)), as: Done.self)
    }

    /// Sets or clears a flag (`read`, `starred`…) on messages.
    public func flag(_ messages: [Int], _ flag: String, set: Bool) async throws(PlatformError) {
        var parameters = Parameters()
        parameters.add("messages", json: messages)
        parameters.add("op", set ? "add" : "remove")
        parameters.add("flag", flag)
        _ = try await call("POST", Self.path("messages", "flags"), parameters, as: Done.self)
    }

    /// Adds or removes an emoji reaction (by name: `thumbs_up`).
    public func react(to message: Int, emoji: String, add: Bool = true) async throws(PlatformError) {
        var parameters = Parameters()
        parameters.add("emoji_name", emoji)
        _ = try await call(add ? "POST" : "DELETE", Self.path("messages", String(message), "reactions"), parameters, as: Done.self)
    }

    // MARK: Streams and subscriptions

    /// The streams the bot can see.
    public func streams() async throws(PlatformError) -> [ZulipStream] {
        struct Found: Decodable { var streams: [ZulipStream] }
        return try await call("GET", Self.path("streams"), as: Found.self).streams
    }

    /// A stream's id by name.
    public func streamID(named name: String) async throws(PlatformError) -> Int {
        var parameters = Parameters()
        parameters.add("stream", name)
        struct Found: Decodable { var stream_id: Int }
        return try await call("GET", Self.path("get_stream_id"), parameters, as: Found.self).stream_id
    }

    /// Subscribes `principals` (emails; the bot itself when empty) to a stream, creating it
    /// with `description` when it does not exist yet (Zulip creates streams this way).
    public func subscribe(_ principals: [String] = [], to stream: String, description: String = "", inviteOnly: Bool = false) async throws(PlatformError) {
        struct Subscription: Encodable { var name: String; var description: String }
        var parameters = Parameters()
        parameters.add("subscriptions", json: [Subscription(name: stream, description: description)])
        if !principals.isEmpty { parameters.add("principals", json: principals) }
        parameters.add("invite_only", inviteOnly)
        _ = try await call("POST", Self.path("users", "me", "subscriptions"), parameters, as: Done.self)
    }

    /// Removes `principals` (the bot itself when empty) from a stream.
    public func unsubscribe(_ principals: [String] = [], from stream: String) async throws(PlatformError) {
        var parameters = Parameters()
        parameters.add("subscriptions", json: [stream])
        if !principals.isEmpty { parameters.add("principals", json: principals) }
        _ = try await call("DELETE", Self.path("users", "me", "subscriptions"), parameters, as: Done.self)
    }

    /// The emails of a stream's subscribers.
    public func subscribers(of stream: Int) async throws(PlatformError) -> [Int] {
        struct Found: Decodable { var subscribers: [Int] }
        return try await call("GET", Self.path("streams", String(stream), "members"), as: Found.self).subscribers
    }

    /// Changes a stream's description or name.
    public func updateStream(_ id: Int, description: String? = nil, newName: String? = nil) async throws(PlatformError) {
        var parameters = Parameters()
        parameters.add("description", description)
        parameters.add("new_name", newName)
        _ = try await call("PATCH", Self.path("streams", String(id)), parameters, as: Done.self)
    }

    /// Archives a stream (its messages stay; it leaves every list).
    public func archiveStream(_ id: Int) async throws(PlatformError) {
        _ = try await call("DELETE", Self.path("streams", String(id)), as: Done.self)
    }

    /// A stream's topics, newest first.
    public func topics(of stream: Int) async throws(PlatformError) -> [ZulipTopic] {
        struct Found: Decodable { var topics: [ZulipTopic] }
        return try await call("GET", Self.path("users", "me", String(stream), "topics"), as: Found.self).topics
    }

    // MARK: Users and groups

    public func users() async throws(PlatformError) -> [ZulipUser] {
        struct Found: Decodable { var members: [ZulipUser] }
        return try await call("GET", Self.path("users"), as: Found.self).members
    }

    /// Creates a user (an organisation administrator's bot with the `can_create_users` right).
    public func createUser(email: String, fullName: String, password: String) async throws(PlatformError) -> Int {
        var parameters = Parameters()
        parameters.add("email", email)
        parameters.add("full_name", fullName)
        parameters.add("password", password)
        struct Created: Decodable { var user_id: Int }
        return try await call("POST", Self.path("users"), parameters, as: Created.self).user_id
    }

    /// Deactivates a user.
    public func deactivateUser(_ id: Int) async throws(PlatformError) {
        _ = try await call("DELETE", Self.path("users", String(id)), as: Done.self)
    }

    public func userGroups() async throws(PlatformError) -> [ZulipUserGroup] {
        struct Found: Decodable { var user_groups: [ZulipUserGroup] }
        return try await call("GET", Self.path("user_groups"), as: Found.self).user_groups
    }

    public func createUserGroup(_ name: String, description: String, members: [Int]) async throws(PlatformError) {
        var parameters = Parameters()
        parameters.add("name", name)
        parameters.add("description", description)
        parameters.add("members", json: members)
        _ = try await call("POST", Self.path("user_groups", "create"), parameters, as: Done.self)
    }

    /// A user's presence: the newest status (`active`, `idle`) across their clients.
    public func presence(of user: String) async throws(PlatformError) -> String? {
        struct Client: Decodable { var status: String; var timestamp: Double }
        struct Found: Decodable { var presence: [String: Client] }
        let clients = try await call("GET", Self.path("users", user, "presence"), as: Found.self).presence
        return clients.filter { $0.key != "aggregated" }.values.max { $0.timestamp < $1.timestamp }?.status ?? clients["aggregated"]?.status
    }
}

extension ZulipClient {
    /// Uploads a file; answers its path on the server (`/user_uploads/…`), to link in a message.
    public func upload(fileName: String, contentType: String, bytes: [UInt8]) async throws(PlatformError) -> String {
        var form = MultipartForm()
        form.add("filename", fileName: fileName, contentType: contentType, bytes: bytes)
        struct Uploaded: Decodable { var uri: String }
        return try await call("POST", Self.path("user_uploads"), form: form, as: Uploaded.self).uri
    }
}
