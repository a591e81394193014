public import HTTPTransport

/// An event from a Zulip event queue: its id, its type, and the message of a `message` event.
public struct ZulipEvent: Sendable, Hashable, Decodable {
    public var id: Int
    public var type: String
    public var message: ZulipMessage?
}

/// A registered event queue, long-polled: each ``next()`` answers the events after the last
/// one seen. When Zulip has dropped the queue (`BAD_EVENT_QUEUE_ID`, after ten idle minutes
/// or a server restart) it registers a new one and says so, since events in between are
/// lost: the caller then reads again what it keeps (messages since its newest, say).
public struct ZulipEventQueue: Sendable {
    public let client: ZulipClient
    public let eventTypes: [String]
    /// The streams the queue is narrowed to (none: every event of its types).
    public let streams: [String]
    public private(set) var queueID: String
    public private(set) var lastEventID: Int

    /// What a poll brought.
    public struct Batch: Sendable, Hashable {
        public var events: [ZulipEvent]
        /// The queue was registered anew: events between the old one and the new were missed.
        public var queueWasReset: Bool
    }

    /// Registers a queue for `eventTypes` (`message`, `subscription`, `stream`…), of the
    /// messages of `streams` only when some are given.
    public init(client: ZulipClient, eventTypes: [String], streams: [String] = []) async throws(PlatformError) {
        self.client = client
        self.eventTypes = eventTypes
        self.streams = streams
        (queueID, lastEventID) = try await Self.register(client, eventTypes, streams)
    }

    private static func register(_ client: ZulipClient, _ eventTypes: [String], _ streams: [String]) async throws(PlatformError) -> (String, Int) {
        var parameters = ZulipClient.Parameters()
        parameters.add("event_types", json: eventTypes)
        if !streams.isEmpty { parameters.add("narrow", json: streams.map { ["stream", $0] }) }
        parameters.add("apply_markdown", false)
        struct Registered: Decodable { var queue_id: String?; var last_event_id: Int }
        let registered = try await client.call("POST", ZulipClient.path("register"), parameters, as: Registered.self)
        guard let queue = registered.queue_id else {
            throw PlatformError(.malformedResponse, platform: "Zulip", method: "POST", url: "register", detail: "no queue_id in the answer")
        }
        return (queue, registered.last_event_id)
    }

    /// The next events: waits (long-polls) until there are some or the server's heartbeat,
    /// unless `wait` is false.
    public mutating func next(wait: Bool = true) async throws(PlatformError) -> Batch {
        var parameters = ZulipClient.Parameters()
        parameters.add("queue_id", queueID)
        parameters.add("last_event_id", lastEventID)
        parameters.add("dont_block", !wait)
        struct Polled: Decodable { var events: [ZulipEvent] }
        do {
            let events = try await client.call("GET", ZulipClient.path("events"), parameters, as: Polled.self).events
            lastEventID = max(lastEventID, events.map(\.id).max() ?? lastEventID)
            return Batch(events: events.filter { $0.type != "heartbeat" }, queueWasReset: false)
        } catch where error.vendorCode == "BAD_EVENT_QUEUE_ID" {
            (queueID, lastEventID) = try await Self.register(client, eventTypes, streams)
            return Batch(events: [], queueWasReset: true)
        }
    }

    /// Deletes the queue on the server.
    public func close() async throws(PlatformError) {
        var parameters = ZulipClient.Parameters()
        parameters.add("queue_id", queueID)
        _ = try await client.call("DELETE", ZulipClient.path("events"), parameters, as: ZulipClient.Done.self)
    }
}
