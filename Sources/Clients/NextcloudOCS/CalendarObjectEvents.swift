import Foundation

/// Nextcloud's calendar object events (`OCP\Calendar\Events`, Nextcloud 32 and later) as
/// webhook_listeners delivers them, and the calendars they name.
public enum CalendarObjectEvents {
    /// The event classes that name one calendar (in `event.calendarData`).
    public static let singleCalendar = [
        #"OCP\Calendar\Events\CalendarObjectCreatedEvent"#,
        #"OCP\Calendar\Events\CalendarObjectUpdatedEvent"#,
        #"OCP\Calendar\Events\CalendarObjectDeletedEvent"#,
        #"OCP\Calendar\Events\CalendarObjectMovedToTrashEvent"#,
        #"OCP\Calendar\Events\CalendarObjectRestoredEvent"#,
    ]
    /// An object moved between calendars: it names both (`event.sourceCalendarData`,
    /// `event.targetCalendarData`).
    public static let moved = #"OCP\Calendar\Events\CalendarObjectMovedEvent"#

    /// The registrations that report every change to the calendars of `owner` (a user id)
    /// to `uri` with `headers`: one per single-calendar class, two for moves (the calendar
    /// left and the one entered).
    public static func registrations(owner: String, uri: String, headers: [String: String]) -> [WebhookRegistration] {
        let principal = CalendarReference.principalURI(owner: owner)
        return singleCalendar.map { event in
            WebhookRegistration(uri: uri, event: event, equalities: ["event.calendarData.principaluri": principal], headers: headers)
        } + ["sourceCalendarData", "targetCalendarData"].map { side in
            WebhookRegistration(uri: uri, event: moved, equalities: ["event.\(side).principaluri": principal], headers: headers)
        }
    }
}

/// A calendar as Nextcloud's events name it: its owner's principal and its URI segment.
public struct CalendarReference: Sendable, Hashable {
    /// `principals/users/USER`.
    public var principalURI: String
    /// The calendar's last path segment (`personal`).
    public var uri: String

    public init(principalURI: String, uri: String) {
        self.principalURI = principalURI
        self.uri = uri
    }

    static func principalURI(owner: String) -> String { "principals/users/" + owner }

    /// The owner's user id, when the principal is a user's.
    public var owner: String? {
        let prefix = Self.principalURI(owner: "")
        guard principalURI.hasPrefix(prefix), principalURI.count > prefix.count else { return nil }
        return String(principalURI.dropFirst(prefix.count))
    }

    /// Whether the collection at `href` is this calendar: its last two segments are the
    /// owner and the URI (`/remote.php/dav/calendars/anna/personal/` on Nextcloud).
    public func names(href: String) -> Bool {
        guard let owner else { return false }
        let segments = Self.segments(href)
        return segments.suffix(2) == [owner, uri]
    }

    /// The owner of the calendar at `href`, by the same layout: the segment before its last.
    public static func owner(ofCalendarAt href: String) -> String? {
        let segments = segments(href)
        return segments.count >= 2 ? segments[segments.count - 2] : nil
    }

    private static func segments(_ href: String) -> [String] {
        let path = URL(string: href).map { $0.path(percentEncoded: true) } ?? href
        return path.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
    }
}
