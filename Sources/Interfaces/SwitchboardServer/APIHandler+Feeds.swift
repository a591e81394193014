import Foundation
import OpenAPIRuntime
import SwitchboardAPI
import SwitchboardCore
import SwitchboardStore

/// Feeds (``Tenant/feeds()``): a calendar, or a resource's calendars, published at a secret
/// URL for calendar apps to subscribe to, in full or as busy time only.
extension APIHandler {
    func listFeeds(_ input: Operations.ListFeeds.Input) async throws -> Operations.ListFeeds.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.read)
            let feeds = try await lookup { () throws(LookupError) in try await hub.tenant(principal.tenantID).feeds() }
            return .ok(.init(body: .json(feeds.map { Self.feed($0, url: nil) })))
        }
    }

    func createFeed(_ input: Operations.CreateFeed.Input) async throws -> Operations.CreateFeed.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            let source: FeedSource
            switch (body.calendarId, body.resource) {
            case (let id?, nil): source = .calendar(id)
            case (nil, let name?): source = .resource(name)
            default: throw Problem.invalid("calendarId", "give calendarId or resource")
            }
            let made: (feed: ListedFeed, path: String)
            do throws(FeedError) {
                made = try await hub.tenant(principal.tenantID).createFeed(name: body.name, source: source, busyOnly: body.busyOnly ?? false)
            } catch {
                switch error {
                case .invalidName: throw Problem.invalid("name", "1 to \(Tenant.maxFeedNameLength) characters")
                case .lookup(let error): throw Problem(error)
                }
            }
            audit("feed.create", principal, target: made.feed.record.id)
            return .created(.init(body: .json(Self.feed(made.feed, url: made.path))))
        }
    }

    func deleteFeed(_ input: Operations.DeleteFeed.Input) async throws -> Operations.DeleteFeed.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.admin)
            try await lookup { () throws(LookupError) in try await hub.tenant(principal.tenantID).deleteFeed(input.path.feedId) }
            audit("feed.delete", principal, target: input.path.feedId)
            return .noContent(.init())
        }
    }

    func getFeedCalendar(_ input: Operations.GetFeedCalendar.Input) async throws -> Operations.GetFeedCalendar.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let name = input.path.feed
            guard name.hasSuffix(".ics") else { throw Problem.notFound("no such feed") }
            let published: PublishedFeed
            do throws(LookupError) {
                published = try await hub.publishedFeed(token: String(name.dropLast(4)))
            } catch {
                // Whatever is missing, the answer names no token, calendar or resource.
                if case .store(let error) = error { throw Problem(error) }
                throw Problem.notFound("no such feed")
            }
            let etag = published.etag
            if let wanted = input.headers.ifNoneMatch, wanted.split(separator: ",").contains(where: {
                let tag = $0.trimmingCharacters(in: .whitespaces)
                return tag == etag || tag == "W/" + etag || tag == "*"
            }) {
                return .notModified(.init(headers: .init(eTag: etag)))
            }
            return .ok(.init(headers: .init(eTag: etag), body: .textCalendar(HTTPBody(published.text))))
        }
    }

    static func feed(_ feed: ListedFeed, url: String?) -> Components.Schemas.Feed {
        let record = feed.record
        return .init(id: record.id, name: record.name, calendarId: record.calendarID, resource: feed.resourceName, busyOnly: record.busyOnly,
                     createdAt: record.createdAt, url: url)
    }
}
