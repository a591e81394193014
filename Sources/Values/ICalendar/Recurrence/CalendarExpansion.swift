import ContentLines

/// Every event and to-do of a calendar, read once into recurrence sets — masters with
/// their overrides grouped by UID, one-off components as single instances — to be
/// expanded over any number of windows. A component that cannot be read is reported and
/// the rest go on.
public struct CalendarSeries: Sendable {
    /// The series, one per master (or per override without a master).
    public let sets: [RecurrenceSet]
    /// The components that could not be read, with why.
    public let failures: [(uid: String?, error: RecurrenceError)]
    /// The calendar the series were read from.
    public let calendar: Component
    private let resolver: TimeZoneResolver

    /// What was repaired to read each series, by UID.
    public var repairs: [(uid: String?, note: String)] { sets.flatMap { set in set.repairs.map { (set.uid, $0) } } }

    /// The TZIDs nothing knew, read in the fallback zone (see ``init(calendar:unknownZonesIn:)``).
    public var zonesReadInFallback: [String] { resolver.zonesReadInFallback }

    /// Reads the series of `calendar`; a TZID no definition or zone database knows is read in
    /// `fallback` (an IANA name) when given — see ``zonesReadInFallback`` — else its
    /// component is a failure.
    public init(calendar: Component, unknownZonesIn fallback: String? = nil) {
        let resolver = TimeZoneResolver(calendar: calendar, unknownZones: fallback)
        self.calendar = calendar
        self.resolver = resolver
        var sets: [RecurrenceSet] = []
        var failures: [(uid: String?, error: RecurrenceError)] = []
        let schedulable = Self.latestCopies(calendar.components.filter { $0.name == ComponentName.event || $0.name == ComponentName.todo })
        let overridesByUID = Dictionary(
            grouping: schedulable.filter { $0.property(PropertyName.recurrenceID) != nil }, by: { $0.uid ?? "" })
        let masterUIDs = Set(schedulable.filter { $0.property(PropertyName.recurrenceID) == nil }.map { $0.uid ?? "" })
        // A master, with its overrides; an override without a master stands alone.
        var series: [(master: Component, overrides: [Component])] = schedulable.compactMap { component in
            guard component.property(PropertyName.recurrenceID) == nil else { return nil }
            return (component, overridesByUID[component.uid ?? ""] ?? [])
        }
        for (uid, orphans) in overridesByUID where !masterUIDs.contains(uid) {
            series += orphans.map { ($0, []) }
        }
        for (master, overrides) in series {
            // A component with no start and no rule has no instance (an iTIP CANCEL, a to-do
            // without dates): nothing to expand, nothing wrong.
            let dated = Self.withStart(master)
            if dated.property(PropertyName.start) == nil, !dated.isRecurring { continue }
            do throws(RecurrenceError) {
                sets.append(try RecurrenceSet(master: dated, overrides: overrides, resolver: resolver))
            } catch {
                failures.append((master.uid, error))
            }
        }
        self.sets = sets
        self.failures = failures
    }

    /// One copy of each component: of two with one UID (and RECURRENCE-ID), the one with the
    /// higher SEQUENCE, then the later DTSTAMP, then the later in the object — the version
    /// iTIP says replaces the other (RFC 5546 §2.1.5), as libical and python
    /// recurring-ical-events read it.
    private static func latestCopies(_ components: [Component]) -> [Component] {
        var chosen: [String: (index: Int, component: Component)] = [:]
        for (index, component) in components.enumerated() {
            let key = component.name + "|" + (component.uid ?? "#\(index)") + "|" + (component.property(PropertyName.recurrenceID)?.value ?? "")
            guard let kept = chosen[key] else {
                chosen[key] = (index, component)
                continue
            }
            let sequence = { (component: Component) in (try? component.sequence) ?? 0 }
            let stamp = { (component: Component) in component.property(PropertyName.timestamp)?.value ?? "" }
            if (sequence(component), stamp(component)) >= (sequence(kept.component), stamp(kept.component)) {
                chosen[key] = (kept.index, component)
            }
        }
        return chosen.values.sorted { $0.index < $1.index }.map(\.component)
    }

    /// A to-do with DUE but no DTSTART is placed at its DUE (RFC 5545 §3.6.2).
    private static func withStart(_ component: Component) -> Component {
        guard component.name == ComponentName.todo, component.property(PropertyName.start) == nil,
            var due = component.property(PropertyName.due)
        else { return component }
        var copy = component
        due.name = PropertyName.start
        copy.setProperty(due)
        return copy
    }
}

/// The instances of every event and to-do of a calendar in a window (or the first few
/// from a time), in start order, with the series that could not be expanded.
public struct CalendarExpansion: Sendable {
    /// The instances found, in start order.
    public var occurrences: [Occurrence]
    /// The components that could not be expanded, with why.
    public var failures: [(uid: String?, error: RecurrenceError)]

    /// The instances overlapping `[from, to)` — or, with `to` left out, the first
    /// `limit` from `from` — across every series of `calendar`, at most `limit`.
    public init(calendar: Component, from: TimeBound, to: TimeBound?, limit: Int?) {
        self.init(series: CalendarSeries(calendar: calendar), from: from, to: to, limit: limit)
    }

    /// The same, over series already read.
    public init(series: CalendarSeries, from: TimeBound, to: TimeBound?, limit: Int?) {
        var occurrences: [Occurrence] = []
        var failures = series.failures
        for set in series.sets {
            do throws(RecurrenceError) {
                if let to {
                    occurrences += try set.occurrences(from: from, to: to)
                } else {
                    occurrences += try set.occurrences(from: from, limit: limit ?? 1)
                }
            } catch {
                failures.append((set.uid, error))
            }
        }
        occurrences = occurrences.sorted(byKey: \.orderingKey, limit: limit)
        self.occurrences = occurrences
        self.failures = failures
    }
}
