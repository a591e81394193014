public import Foundation

/// Small iCalendar and vCard objects for the integration tests.
public enum Fixtures {
    /// A one-hour event, optionally weekly.
    public static func event(uid: String, summary: String = "Consultation", start: String = "20260105T090000Z",
                      end: String = "20260105T100000Z", rrule: String? = nil) -> String {
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Switchboard//Tests//EN", "BEGIN:VEVENT",
            "UID:\(uid)", "DTSTAMP:20260101T000000Z", "DTSTART:\(start)", "DTEND:\(end)", "SUMMARY:\(summary)",
        ]
        if let rrule { lines.append("RRULE:\(rrule)") }
        lines += ["END:VEVENT", "END:VCALENDAR"]
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// A vCard 3.0.
    public static func card(uid: String, name: String) -> String {
        ["BEGIN:VCARD", "VERSION:3.0", "UID:\(uid)", "FN:\(name)", "N:\(name);;;;", "EMAIL:\(uid)@example.org", "END:VCARD"]
            .joined(separator: "\r\n") + "\r\n"
    }

    /// A fresh collection name.
    public static func unique(_ prefix: String) -> String {
        prefix + "-" + UUID().uuidString.prefix(8).lowercased()
    }

    /// A UTC date.
    public static func date(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)!
    }
}
