public import Logging
import Foundation
import Synchronization

/// Logs as one JSON object per line (time, level, label, message, metadata), for log
/// shippers. Metadata that may carry secrets or personal data — passwords, keys, tokens,
/// authorization, and the content of events and contacts (summaries, descriptions,
/// places, people, addresses) — is written as `"[redacted]"` whatever the caller passed.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    let output: Output

    /// Where lines go (standard error by default), one write per line.
    public final class Output: Sendable {
        let write: @Sendable (String) -> Void
        let lock = Mutex(())

        public init(_ write: @escaping @Sendable (String) -> Void) {
            self.write = write
        }

        public static let standardError = Output { line in FileHandle.standardError.write(Data(line.utf8)) }

        func emit(_ line: String) { lock.withLock { _ in write(line) } }
    }

    /// Metadata keys whose values never reach the log.
    public static let redactedKeys: Set<String> = [
        "password", "authorization", "token", "key", "secret", "cookie", "summary", "description", "location", "attendee",
        "attendees", "organizer", "email", "name", "address", "phone", "body",
    ]

    public init(label: String, output: Output = .standardError) {
        self.label = label
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
                    file: String, function: String, line: UInt) {
        var fields: [String: Logger.Metadata.Value] = [
            "time": .string(Self.timestamp(Date())), "level": .string(level.rawValue), "label": .string(label),
            "message": .string(message.description),
        ]
        for (key, value) in metadata.merging(explicit ?? [:], uniquingKeysWith: { $1 }) { fields[key] = value }
        // Written by hand: a line per request at thousands of requests a second made
        // JSONSerialization a visible cost.
        var text = ""
        text.reserveCapacity(256)
        Self.write(.dictionary(fields), into: &text)
        text.append("\n")
        output.emit(text)
    }

    /// Appends `value` as JSON, keys sorted, redacted keys' values replaced.
    static func write(_ value: Logger.Metadata.Value, into text: inout String) {
        switch value {
        case .string(let string): quote(string, into: &text)
        case .stringConvertible(let convertible): quote(convertible.description, into: &text)
        case .array(let values):
            text.append("[")
            for (index, element) in values.enumerated() {
                if index > 0 { text.append(",") }
                write(element, into: &text)
            }
            text.append("]")
        case .dictionary(let values):
            text.append("{")
            for (index, key) in values.keys.sorted().enumerated() {
                if index > 0 { text.append(",") }
                quote(key, into: &text)
                text.append(":")
                if redactedKeys.contains(key.lowercased()) { text.append("\"[redacted]\"") } else { write(values[key]!, into: &text) }
            }
            text.append("}")
        }
    }

    /// Appends `string` as a JSON string (RFC 8259 escapes).
    static func quote(_ string: String, into text: inout String) {
        text.append("\"")
        // Most values need no escape: appended whole.
        guard string.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            text.append(string)
            text.append("\"")
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text.append("\\\"")
            case "\\": text.append("\\\\")
            case "\n": text.append("\\n")
            case "\r": text.append("\\r")
            case "\t": text.append("\\t")
            case _ where scalar.value < 0x20:
                text.append("\\u00")
                text.append(scalar.value < 0x10 ? "0" : "")
                text.append(String(scalar.value, radix: 16))
            default: text.unicodeScalars.append(scalar)
            }
        }
        text.append("\"")
    }

    /// RFC 3339 in UTC with milliseconds.
    static func timestamp(_ date: Date) -> String {
        let seconds = (try? RFC3339DateTranscoder().encode(date)) ?? ""
        let milliseconds = Int((date.timeIntervalSince1970 * 1000).rounded(.down)) % 1000
        return seconds.dropLast() + "." + String(1000 + milliseconds).dropFirst() + "Z"
    }
}
