public import ContentLines
public import Foundation

/// Typed access to a property's value (RFC 5545 §3.3). Each accessor decodes the text
/// as read and throws ``ValueError`` when it does not match the type.
extension ContentLine {
    /// The `TZID` parameter.
    public var timeZoneID: String? { parameter("TZID")?.value }

    /// The `VALUE` parameter, upper case.
    public var valueType: String? { parameter("VALUE")?.value?.asciiUppercased }

    /// TEXT (§3.3.11), unescaped.
    public var text: String { TextValue.unescape(value) }

    /// A comma-separated list of TEXT (`CATEGORIES`, `RESOURCES`).
    public var textList: [String] { TextValue.list(value) }

    /// A DATE or DATE-TIME, honouring `VALUE=DATE` and `TZID`.
    public func dateOrDateTime() throws(ValueError) -> DateOrDateTime {
        try DateOrDateTime(parsing: value, isDate: valueType == "DATE", tzid: timeZoneID)
    }

    /// A list of DATE or DATE-TIME values (`EXDATE`, `RDATE` without periods).
    public func dateOrDateTimeList() throws(ValueError) -> [DateOrDateTime] {
        let isDate = valueType == "DATE"
        let tzid = timeZoneID
        return try value.split(separator: ",").map { (item) throws(ValueError) in
            try DateOrDateTime(parsing: item, isDate: isDate, tzid: tzid)
        }
    }

    /// The values of an `RDATE`: dates, date-times or periods (`VALUE=PERIOD`).
    public func recurrenceDates() throws(ValueError) -> [RecurrenceDate] {
        guard valueType == "PERIOD" else {
            return try dateOrDateTimeList().map { .instant($0) }
        }
        return try periods().map { .period($0) }
    }

    /// A comma-separated list of PERIOD (`FREEBUSY`, `RDATE;VALUE=PERIOD`).
    public func periods() throws(ValueError) -> [Period] {
        let tzid = timeZoneID
        return try value.split(separator: ",").map { (item) throws(ValueError) in
            try Period(parsing: item, tzid: tzid)
        }
    }

    /// A DURATION.
    public func duration() throws(ValueError) -> CalendarDuration { try CalendarDuration(parsing: value) }

    /// A UTC-OFFSET.
    public func utcOffset() throws(ValueError) -> UTCOffset { try UTCOffset(parsing: value) }

    /// A RECUR.
    public func recurrenceRule() throws(ValueError) -> RecurrenceRule { try RecurrenceRule(parsing: value) }

    /// An INTEGER.
    public func integer() throws(ValueError) -> Int { try ScalarValue.integer(value) }

    /// A FLOAT.
    public func float() throws(ValueError) -> Double { try ScalarValue.float(value) }

    /// A BOOLEAN.
    public func boolean() throws(ValueError) -> Bool { try ScalarValue.boolean(value) }

    /// A GEO.
    public func geo() throws(ValueError) -> Geo { try Geo(parsing: value) }

    /// A BINARY.
    public func binary() throws(ValueError) -> Data { try ScalarValue.binary(value) }

    /// A CAL-ADDRESS.
    public var calendarUserAddress: CalendarUserAddress { CalendarUserAddress(uri: value) }

    /// A URI, as written.
    public var uri: String { value }

    // MARK: Building

    /// A property holding a DATE (with `VALUE=DATE`) or a DATE-TIME (with `TZID` when zoned).
    public init(name: String, dateOrDateTime: DateOrDateTime, parameters: [Parameter] = []) {
        var parameters = parameters.filter { $0.name != "VALUE" && $0.name != "TZID" }
        switch dateOrDateTime {
        case .date:
            parameters.insert(Parameter(name: "VALUE", value: "DATE"), at: 0)
        case .dateTime(let dateTime):
            if let tzid = dateTime.tzid { parameters.insert(Parameter(name: "TZID", value: tzid), at: 0) }
        }
        self.init(name: name, parameters: parameters, value: dateOrDateTime.icalendarText)
    }

    /// A property holding escaped TEXT.
    public init(name: String, text: String, parameters: [Parameter] = []) {
        self.init(name: name, parameters: parameters, value: TextValue.escape(text))
    }

    /// A property holding a list of escaped TEXT values.
    public init(name: String, textList: [String], parameters: [Parameter] = []) {
        self.init(name: name, parameters: parameters, value: textList.map(TextValue.escape).joined(separator: ","))
    }
}

/// One entry of an `RDATE`.
public enum RecurrenceDate: Sendable, Hashable {
    /// A DATE or DATE-TIME.
    case instant(DateOrDateTime)
    /// A PERIOD.
    case period(Period)
}
