import ContentLines
public import ICalendar

/// A calendar user's published availability (RFC 7953): VAVAILABILITY components, each
/// covering a span — unbounded on a side without DTSTART, or without DTEND and DURATION —
/// in which time is unavailable except during its AVAILABLE instances (which recur like
/// events: RRULE, RDATE, EXDATE, overrides). Where spans overlap, the higher PRIORITY wins
/// (1 is the highest, 9 the lowest, 0 — undefined — lower still). Time no span covers is
/// left to the resource's own working hours.
public struct PublishedAvailability: Sendable {
    /// One VAVAILABILITY, read.
    struct Layer: Sendable {
        /// Lower ranks are painted later, over higher ones.
        var rank: Int
        /// The span's ends; `nil` where it is unbounded. Either may be floating (`wallClock`).
        var start: TimePoint?
        var end: TimePoint?
        var available: [RecurrenceSet]
    }

    /// An instant, or a wall-clock time read in the resource's zone.
    enum TimePoint: Sendable {
        case instant(Int64)
        case wallClock(LocalDateTime)

        func seconds(in zone: any ZoneRules) -> Int64 {
            switch self {
            case .instant(let seconds): seconds
            case .wallClock(let local): zone.instant(of: local)
            }
        }
    }

    let layers: [Layer]

    /// Reads every VAVAILABILITY of `calendar` (a VCALENDAR). A component that cannot be
    /// read is an error naming its UID: an availability half understood would offer time the
    /// person never gave.
    public init(calendar: Component) throws(AvailabilityError) {
        let resolver = TimeZoneResolver(calendar: calendar)
        var layers: [Layer] = []
        for component in calendar.components(ComponentName.availability) {
            let name = "VAVAILABILITY \(component.uid ?? "without UID")"
            var start: TimePoint?
            var end: TimePoint?
            do throws(ValueError) {
                start = try component.start.map { (value) throws(ValueError) in try Self.point(value, resolver: resolver) }
                if component.property(PropertyName.end) != nil || component.property(PropertyName.duration) != nil {
                    end = try component.effectiveEnd().map { (value) throws(ValueError) in try Self.point(value, resolver: resolver) }
                }
            } catch {
                throw AvailabilityError("\(name): \(error)")
            }
            let priority = try? component.property(PropertyName.priority)?.integer()
            layers.append(Layer(rank: priority.flatMap { (1...9).contains($0) ? $0 : nil } ?? 10, start: start, end: end,
                                available: try Self.available(in: component, resolver: resolver, name: name)))
        }
        // Paint from the lowest priority up; a stable sort keeps the calendar's order among equals.
        self.layers = layers.enumerated().sorted { ($0.element.rank, $0.offset) > ($1.element.rank, $1.offset) }.map(\.element)
    }

    /// Reads a VCALENDAR holding VAVAILABILITY components (a `calendar-availability`
    /// property's value, or a file).
    public init(parsing text: String) throws(AvailabilityError) {
        let calendar: Component
        do {
            guard let parsed = try ICalendarParser().parse(Array(text.utf8)).components.first else {
                throw AvailabilityError("availability: no VCALENDAR")
            }
            calendar = parsed
        } catch let error as AvailabilityError {
            throw error
        } catch {
            throw AvailabilityError("availability: \(error)")
        }
        try self.init(calendar: calendar)
    }

    /// Whether there is nothing to apply.
    public var isEmpty: Bool { layers.isEmpty }

    /// Within `window`: the time the published availability speaks for, and the part of it
    /// that is available. Floating and all-day times are read in `zone`.
    public func time(in window: Interval, zone: any ZoneRules) -> (covered: [Interval], available: [Interval]) {
        var covered: [Interval] = []
        var available: [Interval] = []
        for layer in layers {
            let span = Interval(start: max(window.start, layer.start?.seconds(in: zone) ?? window.start),
                                end: min(window.end, layer.end?.seconds(in: zone) ?? window.end))
            guard span.start < span.end else { continue }
            // This layer decides its span afresh: unavailable, but for its own AVAILABLE time.
            available = available.subtracting([span])
            covered = (covered + [span]).merged()
            available = (available + Self.instances(of: layer.available, in: span, zone: zone)).merged()
        }
        return (covered, available)
    }

    /// The AVAILABLE components of a VAVAILABILITY as series (overrides grouped by UID).
    private static func available(in component: Component, resolver: TimeZoneResolver, name: String) throws(AvailabilityError)
        -> [RecurrenceSet]
    {
        let all = component.components(ComponentName.available)
        let overrides = Dictionary(grouping: all.filter { $0.property(PropertyName.recurrenceID) != nil }, by: { $0.uid ?? "" })
        var sets: [RecurrenceSet] = []
        for master in all where master.property(PropertyName.recurrenceID) == nil {
            do throws(RecurrenceError) {
                sets.append(try RecurrenceSet(master: master, overrides: overrides[master.uid ?? ""] ?? [], resolver: resolver))
            } catch {
                throw AvailabilityError("\(name): AVAILABLE \(master.uid ?? "without UID"): \(error)")
            }
        }
        return sets
    }

    /// The available instances overlapping `span`, clipped to it.
    private static func instances(of sets: [RecurrenceSet], in span: Interval, zone: any ZoneRules) -> [Interval] {
        var result: [Interval] = []
        for set in sets {
            // Floating instances are found by wall-clock bounds a day wider, then cut. A series
            // that cannot be expanded (past the work limit) offers no time: never more than given.
            guard let occurrences = try? set.occurrences(from: .instant(span.start - 86_400 * 2), to: .instant(span.end + 86_400 * 2))
            else { continue }
            for occurrence in occurrences where occurrence.component.status != .cancelled {
                let instance = Interval(start: occurrence.startUTC ?? zone.instant(of: occurrence.start.wallClock),
                                        end: occurrence.endUTC ?? zone.instant(of: occurrence.end.wallClock))
                result += [instance].clipped(to: span)
            }
        }
        return result
    }

    private static func point(_ value: DateOrDateTime, resolver: TimeZoneResolver) throws(ValueError) -> TimePoint {
        guard case .dateTime(let dateTime) = value else { return .wallClock(value.wallClock) }
        do {
            if let seconds = try resolver.utcSeconds(for: dateTime) { return .instant(seconds) }
        } catch {
            throw ValueError(type: "DATE-TIME", hint: "\(error)")
        }
        return .wallClock(dateTime.local)
    }
}
