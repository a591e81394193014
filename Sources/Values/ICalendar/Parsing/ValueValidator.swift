import ContentLines
import Foundation

/// Checks the values whose type RFC 5545 fixes, repairing the well-known breakage.
struct ValueValidator {
    private enum Check {
        case dateOrDateTime, dateTime, dateOrDateTimeList, recurrenceDates, duration, trigger
        case utcOffset, recurrenceRule, integer, geo, periods, singleText
    }

    /// The check for a property name. A switch on the first byte keeps this off the hash
    /// path: it runs for every property of every calendar.
    private static func check(for name: String) -> Check? {
        switch name.utf8.first {
        case UInt8(ascii: "D"):
            switch name {
            case "DTSTART", "DTEND", "DUE": return .dateOrDateTime
            case "DTSTAMP": return .dateTime
            case "DURATION": return .duration
            case "DESCRIPTION": return .singleText
            default: return nil
            }
        case UInt8(ascii: "R"):
            switch name {
            case "RECURRENCE-ID": return .dateOrDateTime
            case "RDATE": return .recurrenceDates
            case "RRULE": return .recurrenceRule
            case "REPEAT": return .integer
            default: return nil
            }
        case UInt8(ascii: "E"):
            switch name {
            case "EXDATE": return .dateOrDateTimeList
            case "EXRULE": return .recurrenceRule
            default: return nil
            }
        case UInt8(ascii: "C"):
            return name == "CREATED" || name == "COMPLETED" ? .dateTime : nil
        case UInt8(ascii: "L"):
            switch name {
            case "LAST-MODIFIED": return .dateTime
            case "LOCATION": return .singleText
            default: return nil
            }
        case UInt8(ascii: "T"):
            switch name {
            case "TRIGGER": return .trigger
            case "TZOFFSETFROM", "TZOFFSETTO": return .utcOffset
            default: return nil
            }
        case UInt8(ascii: "S"):
            switch name {
            case "SEQUENCE": return .integer
            case "SUMMARY": return .singleText
            default: return nil
            }
        case UInt8(ascii: "P"):
            return name == "PRIORITY" || name == "PERCENT-COMPLETE" ? .integer : nil
        case UInt8(ascii: "G"):
            return name == "GEO" ? .geo : nil
        case UInt8(ascii: "F"):
            return name == "FREEBUSY" ? .periods : nil
        default:
            return nil
        }
    }

    mutating func validate(_ component: inout Component, diagnostics: inout Diagnostics) throws(ParseError) {
        for index in component.properties.indices {
            try validate(&component.properties[index], diagnostics: &diagnostics)
        }
        if component.properties.contains(where: { $0.name == PropertyName.end }),
            component.properties.contains(where: { $0.name == PropertyName.duration })
        {
            try diagnostics.repair(
                .endAndDuration, at: component.sourceLocation ?? SourceLocation(line: 0), property: component.name,
                "has both DTEND and DURATION; DTEND is used")
        }
        for index in component.components.indices {
            try validate(&component.components[index], diagnostics: &diagnostics)
        }
    }

    /// A repair that a check asks for.
    private struct Fix {
        var repair: Repair
        var message: String
        var name: String?
        var value: String?
    }

    private func validate(_ property: inout Property, diagnostics: inout Diagnostics) throws(ParseError) {
        guard let check = Self.check(for: property.name) else { return }
        let fix: Fix?
        do throws(ValueError) {
            fix = try self.check(check, property)
        } catch let error where Self.datesWithZ(property.value) != nil {
            // `RDATE:20131210Z` (Google): a DATE with a stray Z.
            _ = error
            fix = Fix(repair: .dateWithZ, message: "DATE written with a trailing Z; Z removed", value: Self.datesWithZ(property.value))
        } catch {
            try diagnostics.repair(
                .invalidValue, at: valueLocation(property), property: property.name, "\(error); kept as written")
            return
        }
        guard let fix else { return }
        try diagnostics.repair(fix.repair, at: valueLocation(property), property: property.name, fix.message)
        if let name = fix.name { property.name = name }
        if let value = fix.value { property.value = value }
    }

    /// Checks one value; returns the repair it needs, if any.
    private func check(_ check: Check, _ property: Property) throws(ValueError) -> Fix? {
        switch check {
        case .dateOrDateTime:
            if property.name == PropertyName.end, property.valueType == nil, (try? property.duration()) != nil {
                return Fix(repair: .durationInEnd, message: "holds a duration; renamed DURATION", name: PropertyName.duration)
            }
            guard hasDefaultType(property, allowed: ["DATE", "DATE-TIME"]) else { return nil }
            _ = try property.dateOrDateTime()
        case .dateTime:
            guard hasDefaultType(property, allowed: ["DATE-TIME"]) else { return nil }
            _ = try DateTime(parsing: property.value)
        case .dateOrDateTimeList:
            guard hasDefaultType(property, allowed: ["DATE", "DATE-TIME"]) else { return nil }
            _ = try property.dateOrDateTimeList()
        case .recurrenceDates:
            guard hasDefaultType(property, allowed: ["DATE", "DATE-TIME", "PERIOD"]) else { return nil }
            _ = try property.recurrenceDates()
        case .duration:
            _ = try property.duration()
        case .trigger:
            if property.valueType == "DATE-TIME" {
                _ = try DateTime(parsing: property.value)
            } else {
                _ = try property.duration()
            }
        case .utcOffset:
            do {
                _ = try property.utcOffset()
            } catch {
                guard let repaired = UTCOffset.repairing(property.value) else { throw error }
                return Fix(
                    repair: .utcOffset, message: "offset is not ±HHMM[SS]; rewritten as \(repaired.icalendarText)",
                    value: repaired.icalendarText)
            }
        case .recurrenceRule:
            do {
                _ = try property.recurrenceRule()
            } catch {
                // Some writers TEXT-escape the rule (`FREQ=DAILY\;COUNT=10`).
                let unescaped = property.value.replacingOccurrences(of: "\\", with: "")
                guard unescaped != property.value, (try? RecurrenceRule(parsing: unescaped)) != nil else { throw error }
                return Fix(repair: .escapedRecurrenceRule, message: "RRULE is TEXT-escaped; unescaped", value: unescaped)
            }
        case .integer:
            _ = try property.integer()
        case .geo:
            _ = try property.geo()
        case .periods:
            _ = try property.periods()
        case .singleText:
            return escapingUnescapedSeparators(property.value).map {
                Fix(repair: .unescapedText, message: "TEXT has an unescaped ',' or ';'; escaped", value: $0)
            }
        }
        return nil
    }

    /// The value with `Z` removed from each 8-digit date of a list (`20131210Z`), or `nil`
    /// when some item is not of that shape.
    private static func datesWithZ(_ value: String) -> String? {
        let items = value.split(separator: ",", omittingEmptySubsequences: false)
        guard items.allSatisfy({ $0.utf8.count == 9 && $0.hasSuffix("Z") && $0.dropLast().allSatisfy(\.isASCIIDigit) })
        else { return nil }
        return items.map { String($0.dropLast()) }.joined(separator: ",")
    }

    /// Whether the `VALUE` parameter is absent or one of the types this check knows.
    private func hasDefaultType(_ property: Property, allowed: [String]) -> Bool {
        guard let type = property.valueType else { return true }
        return allowed.contains(type)
    }

    /// The value with every unescaped `,` and `;` escaped, or `nil` when there is none.
    private func escapingUnescapedSeparators(_ value: String) -> String? {
        TextValue.escapingUnescaped(UInt8(ascii: ","), UInt8(ascii: ";"), in: value)
    }

    /// Where the value starts on the property's (unfolded) line.
    private func valueLocation(_ property: Property) -> SourceLocation {
        var column = property.name.utf8.count + 2
        if let group = property.group { column += group.utf8.count + 1 }
        for parameter in property.parameters {
            column += parameter.name.utf8.count + 1 + (parameter.rawValue.map { $0.utf8.count + 1 } ?? 0)
        }
        return SourceLocation(line: property.sourceLocation?.line ?? 0, column: column)
    }
}
