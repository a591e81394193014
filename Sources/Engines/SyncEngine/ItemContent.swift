public import ContentLines
public import DAVClient
import ICalendar
import SyncContent
public import SyncPlanning
public import SwitchboardStore
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

    /// The master's summary, status, transparency and recurrence flag, and the span the
    /// time index keeps: from the earliest instant any of the object's instances may start —
    /// overrides moved earlier, RDATEs before DTSTART and overrides without their master
    /// included — to the latest one may end (none for a series that runs on). All-day and
    /// floating times have no instant until a reader's zone is known: they are widened to
    /// every zone's (14 hours before, 12 after), so that a query needs no margin.
    private static func fields(of calendars: [Component]) -> ItemFields {
        guard let calendar = calendars.first else { return ItemFields() }
        let items = calendar.components.filter { [ComponentName.event, ComponentName.todo, ComponentName.journal].contains($0.name) }
        guard let master = items.first(where: { $0.property(PropertyName.recurrenceID) == nil }) ?? items.first else { return ItemFields() }
        let resolver = TimeZoneResolver(calendar: calendar)
        /// The earliest (`late: false`) or latest instant a value may stand for: a zone
        /// nothing knows is read by busy time in the resource's zone and widened by 14 hours,
        /// so its span here is wider still.
        func utc(_ value: DateOrDateTime?, late: Bool) -> Int64? {
            let slack: Int64 = late ? 12 * 3600 : -14 * 3600
            switch value {
            case .date(let date)?: return LocalDateTime(date: date).secondsSinceEpoch + slack
            case .dateTime(let dateTime)?:
                if let instant = try? resolver.utcSeconds(for: dateTime) { return instant }
                let unknownZone: Int64 = dateTime.form == .floating ? 0 : (late ? 16 : -14) * 3600
                return dateTime.local.secondsSinceEpoch + slack + unknownZone
            case nil: return nil
            }
        }
        // Values that do not parse leave their field empty: the item still syncs.
        let start = (try? master.start) ?? (try? master.due) ?? nil
        let recurring = master.isRecurring
        var starts = items.compactMap { utc((try? $0.start) ?? (try? $0.due) ?? nil, late: false) }
        starts += ((try? master.recurrenceDates) ?? []).compactMap { date -> Int64? in
            switch date {
            case .instant(let value): utc(value, late: false)
            case .period(let period): utc(.dateTime(period.start), late: false)
            }
        }
        var fields = ItemFields(
            summary: master.summary, startUTC: starts.min(), endUTC: nil, allDay: start?.isDate ?? false,
            status: master.status?.rawValue, transparency: master.transparency.rawValue, recurring: recurring,
            lastModified: ((try? master.lastModified) ?? nil).flatMap { try? resolver.utcSeconds(for: $0) })
        let ends = items.filter { $0.property(PropertyName.recurrenceID) != nil || !recurring }
            .compactMap { utc((try? $0.effectiveEnd()) ?? nil, late: true) ?? utc((try? $0.start) ?? nil, late: true) }
        if recurring {
            let overrides = items.filter { $0.property(PropertyName.recurrenceID) != nil && $0.uid == master.uid }
            // A series that runs on has no end; a bounded one ends with its last instance or its latest override.
            if let last = (try? RecurrenceSet(master: master, overrides: overrides, resolver: resolver).lastEnd()) ?? nil {
                fields.endUTC = ([last + (start?.isDate == true || Self.isFloating(start) ? 12 * 3600 : 0)] + ends).max()
            }
        } else {
            fields.endUTC = ends.max() ?? fields.startUTC
        }
        return fields
    }

    private static func isFloating(_ value: DateOrDateTime?) -> Bool {
        if case .dateTime(let dateTime)? = value { return dateTime.form == .floating }
        return false
    }
}
