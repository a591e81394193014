import Foundation

/// HTTP-dates (RFC 9110 §5.6.7) as seconds since 1970: the IMF-fixdate form every
/// current server sends, and the obsolete RFC 850 and asctime forms recipients must accept.
enum HTTPDate {
    static func parse(_ text: String) -> Double? {
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date.timeIntervalSince1970 }
        }
        return nil
    }
}
