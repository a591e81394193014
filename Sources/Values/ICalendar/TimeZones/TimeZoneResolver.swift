import ContentLines
public import Foundation
import Synchronization

/// Places DATE-TIME values in real time for one calendar: a TZID resolves through the
/// calendar's own VTIMEZONE first (matched by its unescaped text: servers such as Xandikos
/// write `TZID:(UTC+01:00) Amsterdam\, Berlin…`), then the IANA database (also behind vendor
/// prefixes such as `/mozilla.org/20050126_1/Europe/Berlin`, and in any letter case), then
/// Windows zone names and Outlook's display names (`(UTC+01:00) Amsterdam, Berlin, …`).
/// A TZID nothing knows is read in the fallback zone, when one is given, and remembered.
///
/// DATE values are never resolved: all-day events stay dates.
public struct TimeZoneResolver: Sendable {
    /// What a floating time (form #1) means.
    public enum FloatingTimes: Sendable, Hashable {
        /// It stays floating: it has no instant.
        case floating
        /// It is read in the calendar's `X-WR-TIMEZONE`, when there is one.
        case calendarTimeZone
        /// It is read in this zone (a TZID or IANA name).
        case zone(String)
    }

    private let definitions: [String: Result<VTimeZoneRules, TimeZoneError>]
    private let floatingZone: String?
    private let fallbackZone: String?
    /// Zones already looked up: a Foundation zone is costly to create, and expansion
    /// resolves every instance.
    private let cache = ZoneCache()

    /// Creates a resolver for the time zones a `VCALENDAR` defines; a TZID that no
    /// definition, IANA, Windows or Outlook name explains is read in `unknownZones` (an IANA
    /// name) when given, else it is an error.
    public init(calendar: Component, floatingTimes: FloatingTimes = .floating, unknownZones: String? = nil) {
        var definitions: [String: Result<VTimeZoneRules, TimeZoneError>] = [:]
        for component in calendar.components(ComponentName.timeZone) {
            guard let tzid = component.property(PropertyName.timeZoneID) else { continue }
            let rules = Result { () throws(TimeZoneError) in try VTimeZoneRules(component) }
            definitions[tzid.value] = rules
            if definitions[tzid.text] == nil { definitions[tzid.text] = rules }
        }
        self.definitions = definitions
        fallbackZone = unknownZones
        switch floatingTimes {
        case .floating: floatingZone = nil
        case .calendarTimeZone: floatingZone = calendar.property(PropertyName.calendarTimeZone)?.value
        case .zone(let zone): floatingZone = zone
        }
    }

    /// The rules for a TZID.
    public func rules(for tzid: String) throws(TimeZoneError) -> any ZoneRules {
        if let cached = cache.zones.withLock({ $0[tzid] }) { return try cached.get() }
        let result = Result { () throws(TimeZoneError) in try lookUp(tzid) }
        cache.zones.withLock { $0[tzid] = result }
        return try result.get()
    }

    private func lookUp(_ tzid: String) throws(TimeZoneError) -> any ZoneRules {
        let definition = definitions[tzid] ?? definitions[TextValue.unescape(tzid)]
        if case .success(let rules)? = definition { return rules }
        if let identifier = Self.ianaIdentifier(for: tzid), let zone = IANAZoneRules(identifier: identifier) {
            return zone
        }
        if let fallbackZone, let zone = IANAZoneRules(identifier: fallbackZone) {
            cache.readInFallback.withLock { _ = $0.insert(tzid) }
            return zone
        }
        if case .failure(let error)? = definition { throw error }
        throw TimeZoneError(tzid: tzid, hint: "no VTIMEZONE in the calendar and no such IANA, Windows or Outlook zone")
    }

    /// The TZIDs read in the fallback zone so far (nothing else knew them).
    public var zonesReadInFallback: [String] { cache.readInFallback.withLock { $0.sorted() } }

    /// Seconds since 1970 UTC for a DATE-TIME, or `nil` for a floating time that stays
    /// floating.
    public func utcSeconds(for dateTime: DateTime) throws(TimeZoneError) -> Int64? {
        switch dateTime.form {
        case .utc:
            return dateTime.local.secondsSinceEpoch
        case .zoned(let tzid):
            return try rules(for: tzid).instant(of: dateTime.local)
        case .floating:
            guard let floatingZone else { return nil }
            return try rules(for: floatingZone).instant(of: dateTime.local)
        }
    }

    /// The instant of a DATE-TIME, or `nil` for a floating time that stays floating.
    public func instant(for dateTime: DateTime) throws(TimeZoneError) -> Date? {
        try utcSeconds(for: dateTime).map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    /// The IANA identifier for a TZID: itself, the IANA name behind a vendor prefix,
    /// or the zone a Windows name maps to.
    public static func ianaIdentifier(for tzid: String) -> String? {
        if let known = identifiers.withLock({ $0[tzid] }) { return known }
        let identifier = lookUpIdentifier(for: tzid)
        if let identifier {
            // TZIDs come from calendars (any text): the cap bounds what they can make us keep.
            identifiers.withLock { if $0.count < 2_000 { $0[tzid] = identifier } }
        }
        return identifier
    }

    /// The identifiers found so far, by TZID.
    private static let identifiers = Mutex<[String: String]>([:])

    private static func lookUpIdentifier(for tzid: String) -> String? {
        if TimeZone(identifier: tzid) != nil { return tzid }
        if let known = ianaByLowercase[tzid.lowercased()] { return known }
        if let windows = WindowsZones.ianaIdentifier(for: tzid) { return windows }
        let parts = tzid.split(separator: "/")
        for length in [3, 2, 1] where parts.count >= length {
            let suffix = parts.suffix(length).joined(separator: "/")
            if let known = ianaByLowercase[suffix.lowercased()] { return known }
        }
        return WindowsZones.ianaIdentifier(forDisplayName: tzid)
    }

    /// Every IANA identifier by its lower-case spelling (`europe/berlin`).
    private static let ianaByLowercase: [String: String] = Dictionary(
        TimeZone.knownTimeZoneIdentifiers.map { ($0.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
}

/// The zones a resolver has looked up, shared by its copies.
private final class ZoneCache: Sendable {
    let zones = Mutex<[String: Result<any ZoneRules, TimeZoneError>]>([:])
    let readInFallback = Mutex<Set<String>>([])
}
