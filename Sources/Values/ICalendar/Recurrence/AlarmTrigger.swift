import ContentLines

/// When a VALARM of one instance fires (RFC 5545 §3.6.6, §3.8.6.3).
public struct AlarmTrigger: Sendable, Hashable {
    /// The trigger time: in the instance's form for relative triggers (a floating time for
    /// an all-day instance), UTC for absolute ones.
    public var time: DateOrDateTime
    /// The trigger as seconds since 1970 UTC, or `nil` when the instance is floating or
    /// all-day.
    public var utc: Int64?
    /// Which repetition this is: 0 for the trigger itself, then 1…REPEAT.
    public var repetition: Int
    /// The VALARM.
    public var alarm: Component
}

extension RecurrenceSet {
    /// The alarm times of one instance: each VALARM's TRIGGER — relative to the start,
    /// or to the end with `RELATED=END`, or absolute — and its REPEAT×DURATION repetitions,
    /// in time order.
    public func alarmTriggers(of occurrence: Occurrence) throws(RecurrenceError) -> [AlarmTrigger] {
        var triggers: [AlarmTrigger] = []
        for alarm in occurrence.component.components(ComponentName.alarm) {
            guard let trigger = alarm.property(PropertyName.trigger) else { continue }
            do throws(ValueError) {
                let first: DateOrDateTime
                if trigger.valueType == "DATE-TIME" {
                    first = .dateTime(try DateTime(parsing: trigger.value))
                } else {
                    let related = trigger.parameter("RELATED")?.value?.uppercased() == "END" ? occurrence.end : occurrence.start
                    first = shifted(related, by: try trigger.duration())
                }
                let repeats = try alarm.property(PropertyName.repeatCount)?.integer() ?? 0
                let interval = try alarm.property(PropertyName.duration)?.duration()
                for repetition in 0...(interval == nil ? 0 : max(0, min(repeats, 1_000))) {
                    var time = first
                    if let interval, repetition > 0 {
                        for _ in 0..<repetition { time = shifted(time, by: interval) }
                    }
                    triggers.append(AlarmTrigger(time: time, utc: utc(time), repetition: repetition, alarm: alarm))
                }
            } catch {
                throw RecurrenceError(.invalidComponent, hint: "VALARM of \(occurrence.uid ?? "component"): \(error)")
            }
        }
        return triggers.sorted { ($0.utc ?? 0, $0.repetition) < ($1.utc ?? 0, $1.repetition) }
    }

    /// A time moved by a duration: nominal days on the wall clock, the exact part in real
    /// time (RFC 5545 §3.3.6). A DATE becomes a floating time when the duration has a
    /// time part (an alarm 15 hours before an all-day event).
    private func shifted(_ value: DateOrDateTime, by duration: CalendarDuration) -> DateOrDateTime {
        switch value {
        case .date(let date):
            if duration.exactSeconds == 0 { return .date(date.adding(days: duration.nominalDays)) }
            return .dateTime(DateTime(LocalDateTime(date: date).adding(duration), form: .floating))
        case .dateTime(let dateTime):
            var moved = dateTime.local
            moved.date = moved.date.adding(days: duration.nominalDays)
            guard duration.exactSeconds != 0 else { return .dateTime(DateTime(moved, form: dateTime.form)) }
            guard let instant = utc(.dateTime(DateTime(moved, form: dateTime.form))), let zoneRules = zone(of: dateTime)
            else {
                return .dateTime(
                    DateTime(
                        LocalDateTime(secondsSinceEpoch: moved.secondsSinceEpoch + Int64(duration.exactSeconds)),
                        form: dateTime.form))
            }
            return .dateTime(DateTime(zoneRules.localTime(at: instant + Int64(duration.exactSeconds)), form: dateTime.form))
        }
    }
}
