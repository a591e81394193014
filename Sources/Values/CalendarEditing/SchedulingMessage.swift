import ContentLines
public import ICalendar

/// The iTIP messages (RFC 5546) an organizer sends about one of its calendar objects, as
/// values: the object itself under `METHOD:REQUEST`, or under `METHOD:CANCEL` with each event
/// cancelled. iMIP (RFC 6047) carries them as `text/calendar` parts.
public enum SchedulingMessage {
    /// The object as a REQUEST (§3.2.2): every event, override and time zone it holds, to
    /// every attendee.
    public static func request(_ object: Component) -> String {
        ICalendarSerializer().string(withMethod("REQUEST", object))
    }

    /// The object as a CANCEL (§3.2.5): each event `STATUS:CANCELLED` with its `SEQUENCE`
    /// raised and `DTSTAMP` set to `stamp`. With `attendees`, the message is for those only
    /// (attendees taken off the event): their lines alone stay.
    public static func cancel(_ object: Component, stamp: Int64, attendees: [String]? = nil) -> String {
        var object = object
        let only = attendees.map { Set($0.map { $0.lowercased() }) }
        let text = DateTime(LocalDateTime(secondsSinceEpoch: stamp), form: .utc).icalendarText
        for index in object.components.indices where object.components[index].name == ComponentName.event {
            var event = object.components[index]
            event.status = .cancelled
            event.setSequence(((try? event.sequence) ?? 0) + 1)
            event.setProperty(Property(name: PropertyName.timestamp, value: text))
            if let only {
                event.properties.removeAll { $0.name == PropertyName.attendee && !only.contains($0.value.lowercased()) }
            }
            object.components[index] = event
        }
        return ICalendarSerializer().string(withMethod("CANCEL", object))
    }

    /// Everyone the object invites: the attendees of its events as lower-cased `mailto:`
    /// URIs, each once, in order, without the organizer.
    public static func attendees(of object: Component) -> [String] {
        var seen: Set<String> = []
        var found: [String] = []
        for event in object.components where event.name == ComponentName.event {
            let organizer = event.organizer?.address.uri.lowercased()
            for attendee in event.attendees {
                let uri = attendee.address.uri.lowercased()
                if uri != organizer, seen.insert(uri).inserted { found.append(uri) }
            }
        }
        return found
    }

    /// The organizer of the object's first event that names one, as a lower-cased URI.
    public static func organizer(of object: Component) -> String? {
        object.components.lazy.filter { $0.name == ComponentName.event }.compactMap { $0.organizer?.address.uri.lowercased() }.first
    }

    static func withMethod(_ method: String, _ object: Component) -> Component {
        var object = object
        object.setProperty(Property(name: "METHOD", value: method))
        return object
    }
}
