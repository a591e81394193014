import ContentLines
import ICalendar
import VCard

/// Merges two edits of one item against the version both started from, property by
/// property: a property changed on one side only takes that side's value; changed on both
/// to the same value, that value; changed on both differently, no merge (`nil`), and the
/// conflict policy decides. Components must pair up (same UIDs, RECURRENCE-IDs, alarms);
/// time zones and what servers rewrite (DTSTAMP, PRODID…) come from the server's side.
public enum ThreeWayMerge {
    /// The merged calendar object, or `nil` when the edits collide or do not parse.
    public static func calendarObject(base: [UInt8], ours: [UInt8], theirs: [UInt8]) -> [UInt8]? {
        guard let base = try? ICalendarParser().parse(base).components, let ours = try? ICalendarParser().parse(ours).components,
            let theirs = try? ICalendarParser().parse(theirs).components, base.count == 1, ours.count == 1, theirs.count == 1,
            let merged = merge(base: base[0], ours: ours[0], theirs: theirs[0])
        else { return nil }
        return ICalendarSerializer().serialize(merged)
    }

    /// The merged vCard, or `nil` when the edits collide or do not parse.
    public static func vCard(base: [UInt8], ours: [UInt8], theirs: [UInt8]) -> [UInt8]? {
        guard let base = try? VCardParser().parse(base).cards, let ours = try? VCardParser().parse(ours).cards,
            let theirs = try? VCardParser().parse(theirs).cards, base.count == 1, ours.count == 1, theirs.count == 1,
            let properties = merge(base: base[0].properties, ours: ours[0].properties, theirs: theirs[0].properties)
        else { return nil }
        return VCardSerializer().serialize([VCard(properties: properties)])
    }

    static func merge(base: Component, ours: Component, theirs: Component) -> Component? {
        guard base.name == ours.name, base.name == theirs.name,
            let properties = merge(base: base.properties, ours: ours.properties, theirs: theirs.properties)
        else { return nil }
        var merged = theirs
        merged.properties = properties
        let children = (base: keyed(base.components), ours: keyed(ours.components), theirs: keyed(theirs.components))
        guard children.base.map(\.key) == children.ours.map(\.key), children.base.map(\.key) == children.theirs.map(\.key) else {
            return nil
        }
        var components: [Component] = []
        for index in children.theirs.indices {
            let theirChild = children.theirs[index].component
            if theirChild.name == ComponentName.timeZone {
                components.append(theirChild)
                continue
            }
            guard let child = merge(base: children.base[index].component, ours: children.ours[index].component, theirs: theirChild)
            else { return nil }
            components.append(child)
        }
        merged.components = components
        return merged
    }

    static func merge(base: [ContentLine], ours: [ContentLine], theirs: [ContentLine]) -> [ContentLine]? {
        let groups = (base: grouped(base), ours: grouped(ours), theirs: grouped(theirs))
        var names = theirs.map { $0.name.uppercased() }
        names += ours.map { $0.name.uppercased() }
        var seen: Set<String> = []
        var merged: [ContentLine] = []
        for name in names where seen.insert(name).inserted {
            if let stamp = latest(name, groups.ours[name]?.lines ?? [], groups.theirs[name]?.lines ?? []) {
                merged.append(stamp)
                continue
            }
            if ContentFingerprint.ignoredProperties.contains(name) {
                merged += groups.theirs[name]?.lines ?? []
                continue
            }
            let baseKey = groups.base[name]?.key ?? []
            let ourGroup = groups.ours[name] ?? ([], [])
            let theirGroup = groups.theirs[name] ?? ([], [])
            if ourGroup.key == theirGroup.key || ourGroup.key == baseKey {
                merged += theirGroup.lines
            } else if theirGroup.key == baseKey {
                merged += ourGroup.lines
            } else {
                return nil
            }
        }
        return merged
    }

    /// What every edit stamps anew (RFC 5545 asks clients to set LAST-MODIFIED and DTSTAMP,
    /// and SEQUENCE goes up with each significant change; vCard's REV likewise): two edits
    /// always differ there, so comparing them would make every merge collide. The merged
    /// version takes the later stamp and the higher SEQUENCE of the two sides.
    static let stamps: Set<String> = ["LAST-MODIFIED", "DTSTAMP", "SEQUENCE", "REV"]

    /// The merged line of a stamp property, or `nil` for any other property (or a stamp
    /// neither side has).
    private static func latest(_ name: String, _ ours: [ContentLine], _ theirs: [ContentLine]) -> ContentLine? {
        guard stamps.contains(name) else { return nil }
        guard let our = ours.first else { return theirs.first }
        guard let their = theirs.first else { return our }
        if name == "SEQUENCE" {
            return (Int(our.value) ?? 0) > (Int(their.value) ?? 0) ? our : their
        }
        // UTC stamps in basic form (`20261206T101500Z`) order as text; anything else keeps the server's.
        let comparable = our.value.hasSuffix("Z") && their.value.hasSuffix("Z") && our.value.count == their.value.count
        return comparable && our.value > their.value ? our : their
    }

    /// Lines by upper-cased name, with an order-free key for comparing the groups.
    private static func grouped(_ lines: [ContentLine]) -> [String: (key: [String], lines: [ContentLine])] {
        Dictionary(grouping: lines) { $0.name.uppercased() }.mapValues { group in
            (key: group.map(ContentFingerprint.canonical).sorted(), lines: group)
        }
    }

    /// Subcomponents paired by name, UID, RECURRENCE-ID and TZID (alarms by position).
    private static func keyed(_ components: [Component]) -> [(key: String, component: Component)] {
        components.map { component in
            let identity = ["UID", "RECURRENCE-ID", "TZID"].map { component.property($0)?.value ?? "" }.joined(separator: "|")
            return (component.name.uppercased() + "|" + identity, component)
        }
    }
}
