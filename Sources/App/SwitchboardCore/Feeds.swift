import CalendarEditing
import ICalendar
import SyncEngine
public import SwitchboardStore
import Caching

/// What a feed publishes: one calendar, or the calendars a resource's availability reads.
public enum FeedSource: Sendable, Hashable {
    /// A calendar (collection id).
    case calendar(String)
    /// A resource, by the name its tenant gives it.
    case resource(String)
}

/// A feed as its tenant sees it: the record, and the name of its resource when it publishes one.
public struct ListedFeed: Sendable {
    public var record: FeedRecord
    public var resourceName: String?
}

/// A feed's calendar as served, with its entity tag.
public struct PublishedFeed: Sendable {
    public var text: String
    public var etag: String
}

/// Why a feed could not be made.
public enum FeedError: Error, Sendable, CustomStringConvertible {
    /// The name is empty or longer than ``Tenant/maxFeedNameLength`` characters.
    case invalidName
    /// The calendar or resource is not the tenant's.
    case lookup(LookupError)

    public var description: String {
        switch self {
        case .invalidName: "a feed's name has 1 to \(Tenant.maxFeedNameLength) characters"
        case .lookup(let error): error.description
        }
    }
}

/// Feeds: a calendar, or a resource's calendars, published at a secret URL for calendar apps
/// to subscribe to, in full or as busy time only.
extension Tenant {
    /// The longest name a feed takes.
    public static let maxFeedNameLength = 100

    /// The tenant's feeds, by creation.
    public func feeds() async throws(LookupError) -> [ListedFeed] {
        let feeds = try await stored { () throws(StoreError) in try await hub.store.feeds(tenantID: id) }
        let resources = try await hub.currentDirectory().resources
        return feeds.map { feed in ListedFeed(record: feed, resourceName: resources.first { $0.id == feed.resourceID }?.localName) }
    }

    /// Makes a feed of `source`; returns it with the path it is served at (`/ics/{token}.ics`),
    /// which is shown this once: only the token's hash is kept.
    public func createFeed(name: String, source: FeedSource, busyOnly: Bool) async throws(FeedError) -> (feed: ListedFeed, path: String) {
        guard !name.isEmpty, name.count <= Self.maxFeedNameLength else { throw .invalidName }
        var calendarID: String?
        var resource: ResourceRecord?
        do throws(LookupError) {
            switch source {
            case .calendar(let id): calendarID = try await collection(id, kind: .calendar).id
            case .resource(let name): resource = try await self.resource(named: name)
            }
        } catch {
            throw .lookup(error)
        }
        let (token, hash) = SecretToken.generate(prefix: "")
        let feed = FeedRecord(tenantID: id, name: name, tokenHash: hash, calendarID: calendarID, resourceID: resource?.id, busyOnly: busyOnly)
        do {
            try await hub.store.saveFeed(feed)
        } catch {
            throw .lookup(.store(error))
        }
        return (ListedFeed(record: feed, resourceName: resource?.localName), "/ics/\(token).ics")
    }

    /// Deletes one of the tenant's feeds.
    public func deleteFeed(_ feedID: String) async throws(LookupError) {
        let feeds = try await stored { () throws(StoreError) in try await hub.store.feeds(tenantID: id) }
        guard feeds.contains(where: { $0.id == feedID }) else { throw .unknownFeed(feedID) }
        _ = try await stored { () throws(StoreError) in try await hub.store.deleteFeed(id: feedID) }
    }
}

extension Hub {
    /// The calendar served at a feed's secret path (`/ics/{token}.ics`), made once per state of
    /// the store (calendar apps poll, mostly to hear it is unchanged). A feed publishes its
    /// tenant's calendars only: the resource's calendars are checked again each time.
    public func publishedFeed(token: String) async throws(LookupError) -> PublishedFeed {
        let found = try await stored { () throws(StoreError) in try await store.feed(hash: SecretToken.hash(token)) }
        guard let feed = found else { throw .unknownFeed(token) }
        return try await publishedFeeds.value(for: feed.id, version: Int64(truncatingIfNeeded: store.writeGeneration)) {
            () async throws(LookupError) in
            let objects = try await publishedObjects(of: feed)
            let text = ICalendarSerializer().string(CalendarFeed(name: feed.name, busyOnly: feed.busyOnly).calendar(of: objects))
            return PublishedFeed(text: text, etag: "\"" + ContentHash.hex(of: text) + "\"")
        }
    }

    /// The calendar objects a feed publishes: its calendar's, or its resource's calendars', as
    /// long as they are still its tenant's.
    func publishedObjects(of feed: FeedRecord) async throws(LookupError) -> [Component] {
        let owner = tenant(feed.tenantID)
        var calendarIDs: [String] = []
        do throws(LookupError) {
            if let calendarID = feed.calendarID {
                calendarIDs = [try await owner.collection(calendarID, kind: .calendar).id]
            } else if let resourceID = feed.resourceID {
                guard let resource = try await owner.resources().first(where: { $0.id == resourceID }) else { throw .unknownFeed(feed.id) }
                for calendarID in resource.calendarIDs {
                    calendarIDs.append(try await owner.collection(calendarID, kind: .calendar).id)
                }
            }
        } catch {
            // A calendar or resource that is no longer the tenant's ends the feed; a store failure stays one.
            if case .store = error { throw error }
            throw .unknownFeed(feed.id)
        }
        var objects: [Component] = []
        for calendarID in calendarIDs {
            for item in try await stored({ () throws(StoreError) in try await store.items(in: calendarID) }) {
                if let data = item.currentData, let object = try? ICalendarParser().parse(data).components.first { objects.append(object) }
            }
        }
        return objects
    }
}
