import ContentLines
public import ICalendar

/// Why an interval cannot be booked.
public enum Refusal: Sendable, Hashable, Codable, CustomStringConvertible {
    /// It starts before the minimum notice allows (the earliest start is given).
    case tooSoon(earliest: Int64)
    /// It starts after the booking horizon.
    case beyondHorizon(latest: Int64)
    /// It is not within working hours.
    case outsideWorkingHours
    /// An event is in the way (or its buffer is).
    case busy(EventReference)
    /// Another booking is in the way.
    case alreadyBooked
    case dailyLimit
    case weeklyLimit
    /// The interval is empty.
    case invalidInterval

    public var description: String {
        switch self {
        case .tooSoon(let earliest): "too soon: the earliest start is \(earliest)"
        case .beyondHorizon(let latest): "beyond the booking horizon (latest start \(latest))"
        case .outsideWorkingHours: "outside working hours"
        case .busy(let event): "busy: event \(event.uid ?? "?") in calendar \(event.calendar)"
        case .alreadyBooked: "already booked"
        case .dailyLimit: "the day's booking limit is reached"
        case .weeklyLimit: "the week's booking limit is reached"
        case .invalidInterval: "the interval is empty"
        }
    }
}

/// Answers availability questions for one resource from its rules, the busy periods of its
/// calendars and its bookings — all pure values, so every answer is reproducible.
public struct Availability: Sendable {
    public let rules: ResourceRules
    public let zone: any ZoneRules
    /// The rules' published availability, read.
    let published: PublishedAvailability?

    public init(rules: ResourceRules) throws(AvailabilityError) {
        guard let zone = IANAZoneRules(identifier: rules.timeZone) else {
            throw AvailabilityError("unknown time zone \(rules.timeZone)")
        }
        guard rules.slotLength > 0, rules.slotStep > 0 else { throw AvailabilityError("slot length and step must be positive") }
        self.rules = rules
        self.zone = zone
        self.published = try rules.publishedAvailability.map { (text) throws(AvailabilityError) in try PublishedAvailability(parsing: text) }
    }

    /// Working time overlapping `window`, in UTC, whole ranges (not clipped): the weekly
    /// hours or a date's override, and where published availability covers time (and no
    /// override does), what it makes available.
    public func workingTime(around window: Interval) -> [Interval] {
        let first = zone.localTime(at: window.start).date.adding(days: -1)
        let last = zone.localTime(at: window.end).date.adding(days: 1)
        var result: [Interval] = []
        var date = first
        while date <= last {
            for range in ranges(on: date) {
                let start = zone.instant(of: LocalDateTime(date: date).adding(minutes: range.start))
                let end = zone.instant(of: LocalDateTime(date: date).adding(minutes: range.end))
                result.append(Interval(start: start, end: end))
            }
            date = date.adding(days: 1)
        }
        if let published, !published.isEmpty {
            let days = Interval(start: zone.instant(of: LocalDateTime(date: first)), end: zone.instant(of: LocalDateTime(date: last.adding(days: 1))))
            let overridden = rules.dateOverrides.filter { $0.date >= first && $0.date <= last }.map {
                Interval(start: zone.instant(of: LocalDateTime(date: $0.date)), end: zone.instant(of: LocalDateTime(date: $0.date.adding(days: 1))))
            }
            let (covered, available) = published.time(in: days, zone: zone)
            result = result.merged().subtracting(covered.subtracting(overridden)) + available.subtracting(overridden)
        }
        return result.merged().filter { $0.overlaps(window) }
    }

    /// The day's working ranges: the date's override, else the weekday's.
    func ranges(on date: CalendarDate) -> [MinuteRange] {
        if let override = rules.dateOverrides.first(where: { $0.date == date }) { return override.ranges }
        return rules.weeklyHours.filter { $0.day == date.weekday }.flatMap(\.ranges)
    }

    /// Busy and free time within `window`: busy as the events have it, free as working
    /// time minus busy time with its buffers.
    public func freeBusy(_ busy: [BusyPeriod], in window: Interval) -> (busy: [Interval], free: [Interval]) {
        let busyTime = busy.map(\.interval).clipped(to: window)
        let free = workingTime(around: window).clipped(to: window).subtracting(blocked(busy))
        return (busyTime, free)
    }

    /// Busy periods widened by the buffers.
    func blocked(_ busy: [BusyPeriod]) -> [Interval] {
        busy.map { Interval(start: $0.interval.start - rules.bufferBefore, end: $0.interval.end + rules.bufferAfter) }
    }

    /// The bookable slots starting within `window`, in start order: aligned to each working
    /// range's start every `slotStep`, inside working hours, clear of busy periods with their
    /// buffers and of `bookings`, within notice and horizon, and under the day and week limits.
    public func slots(busy: [BusyPeriod], bookings: [Interval], in window: Interval, now: Int64) -> [Interval] {
        let earliest = Swift.max(window.start, now + rules.minimumNotice)
        let latest = Swift.min(window.end, now + rules.horizon)
        guard earliest < latest else { return [] }
        let blocked = (blocked(busy) + bookings).merged()
        var result: [Interval] = []
        for working in workingTime(around: Interval(start: earliest, end: latest + rules.slotLength)) {
            var start = working.start
            while start + rules.slotLength <= working.end {
                let slot = Interval(start: start, end: start + rules.slotLength)
                start += rules.slotStep
                guard slot.start >= earliest, slot.start < latest else { continue }
                if Self.firstOverlap(of: slot, in: blocked) != nil { continue }
                if limitReached(for: slot, bookings: bookings) != nil { continue }
                result.append(slot)
            }
        }
        return result
    }

    /// Whether `interval` can be booked now, and if not, the first reason found.
    public func check(_ interval: Interval, busy: [BusyPeriod], bookings: [Interval], now: Int64) -> Refusal? {
        guard !interval.isEmpty else { return .invalidInterval }
        if interval.start < now + rules.minimumNotice { return .tooSoon(earliest: now + rules.minimumNotice) }
        if interval.start > now + rules.horizon { return .beyondHorizon(latest: now + rules.horizon) }
        guard workingTime(around: interval).contains(where: { $0.contains(interval) }) else { return .outsideWorkingHours }
        if bookings.contains(where: { $0.overlaps(interval) }) { return .alreadyBooked }
        if let period = busy.first(where: { blocks($0, interval) }) {
            return .busy(period.event)
        }
        return limitReached(for: interval, bookings: bookings)
    }

    /// Whether busy time (with the resource's buffers around it) is in the way of `interval`.
    public func blocks(_ period: BusyPeriod, _ interval: Interval) -> Bool {
        Interval(start: period.interval.start - rules.bufferBefore, end: period.interval.end + rules.bufferAfter).overlaps(interval)
    }

    /// The day or week limit a booking at `interval` would break (days and ISO weeks in
    /// the resource's zone).
    func limitReached(for interval: Interval, bookings: [Interval]) -> Refusal? {
        guard rules.maxBookingsPerDay != nil || rules.maxBookingsPerWeek != nil else { return nil }
        let day = zone.localTime(at: interval.start).date
        let days = bookings.map { zone.localTime(at: $0.start).date }
        if let limit = rules.maxBookingsPerDay, days.filter({ $0 == day }).count >= limit { return .dailyLimit }
        if let limit = rules.maxBookingsPerWeek, days.filter({ $0.weekStart == day.weekStart }).count >= limit { return .weeklyLimit }
        return nil
    }

    /// The intervals sorted and merged; the first that overlaps `interval`.
    static func firstOverlap(of interval: Interval, in sorted: [Interval]) -> Interval? {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle].end <= interval.start { low = middle + 1 } else { high = middle }
        }
        return low < sorted.count && sorted[low].overlaps(interval) ? sorted[low] : nil
    }

    /// A VCALENDAR holding one VFREEBUSY for `window` (RFC 5545 §3.6.4): busy and
    /// tentative periods in UTC, without any event's details.
    public func freeBusyCalendar(_ busy: [BusyPeriod], in window: Interval, stamp: Int64) -> Component {
        func utc(_ seconds: Int64) -> String { LocalDateTime(secondsSinceEpoch: seconds).icalendarText + "Z" }
        var properties: [Property] = [
            Property(name: "DTSTAMP", value: utc(stamp)), Property(name: "DTSTART", value: utc(window.start)),
            Property(name: "DTEND", value: utc(window.end)),
        ]
        for tentative in [false, true] {
            let periods = busy.filter { $0.tentative == tentative }.map(\.interval).clipped(to: window)
            guard !periods.isEmpty else { continue }
            properties.append(Property(
                name: "FREEBUSY", parameters: [Parameter(name: "FBTYPE", value: tentative ? "BUSY-TENTATIVE" : "BUSY")],
                value: periods.map { utc($0.start) + "/" + utc($0.end) }.joined(separator: ",")))
        }
        return Component(ComponentName.calendar, properties: [
            Property(name: "VERSION", value: "2.0"), Property(name: "PRODID", value: "-//Switchboard//Availability//EN"),
        ], components: [Component(ComponentName.freeBusy, properties: properties)])
    }
}

extension LocalDateTime {
    func adding(minutes: Int) -> LocalDateTime { LocalDateTime(secondsSinceEpoch: secondsSinceEpoch + Int64(minutes) * 60) }
}

extension CalendarDate {
    /// The Monday of this date's ISO week.
    var weekStart: CalendarDate {
        let offsets: [Weekday: Int] = [.monday: 0, .tuesday: 1, .wednesday: 2, .thursday: 3, .friday: 4, .saturday: 5, .sunday: 6]
        return adding(days: -(offsets[weekday] ?? 0))
    }
}
