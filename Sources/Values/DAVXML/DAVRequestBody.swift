/// The request bodies the DAV client sends (RFC 4918, RFC 4791, RFC 5689, RFC 6352, RFC 6578).
public enum DAVRequestBody {
    /// `PROPFIND` for named properties.
    public static func propfind(_ properties: [QualifiedName]) -> String {
        document(.dav("propfind"), [prop(properties)])
    }

    /// `PROPFIND` with `allprop` (and `include` for properties allprop leaves out).
    public static func propfindAll(include: [QualifiedName] = []) -> String {
        var children = [XMLElement(name: .dav("allprop"))]
        if !include.isEmpty { children.append(XMLElement(name: .dav("include"), children: include.map { XMLElement(name: $0) })) }
        return document(.dav("propfind"), children)
    }

    /// `PROPFIND` with `propname`.
    public static func propfindNames() -> String {
        document(.dav("propfind"), [XMLElement(name: .dav("propname"))])
    }

    /// `PROPPATCH` setting and removing properties, in that order.
    public static func proppatch(set: [XMLElement], remove: [QualifiedName]) -> String {
        var children: [XMLElement] = []
        if !set.isEmpty { children.append(XMLElement(name: .dav("set"), children: [XMLElement(name: .dav("prop"), children: set)])) }
        if !remove.isEmpty { children.append(XMLElement(name: .dav("remove"), children: [prop(remove)])) }
        return document(.dav("propertyupdate"), children)
    }

    /// Extended `MKCOL` (RFC 5689): a collection with its resource types and properties.
    public static func extendedMkcol(resourceTypes: [QualifiedName], properties: [XMLElement]) -> String {
        let types = XMLElement(name: .dav("resourcetype"), children: resourceTypes.map { XMLElement(name: $0) })
        return document(.dav("mkcol"), [XMLElement(name: .dav("set"), children: [XMLElement(name: .dav("prop"), children: [types] + properties)])])
    }

    /// `MKCALENDAR` (RFC 4791 §5.3.1) with initial properties.
    public static func mkcalendar(properties: [XMLElement]) -> String {
        document(.caldav("mkcalendar"), [XMLElement(name: .dav("set"), children: [XMLElement(name: .dav("prop"), children: properties)])])
    }

    /// `LOCK` (RFC 4918 §9.10): an exclusive write lock with an owner.
    public static func lockInfo(owner: String) -> String {
        document(.dav("lockinfo"), [
            XMLElement(name: .dav("lockscope"), children: [XMLElement(name: .dav("exclusive"))]),
            XMLElement(name: .dav("locktype"), children: [XMLElement(name: .dav("write"))]),
            XMLElement(name: .dav("owner"), children: [XMLElement(name: .dav("href"), text: owner)]),
        ])
    }

    /// `REPORT sync-collection` from a token (empty for the initial sync), depth 1.
    public static func syncCollection(token: String?, properties: [QualifiedName], limit: Int? = nil) -> String {
        var children = [
            XMLElement(name: .dav("sync-token"), text: token ?? ""),
            XMLElement(name: .dav("sync-level"), text: "1"),
        ]
        if let limit {
            children.append(XMLElement(name: .dav("limit"), children: [XMLElement(name: .dav("nresults"), text: String(limit))]))
        }
        children.append(prop(properties))
        return document(.dav("sync-collection"), children)
    }

    /// `REPORT calendar-multiget` / `addressbook-multiget` for hrefs.
    public static func multiget(_ report: QualifiedName, hrefs: [String], properties: [QualifiedName]) -> String {
        document(report, [prop(properties)] + hrefs.map { XMLElement(name: .dav("href"), text: $0) })
    }

    /// `REPORT calendar-query` (RFC 4791 §7.8): components of `component` type (every
    /// calendar object when nil), optionally overlapping `timeRange` (UTC
    /// `yyyyMMddTHHmmssZ` bounds) or with a property equal to a value.
    public static func calendarQuery(
        component: String?, timeRange: (start: String, end: String)?, propertyEquals: (name: String, value: String)?,
        properties: [QualifiedName]
    ) -> String {
        var inner: [XMLElement] = []
        if let timeRange {
            inner.append(XMLElement(name: .caldav("time-range"), attributes: [QualifiedName("", "start"): timeRange.start, QualifiedName("", "end"): timeRange.end]))
        }
        if let propertyEquals {
            inner.append(XMLElement(
                name: .caldav("prop-filter"), attributes: [QualifiedName("", "name"): propertyEquals.name],
                children: [XMLElement(
                    name: .caldav("text-match"),
                    attributes: [QualifiedName("", "collation"): "i;octet", QualifiedName("", "match-type"): "equals"],
                    text: propertyEquals.value)]))
        }
        let componentFilters = component.map {
            [XMLElement(name: .caldav("comp-filter"), attributes: [QualifiedName("", "name"): $0], children: inner)]
        } ?? []
        let filter = XMLElement(name: .caldav("filter"), children: [
            XMLElement(name: .caldav("comp-filter"), attributes: [QualifiedName("", "name"): "VCALENDAR"], children: componentFilters)
        ])
        return document(.caldav("calendar-query"), [prop(properties), filter])
    }

    /// `REPORT free-busy-query` (RFC 4791 §7.10).
    public static func freeBusyQuery(start: String, end: String) -> String {
        document(.caldav("free-busy-query"), [
            XMLElement(name: .caldav("time-range"), attributes: [QualifiedName("", "start"): start, QualifiedName("", "end"): end])
        ])
    }

    /// `REPORT addressbook-query` (RFC 6352 §8.6): cards whose `property` contains `text`
    /// (or equals it), or every card when `match` is nil.
    public static func addressbookQuery(match: (property: String, text: String, equals: Bool)?, properties: [QualifiedName]) -> String {
        var children = [prop(properties)]
        var filterChildren: [XMLElement] = []
        if let match {
            filterChildren.append(XMLElement(
                name: .carddav("prop-filter"), attributes: [QualifiedName("", "name"): match.property],
                children: [XMLElement(
                    name: .carddav("text-match"),
                    attributes: [QualifiedName("", "collation"): "i;unicode-casemap",
                                 QualifiedName("", "match-type"): match.equals ? "equals" : "contains"],
                    text: match.text)]))
        }
        children.append(XMLElement(name: .carddav("filter"), children: filterChildren))
        return document(.carddav("addressbook-query"), children)
    }

    private static func document(_ root: QualifiedName, _ children: [XMLElement]) -> String {
        XMLWriter.document(XMLElement(name: root, children: children))
    }

    private static func prop(_ properties: [QualifiedName]) -> XMLElement {
        XMLElement(name: .dav("prop"), children: properties.map { XMLElement(name: $0) })
    }
}
