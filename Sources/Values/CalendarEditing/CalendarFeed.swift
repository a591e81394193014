import ContentLines
public import ICalendar

/// A subscribable calendar (`webcal`) made of stored calendar objects: one `VCALENDAR`
/// with their events, each time zone they use once, and how often to refresh it (RFC 7986
/// `REFRESH-INTERVAL`, and `X-PUBLISHED-TTL` for clients that only know that one). Busy-only
/// feeds keep the times and recurrence of each event and nothing else: no summary, place,
/// description, people or alarms; free (transparent) and cancelled events are left out.
public struct CalendarFeed: Sendable {
    public var name: String
    public var busyOnly: Bool
    /// How often subscribers should fetch the feed again, in minutes.
    public var refreshMinutes: Int

    public init(name: String, busyOnly: Bool, refreshMinutes: Int = 15) {
        self.name = name
        self.busyOnly = busyOnly
        self.refreshMinutes = refreshMinutes
    }

    /// The feed of these calendar objects (unreadable ones are left out).
    public func calendar(of objects: [Component]) -> Component {
        var feed = Component.calendar(productID: "-//Switchboard//Feed//EN")
        for property in [
            Property(name: PropertyName.calendarScale, value: "GREGORIAN"), Property(name: PropertyName.method, value: "PUBLISH"),
            Property(name: "X-WR-CALNAME", text: name), Property(name: "NAME", text: name),
            Property(name: "REFRESH-INTERVAL", parameters: [Parameter(name: "VALUE", value: "DURATION")], value: "PT\(refreshMinutes)M"),
            Property(name: "X-PUBLISHED-TTL", value: "PT\(refreshMinutes)M"),
        ] {
            feed.appendProperty(property)
        }
        var zones: [String: Component] = [:]
        var events: [Component] = []
        for object in objects {
            for zone in object.components(ComponentName.timeZone) {
                if let tzid = zone.property(PropertyName.timeZoneID)?.value, zones[tzid] == nil { zones[tzid] = zone }
            }
            let objectEvents = object.components(ComponentName.event)
            if busyOnly {
                // A series whose master is free or cancelled is left out whole.
                let master = objectEvents.first { $0.property(PropertyName.recurrenceID) == nil }
                if let master, !Self.blocksTime(master) { continue }
                events += objectEvents.map { Self.busy($0) }
            } else {
                events += objectEvents
            }
        }
        // Only the zones the published events use.
        let used = Set(events.flatMap(\.properties).compactMap(\.timeZoneID))
        feed.components = zones.keys.sorted().filter(used.contains).compactMap { zones[$0] } + events
        feed.addMissingTimeZones()
        return feed
    }

    static func blocksTime(_ event: Component) -> Bool {
        event.transparency != .transparent && event.status != .cancelled
    }

    /// The event as busy time: its identity, times and recurrence only. An override that
    /// frees or cancels its occurrence stays (as cancelled), so the occurrence is not busy.
    static func busy(_ event: Component) -> Component {
        let kept: Set<String> = [PropertyName.uid, PropertyName.timestamp, PropertyName.start, PropertyName.end, PropertyName.duration,
                                 PropertyName.recurrenceRule, PropertyName.recurrenceDate, PropertyName.exceptionDate,
                                 PropertyName.recurrenceID, PropertyName.sequence]
        var busy = Component(ComponentName.event, properties: event.properties.filter { kept.contains($0.name) })
        busy.appendProperty(Property(name: PropertyName.summary, value: "Busy"))
        busy.appendProperty(Property(name: "CLASS", value: "PRIVATE"))
        if !blocksTime(event) { busy.status = .cancelled }
        return busy
    }
}
