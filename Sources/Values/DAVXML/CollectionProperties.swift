/// What a `PROPFIND` says about a collection: its kind and the properties calendar and
/// contact clients need (RFC 4918, RFC 4791 §5.2, RFC 6352 §6.2, RFC 6578, and the
/// Apple/CalendarServer extensions every server sends).
public struct CollectionProperties: Sendable, Hashable {
    /// Kinds of collection, from `DAV:resourcetype`.
    public struct Kind: OptionSet, Sendable, Hashable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// A WebDAV collection.
        public static let collection = Kind(rawValue: 1 << 0)
        /// A CalDAV calendar.
        public static let calendar = Kind(rawValue: 1 << 1)
        /// A CardDAV address book.
        public static let addressBook = Kind(rawValue: 1 << 2)
        /// A calendar subscription (CalendarServer `subscribed`).
        public static let subscribed = Kind(rawValue: 1 << 3)
        /// A scheduling inbox or outbox (RFC 6638).
        public static let scheduling = Kind(rawValue: 1 << 4)
    }

    /// The collection's href.
    public var href: String
    /// What `DAV:resourcetype` says it is.
    public var kind: Kind
    /// `DAV:displayname`.
    public var displayName: String?
    /// Apple's `calendar-color` (`#RRGGBB[AA]`).
    public var color: String?
    /// CalendarServer's `getctag`.
    public var ctag: String?
    /// `DAV:sync-token` (RFC 6578).
    public var syncToken: String?
    /// The component names CalDAV `supported-calendar-component-set` allows (`VEVENT`, `VTODO`).
    public var supportedComponents: [String]
    /// The time zone `calendar-timezone` holds (a VCALENDAR with one VTIMEZONE), as text.
    public var calendarTimeZone: String?
    /// The privileges `DAV:current-user-privilege-set` lists (`read`, `write`, `all`…).
    public var privileges: [QualifiedName]

    /// Reads one response of a depth-1 PROPFIND.
    public init(_ response: Response) {
        href = response.href
        var kind: Kind = []
        for type in response.property(.dav("resourcetype"))?.element.children ?? [] {
            switch type.name {
            case .dav("collection"): kind.insert(.collection)
            case .caldav("calendar"): kind.insert(.calendar)
            case .carddav("addressbook"): kind.insert(.addressBook)
            case QualifiedName("http://calendarserver.org/ns/", "subscribed"): kind.insert(.subscribed)
            case .caldav("schedule-inbox"), .caldav("schedule-outbox"): kind.insert(.scheduling)
            default: break
            }
        }
        self.kind = kind
        func found(_ name: QualifiedName) -> XMLElement? {
            guard let (element, status) = response.property(name), status == 200 else { return nil }
            return element
        }
        displayName = found(.dav("displayname")).map(\.trimmedText)
        color = found(QualifiedName("http://apple.com/ns/ical/", "calendar-color")).map(\.trimmedText)
        ctag = found(QualifiedName("http://calendarserver.org/ns/", "getctag")).map(\.trimmedText)
        syncToken = found(.dav("sync-token")).map(\.trimmedText)
        supportedComponents =
            found(.caldav("supported-calendar-component-set"))?.children(.caldav("comp"))
            .compactMap { $0.attributes[QualifiedName("", "name")] } ?? []
        calendarTimeZone = found(.caldav("calendar-timezone")).map(\.text)
        privileges =
            found(.dav("current-user-privilege-set"))?.children(.dav("privilege")).flatMap { $0.children.map(\.name) } ?? []
    }

    /// Whether the current user may write to it (`write`, `write-content` or `all`).
    public var isWritable: Bool {
        privileges.contains { [.dav("write"), .dav("write-content"), .dav("all")].contains($0) }
    }
}
