public import ContentLines
public import ICalendar
public import SyncPlanning
public import VCard

/// What the sync engine compares instead of bytes: a hash of an object's meaning, which
/// stays the same when a server rewrites what does not matter (DTSTAMP, PRODID, VTIMEZONE
/// definitions and order, property and parameter order, folding, `X-RADICALE-NAME`), and
/// the version `newest-wins` compares.
public struct ContentFingerprint: Sendable, Hashable {
    /// The object's UID (the master component's for iCalendar).
    public var uid: String?
    /// The normalised hash and the version, as the planner takes them.
    public var state: ItemState

    /// Properties servers add or rewrite on their own.
    static let ignoredProperties: Set<String> = ["DTSTAMP", "PRODID", "X-RADICALE-NAME"]

    /// The fingerprint of an iCalendar object (a VCALENDAR with one event, to-do or journal
    /// and its overrides).
    public init(calendarObject bytes: [UInt8]) throws(ParseError) {
        self.init(calendar: try ICalendarParser().parse(bytes).components)
    }

    /// The fingerprint of parsed `VCALENDAR` components (parse once, use twice).
    public init(calendar components: [Component]) {
        let canonical = components.map(Self.canonical).sorted().joined()
        let items = components.flatMap(\.components).filter { ["VEVENT", "VTODO", "VJOURNAL"].contains($0.name.uppercased()) }
        let master = items.first { $0.property("RECURRENCE-ID") == nil } ?? items.first
        uid = master?.uid
        var version = ItemVersion(sequence: master?.property("SEQUENCE").flatMap { Int($0.value.trimmingSpaces) } ?? 0)
        if case .dateTime(let stamp)? = try? master?.property("LAST-MODIFIED")?.dateOrDateTime(), stamp.form == .utc {
            version.lastModified = stamp.local.secondsSinceEpoch
        }
        state = ItemState(contentHash: Self.digest(canonical), version: version)
    }

    /// The fingerprint of a vCard (`REV` is its last-modified).
    public init(vCard bytes: [UInt8]) throws(ParseError) {
        self.init(cards: try VCardParser().parse(bytes).cards)
    }

    /// The fingerprint of parsed vCards.
    public init(cards: [VCard]) {
        let canonical = cards.map { card in
            "BEGIN:VCARD\n" + card.properties.filter { !Self.ignoredProperties.contains($0.name.uppercased()) }
                .map(Self.canonical).sorted().joined() + "END:VCARD\n"
        }.joined()
        uid = cards.first?.uid
        var version = ItemVersion()
        if let revision = cards.first?.properties.first(where: { $0.name.uppercased() == "REV" }),
            case .dateTime(let stamp)? = try? Property(name: "REV", value: revision.value).dateOrDateTime(), stamp.form == .utc
        {
            version.lastModified = stamp.local.secondsSinceEpoch
        }
        state = ItemState(contentHash: Self.digest(canonical), version: version)
    }

    /// A component as sorted canonical lines, VTIMEZONEs left out (servers replace their
    /// definitions; the TZIDs that refer to them stay in the properties).
    static func canonical(_ component: Component) -> String {
        let name = component.name.uppercased()
        guard name != "VTIMEZONE" else { return "" }
        let lines = component.properties.filter { !ignoredProperties.contains($0.name.uppercased()) }.map(canonical).sorted()
        let children = component.components.map(canonical).filter { !$0.isEmpty }.sorted()
        return "BEGIN:\(name)\n" + lines.joined() + children.joined() + "END:\(name)\n"
    }

    /// One content line with its name upper-cased and its parameters sorted.
    static func canonical(_ line: ContentLine) -> String {
        let parameters = line.parameters.map { ";" + $0.name.uppercased() + "=" + ($0.rawValue ?? "") }.sorted().joined()
        return line.name.uppercased() + parameters + ":" + line.value + "\n"
    }

    /// Lower-case hexadecimal SHA-256.
    static func digest(_ text: String) -> String { Digest.sha256Hex(text) }
}

extension String {
    fileprivate var trimmingSpaces: Substring {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return text
    }
}
