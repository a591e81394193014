import ContentLines
public import ICalendar

/// What makes an event block time: the resource's choices about tentative and all-day
/// events and who the resource is (to recognise invitations it declined).
public struct BusyRules: Sendable, Hashable, Codable {
    /// Whether `STATUS:TENTATIVE` blocks (it does by default).
    public var tentativeBlocks: Bool
    /// Whether all-day events block their whole day in the resource's zone.
    public var allDayBlocks: Bool
    /// The resource's calendar addresses (`mailto:…`), compared case-insensitively.
    public var addresses: [String]

    public init(tentativeBlocks: Bool = true, allDayBlocks: Bool = true, addresses: [String] = []) {
        self.tentativeBlocks = tentativeBlocks
        self.allDayBlocks = allDayBlocks
        self.addresses = addresses
    }
}

/// Which event (instance) blocks time, named without its details.
public struct EventReference: Sendable, Hashable, Codable {
    /// The calendar (store collection id) it is in.
    public var calendar: String
    public var uid: String?
    /// The instance's RECURRENCE-ID, for a recurring event.
    public var recurrenceID: String?

    public init(calendar: String, uid: String?, recurrenceID: String? = nil) {
        self.calendar = calendar
        self.uid = uid
        self.recurrenceID = recurrenceID
    }
}

/// A span that an event blocks, naming the event only by reference (a caller allowed to
/// see its details looks it up).
public struct BusyPeriod: Sendable, Hashable, Codable {
    public var interval: Interval
    public var event: EventReference
    /// `BUSY` or `BUSY-TENTATIVE` (RFC 5545 FBTYPE).
    public var tentative: Bool
    /// Why the span was read conservatively (an unknown time zone, an event that cannot be
    /// expanded), if it was.
    public var note: String?

    public init(interval: Interval, event: EventReference, tentative: Bool, note: String? = nil) {
        self.interval = interval
        self.event = event
        self.tentative = tentative
        self.note = note
    }
}

/// Reads the busy time of calendar objects: every instance overlapping a window, expanded
/// (recurrences, overrides, exceptions), minus what does not block — cancelled, transparent,
/// declined by the resource, tentative or all-day when the rules say so. All-day and
/// floating times are read in the resource's zone.
///
/// No event is ever dropped from busy time (fail safe): one in a time zone nothing knows is
/// read in the resource's zone and widened by ``unknownZoneWidening`` on each side, and one
/// that cannot be expanded at all makes the whole window busy; both carry a ``BusyPeriod/note``.
public struct BusyTimeReader: Sendable {
    public var rules: BusyRules
    public var zone: any ZoneRules
    /// The resource's zone by name (an IANA identifier), to read unknown zones in.
    public var zoneName: String?

    /// How far an instance read in a zone nothing knew is widened on each side: its real
    /// zone may be up to 14 hours from the resource's.
    public static let unknownZoneWidening: Int64 = 14 * 3600

    public init(rules: BusyRules, zone: any ZoneRules, zoneName: String? = nil) {
        self.rules = rules
        self.zone = zone
        self.zoneName = zoneName
    }

    /// The busy periods of one calendar object (a VCALENDAR) within `window`.
    public func busyPeriods(of calendar: Component, in window: Interval, calendarID: String) -> [BusyPeriod] {
        busyPeriods(of: CalendarSeries(calendar: calendar), in: window, calendarID: calendarID)
    }

    /// The busy periods of a calendar object's series, read once (see ``CalendarSeries``),
    /// within `window`.
    public func busyPeriods(of series: CalendarSeries, in window: Interval, calendarID: String) -> [BusyPeriod] {
        var series = series
        if !series.failures.isEmpty, let zoneName {
            // Components whose zone nothing knew: read again in the resource's zone.
            let retried = CalendarSeries(calendar: series.calendar, unknownZonesIn: zoneName)
            if !retried.zonesReadInFallback.isEmpty { series = retried }
        }
        let widening = series.zonesReadInFallback.isEmpty ? 0 : Self.unknownZoneWidening
        var notes = Dictionary(grouping: series.repairs, by: { $0.uid ?? "" }).mapValues { $0.map(\.note).joined(separator: "; ") }
        if !series.zonesReadInFallback.isEmpty {
            let zoneNote = "unknown time zone \(series.zonesReadInFallback.joined(separator: ", ")): read in \(zoneName ?? "the resource's zone") and widened by \(widening / 3600) h"
            for key in Set(series.sets.map { $0.uid ?? "" }) { notes[key] = notes[key].map { $0 + "; " + zoneNote } ?? zoneNote }
        }
        // All-day and floating instances are found by wall-clock bounds a day wider, then cut.
        let expansion = CalendarExpansion(series: series, from: .instant(window.start - 86_400 * 2 - widening),
                                          to: .instant(window.end + 86_400 * 2 + widening), limit: nil)
        var periods: [BusyPeriod] = []
        for occurrence in expansion.occurrences {
            let component = occurrence.component
            guard component.name == ComponentName.event, blocks(component) else { continue }
            let allDay = occurrence.start.isDate
            if allDay, !rules.allDayBlocks { continue }
            let read = Interval(start: occurrence.startUTC ?? zone.instant(of: occurrence.start.wallClock),
                                end: occurrence.endUTC ?? zone.instant(of: occurrence.end.wallClock))
            let interval = Interval(start: read.start - widening, end: read.end + widening)
            let span = interval.isEmpty ? Interval(start: interval.start, end: interval.start + 1) : interval
            guard span.overlaps(window) else { continue }
            let tentative = component.status == .tentative
            periods.append(BusyPeriod(
                interval: span,
                event: EventReference(calendar: calendarID, uid: occurrence.uid,
                                      recurrenceID: component.isRecurring || component.property(PropertyName.recurrenceID) != nil
                                          ? occurrence.recurrenceID.icalendarText : nil),
                tentative: tentative, note: notes[occurrence.uid ?? ""]))
        }
        // What cannot be expanded at all still blocks: the whole window.
        for failure in expansion.failures {
            periods.append(BusyPeriod(interval: window, event: EventReference(calendar: calendarID, uid: failure.uid), tentative: false,
                                      note: "cannot be expanded (\(failure.error)): the whole window is busy"))
        }
        return periods
    }

    /// Whether an instance blocks at all (its status, transparency and the resource's answer).
    func blocks(_ component: Component) -> Bool {
        switch component.status {
        case .cancelled?: return false
        case .tentative?: if !rules.tentativeBlocks { return false }
        default: break
        }
        if component.transparency == .transparent { return false }
        let addresses = Set(rules.addresses.map { $0.lowercased() })
        if !addresses.isEmpty,
            component.attendees.contains(where: { addresses.contains($0.property.value.lowercased()) && $0.participationStatus == "DECLINED" })
        {
            return false
        }
        return true
    }
}
