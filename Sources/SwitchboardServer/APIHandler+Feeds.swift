import Caching
import CalendarEditing
import Foundation
import ICalendar
import OpenAPIRuntime
import SwitchboardAPI
import SyncEngine
import SyncStore

/// Feeds: a calendar, or a resource's calendars, published at a secret URL for calendar
/// apps to subscribe to, in full or as busy time only.
extension APIHandler {
    func listFeeds(_ input: Operations.ListFeeds.Input) async throws -> Operations.ListFeeds.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.read)
            let feeds = try await call { () throws(StoreError) in try await store.feeds(tenantID: principal.tenantID) }
            let resources = try await directory().resources
            return .ok(.init(body: .json(feeds.map { feed in
                Self.feed(feed, resource: resources.first { $0.id == feed.resourceID }.map(\.localName), url: nil)
            })))
        }
    }

    func createFeed(_ input: Operations.CreateFeed.Input) async throws -> Operations.CreateFeed.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            guard !body.name.isEmpty, body.name.count <= 100 else { throw Problem.invalid("name", "1 to 100 characters") }
            var calendarID: String?
            var resource: ResourceRecord?
            switch (body.calendarId, body.resource) {
            case (let id?, nil):
                calendarID = try await collection(id, of: principal, kind: .calendar).id
            case (nil, let name?):
                resource = try await self.resource(named: name, of: principal)
            default:
                throw Problem.invalid("calendarId", "give calendarId or resource")
            }
            let (token, hash) = SecretToken.generate(prefix: "")
            let feed = FeedRecord(tenantID: principal.tenantID, name: body.name, tokenHash: hash, calendarID: calendarID,
                                  resourceID: resource?.id, busyOnly: body.busyOnly ?? false)
            try await call { () throws(StoreError) in try await store.saveFeed(feed) }
            audit("feed.create", principal, target: feed.id)
            return .created(.init(body: .json(Self.feed(feed, resource: resource.map(\.localName), url: "/ics/\(token).ics"))))
        }
    }

    func deleteFeed(_ input: Operations.DeleteFeed.Input) async throws -> Operations.DeleteFeed.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            let feeds = try await call { () throws(StoreError) in try await store.feeds(tenantID: principal.tenantID) }
            guard let feed = feeds.first(where: { $0.id == input.path.feedId }) else { throw Problem.notFound("no feed \(input.path.feedId)") }
            _ = try await call { () throws(StoreError) in try await store.deleteFeed(id: feed.id) }
            audit("feed.delete", principal, target: feed.id)
            return .noContent(.init())
        }
    }

    func getFeedCalendar(_ input: Operations.GetFeedCalendar.Input) async throws -> Operations.GetFeedCalendar.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let name = input.path.feed
            let missing = Problem.notFound("no such feed")
            guard name.hasSuffix(".ics") else { throw missing }
            let hash = SecretToken.hash(String(name.dropLast(4)))
            guard let feed = try await call({ () throws(StoreError) in try await store.feed(hash: hash) }) else { throw missing }
            let (text, etag) = try await published(feed)
            if let wanted = input.headers.ifNoneMatch, wanted.split(separator: ",").contains(where: {
                let tag = $0.trimmingCharacters(in: .whitespaces)
                return tag == etag || tag == "W/" + etag || tag == "*"
            }) {
                return .notModified(.init(headers: .init(eTag: etag)))
            }
            return .ok(.init(headers: .init(eTag: etag), body: .textCalendar(HTTPBody(text))))
        }
    }

    /// A feed's calendar and its entity tag, made once per state of the store (calendar apps
    /// poll, mostly to hear 304).
    func published(_ feed: FeedRecord) async throws(Problem) -> (text: String, etag: String) {
        try await feeds.value(for: feed.id, version: Int64(truncatingIfNeeded: store.writeGeneration)) { () async throws(Problem) in
            let objects = try await publishedObjects(of: feed)
            let text = ICalendarSerializer().string(CalendarFeed(name: feed.name, busyOnly: feed.busyOnly).calendar(of: objects))
            return (text, "\"" + ContentHash.hex(of: text) + "\"")
        }
    }

    /// The calendar objects a feed publishes: its calendar's, or its resource's calendars',
    /// as long as they are still its tenant's.
    func publishedObjects(of feed: FeedRecord) async throws(Problem) -> [Component] {
        let owner = Principal(tenantID: feed.tenantID, scope: .read, keyID: feed.id)
        var calendarIDs: [String] = []
        if let calendarID = feed.calendarID {
            calendarIDs = [try await collection(calendarID, of: owner, kind: .calendar).id]
        } else if let resourceID = feed.resourceID {
            guard let resource = try await directory().resources.first(where: { $0.id == resourceID && $0.tenantID == feed.tenantID }) else {
                throw Problem.notFound("no such feed")
            }
            // The resource's calendars are checked again: a feed publishes its tenant's calendars only.
            for calendarID in resource.calendarIDs {
                calendarIDs.append(try await collection(calendarID, of: owner, kind: .calendar).id)
            }
        }
        var objects: [Component] = []
        for calendarID in calendarIDs {
            for item in try await call({ () throws(StoreError) in try await store.items(in: calendarID) }) {
                if let data = item.currentData, let object = try? ICalendarParser().parse(data).components.first { objects.append(object) }
            }
        }
        return objects
    }

    static func feed(_ feed: FeedRecord, resource: String?, url: String?) -> Components.Schemas.Feed {
        .init(id: feed.id, name: feed.name, calendarId: feed.calendarID, resource: resource, busyOnly: feed.busyOnly, createdAt: feed.createdAt, url: url)
    }
}
