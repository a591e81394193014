public import DAVXML
import Foundation

/// A calendar object (RFC 4791) or a vCard (RFC 6352) as a DAV collection member.
public struct DAVObject: Sendable, Hashable {
    /// Its href, as the server wrote it.
    public var href: String
    /// Its ETag.
    public var etag: String?
    /// The iCalendar or vCard text, when it was asked for.
    public var data: String?

    /// Creates an object value.
    public init(href: String, etag: String?, data: String?) {
        self.href = href
        self.etag = etag
        self.data = data
    }
}

/// Which of the two object collection types an operation works on.
public enum ObjectFlavor: Sendable, Hashable {
    /// A CalDAV calendar of iCalendar objects.
    case calendar
    /// A CardDAV address book of vCards.
    case addressBook

    /// The property that carries an object's text in REPORT responses.
    public var dataProperty: QualifiedName {
        switch self {
        case .calendar: .caldav("calendar-data")
        case .addressBook: .carddav("address-data")
        }
    }

    /// The multiget REPORT.
    var multigetReport: QualifiedName {
        switch self {
        case .calendar: .caldav("calendar-multiget")
        case .addressBook: .carddav("addressbook-multiget")
        }
    }

    /// The media type a `PUT` declares.
    public var contentType: String {
        switch self {
        case .calendar: "text/calendar; charset=utf-8"
        case .addressBook: "text/vcard; charset=utf-8"
        }
    }

    /// The extension given to new hrefs (only to new ones: existing hrefs are used as found).
    /// The file name extension of an object: `ics` or `vcf`.
    public var fileExtension: String {
        switch self {
        case .calendar: "ics"
        case .addressBook: "vcf"
        }
    }
}

/// The result of a multiget: the objects found and the hrefs the server no longer has.
public struct MultigetResult: Sendable, Hashable {
    /// Objects with their data, in the order of the hrefs asked for.
    public var objects: [DAVObject]
    /// Hrefs answered with 404 (deleted meanwhile).
    public var missing: [String]
}

extension Response {
    /// This response as an object, if it carries a found ETag or data.
    func object(_ flavor: ObjectFlavor) -> DAVObject {
        func found(_ name: QualifiedName) -> String? {
            guard let (element, status) = property(name), status == 200 else { return nil }
            return element.text
        }
        return DAVObject(href: href, etag: found(.dav("getetag")).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) },
                         data: found(flavor.dataProperty))
    }
}

/// UTC date-times as CalDAV's `time-range` attributes write them (`20260101T000000Z`).
enum CalDAVTime {
    static func format(_ date: Date) -> String {
        let components = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return pad(components.year, 4) + pad(components.month, 2) + pad(components.day, 2) + "T"
            + pad(components.hour, 2) + pad(components.minute, 2) + pad(components.second, 2) + "Z"
    }
}
