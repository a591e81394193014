public import ContentLines
public import DAVClient
import ICalendar
import SyncContent
public import SyncPlanning
public import SyncStore
import VCard

/// What the engine reads from an item's bytes, parsing them once: the UID, the state the
/// planner compares, and the fields the store indexes.
public struct ItemContent: Sendable {
    public var uid: String?
    public var state: ItemState
    public var fields: ItemFields

    /// Analyses a calendar object or vCard; malformed data throws the parser's error.
    public init(_ data: String, flavor: ObjectFlavor) throws(ParseError) {
        let bytes = Array(data.utf8)
        switch flavor {
        case .calendar:
            let components = try ICalendarParser().parse(bytes).components
            let fingerprint = ContentFingerprint(calendar: components)
            uid = fingerprint.uid
            state = fingerprint.state
            fields = Self.fields(of: components)
        case .addressBook:
            let cards = try VCardParser().parse(bytes).cards
            let fingerprint = ContentFingerprint(cards: cards)
            uid = fingerprint.uid
            state = fingerprint.state
            fields = ItemFields(summary: cards.first?.property("FN")?.value, lastModified: fingerprint.state.version.lastModified)
        }
    }

    /// The master's summary, first start in UTC (an all-day date reads as UTC midnight; a
    /// floating time as UTC), end (of the last instance for a bounded series, none for one
    /// that runs on), status, transparency and recurrence flag.
    private static func fields(of calendars: [Component]) -> ItemFields {
        guard let calendar = calendars.first else { return ItemFields() }
        let items = calendar.components.filter { [ComponentName.event, ComponentName.todo, ComponentName.journal].contains($0.name) }
        guard let master = items.first(where: { $0.property(PropertyName.recurrenceID) == nil }) ?? items.first else { return ItemFields() }
        let resolver = TimeZoneResolver(calendar: calendar)
        func utc(_ value: DateOrDateTime?) -> Int64? {
            switch value {
            case .date(let date)?: LocalDateTime(date: date).secondsSinceEpoch
            case .dateTime(let dateTime)?: (try? resolver.utcSeconds(for: dateTime)) ?? dateTime.local.secondsSinceEpoch
            case nil: nil
            }
        }
        // Values that do not parse leave their field empty: the item still syncs.
        let start = (try? master.start) ?? (try? master.due) ?? nil
        let recurring = master.isRecurring
        var fields = ItemFields(
            summary: master.summary, startUTC: utc(start), endUTC: nil, allDay: start?.isDate ?? false,
            status: master.status?.rawValue, transparency: master.transparency.rawValue, recurring: recurring,
            lastModified: ((try? master.lastModified) ?? nil).flatMap { try? resolver.utcSeconds(for: $0) })
        if recurring {
            let overrides = items.filter { $0.property(PropertyName.recurrenceID) != nil && $0.uid == master.uid }
            fields.endUTC = (try? RecurrenceSet(master: master, overrides: overrides, resolver: resolver).lastEnd()) ?? nil
        } else {
            fields.endUTC = utc((try? master.effectiveEnd()) ?? nil) ?? fields.startUTC
        }
        return fields
    }
}
