public import ContentLines

/// An iCalendar property: one content line (RFC 5545 §3.5). Typed accessors decode its
/// value on demand; the text itself is kept exactly as read.
public typealias Property = ContentLine

/// An iCalendar component (RFC 5545 §3.6): a name, its properties and its
/// subcomponents, in the order they were read.
///
/// A component round-trips losslessly: unknown and `X-` components and properties are
/// kept, and so is the rare layout where properties follow a subcomponent. Equality
/// compares names, properties and subcomponents, not layout or source positions.
public struct Component: Sendable, Hashable {
    /// The component name, upper case (`VEVENT`, `X-FOO`).
    public var name: String
    /// The properties, in order.
    public var properties: [Property]
    /// The subcomponents, in order.
    public var components: [Component]
    /// Where `BEGIN` was read, or `nil` for a component built in code.
    public var sourceLocation: SourceLocation?
    /// For each subcomponent, how many properties were written before it. A component
    /// built in code writes properties first; read ones keep their layout.
    var componentPositions: [Int]

    /// Creates a component.
    public init(
        _ name: String, properties: [Property] = [], components: [Component] = [],
        sourceLocation: SourceLocation? = nil
    ) {
        self.name = name
        self.properties = properties
        self.components = components
        self.sourceLocation = sourceLocation
        self.componentPositions = []
    }

    public static func == (lhs: Component, rhs: Component) -> Bool {
        lhs.name == rhs.name && lhs.properties == rhs.properties && lhs.components == rhs.components
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(properties)
        hasher.combine(components)
    }

    // MARK: Reading

    /// The first property with this name.
    public func property(_ name: String) -> Property? {
        properties.first { $0.name == name }
    }

    /// Every property with this name, in order.
    public func properties(_ name: String) -> [Property] {
        properties.filter { $0.name == name }
    }

    /// Every direct subcomponent with this name, in order.
    public func components(_ name: String) -> [Component] {
        components.filter { $0.name == name }
    }

    /// This component and all its descendants, depth first.
    public var allComponents: [Component] {
        var result: [Component] = [self]
        for component in components { result += component.allComponents }
        return result
    }

    // MARK: Editing

    /// Replaces the first property named `property.name` in place (or appends it) and
    /// removes any others of that name. Every other property keeps its position and text.
    public mutating func setProperty(_ property: Property) {
        guard let index = properties.firstIndex(where: { $0.name == property.name }) else {
            properties.append(property)
            return
        }
        properties[index] = property
        var position = properties.index(after: index)
        while position < properties.endIndex {
            if properties[position].name == property.name {
                removeProperty(at: position)
            } else {
                position += 1
            }
        }
    }

    /// Removes every property with this name.
    public mutating func removeProperties(_ name: String) {
        var position = properties.count - 1
        while position >= 0 {
            if properties[position].name == name { removeProperty(at: position) }
            position -= 1
        }
    }

    /// Appends a property after the existing ones.
    public mutating func appendProperty(_ property: Property) {
        properties.append(property)
    }

    /// Removes one property, keeping subcomponents where they were relative to the rest.
    public mutating func removeProperty(at index: Int) {
        properties.remove(at: index)
        for position in componentPositions.indices where componentPositions[position] > index {
            componentPositions[position] -= 1
        }
    }

    /// Appends a subcomponent after the existing ones.
    public mutating func appendComponent(_ component: Component) {
        components.append(component)
    }

    /// Where each subcomponent is written: the number of properties before it.
    var layout: [Int] {
        var positions: [Int] = []
        positions.reserveCapacity(components.count)
        var floor = 0
        for index in components.indices {
            let stored = index < componentPositions.count ? componentPositions[index] : properties.count
            floor = max(floor, min(stored, properties.count))
            positions.append(floor)
        }
        return positions
    }
}

/// Names of the components RFC 5545 and RFC 7953 define.
public enum ComponentName {
    public static let calendar = "VCALENDAR"
    public static let event = "VEVENT"
    public static let todo = "VTODO"
    public static let journal = "VJOURNAL"
    public static let freeBusy = "VFREEBUSY"
    public static let timeZone = "VTIMEZONE"
    public static let standard = "STANDARD"
    public static let daylight = "DAYLIGHT"
    public static let alarm = "VALARM"
    public static let availability = "VAVAILABILITY"
    public static let available = "AVAILABLE"
}

/// Names of the properties Switchboard reads and writes.
public enum PropertyName {
    public static let version = "VERSION"
    public static let productID = "PRODID"
    public static let calendarScale = "CALSCALE"
    public static let method = "METHOD"
    public static let uid = "UID"
    public static let timestamp = "DTSTAMP"
    public static let start = "DTSTART"
    public static let end = "DTEND"
    public static let due = "DUE"
    public static let duration = "DURATION"
    public static let summary = "SUMMARY"
    public static let description = "DESCRIPTION"
    public static let location = "LOCATION"
    public static let status = "STATUS"
    public static let transparency = "TRANSP"
    public static let sequence = "SEQUENCE"
    public static let created = "CREATED"
    public static let lastModified = "LAST-MODIFIED"
    public static let recurrenceID = "RECURRENCE-ID"
    public static let recurrenceRule = "RRULE"
    public static let exceptionRule = "EXRULE"
    public static let recurrenceDate = "RDATE"
    public static let exceptionDate = "EXDATE"
    public static let organizer = "ORGANIZER"
    public static let attendee = "ATTENDEE"
    public static let categories = "CATEGORIES"
    public static let completed = "COMPLETED"
    public static let trigger = "TRIGGER"
    public static let timeZoneID = "TZID"
    public static let timeZoneName = "TZNAME"
    public static let offsetFrom = "TZOFFSETFROM"
    public static let offsetTo = "TZOFFSETTO"
    public static let freeBusy = "FREEBUSY"
    public static let geo = "GEO"
    public static let priority = "PRIORITY"
    public static let percentComplete = "PERCENT-COMPLETE"
    public static let repeatCount = "REPEAT"
    public static let comment = "COMMENT"
    public static let contact = "CONTACT"
    public static let resources = "RESOURCES"
    public static let calendarTimeZone = "X-WR-TIMEZONE"
}
