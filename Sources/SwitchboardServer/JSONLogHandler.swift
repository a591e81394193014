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
        var fields: [String: Any] = [
            "time": Self.timestamp(Date()), "level": level.rawValue, "label": label, "message": message.description,
        ]
        for (key, value) in metadata.merging(explicit ?? [:], uniquingKeysWith: { $1 }) {
            fields[key] = Self.redactedKeys.contains(key.lowercased()) ? "[redacted]" : Self.json(value)
        }
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        output.emit(String(decoding: data, as: UTF8.self) + "\n")
    }

    static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(json)
        case .dictionary(let values):
            Dictionary(uniqueKeysWithValues: values.map { key, value -> (String, Any) in
                (key, redactedKeys.contains(key.lowercased()) ? "[redacted]" : json(value))
            })
        }
    }

    /// RFC 3339 in UTC with milliseconds.
    static func timestamp(_ date: Date) -> String {
        let seconds = (try? RFC3339DateTranscoder().encode(date)) ?? ""
        let milliseconds = Int((date.timeIntervalSince1970 * 1000).rounded(.down)) % 1000
        return seconds.dropLast() + "." + String(1000 + milliseconds).dropFirst() + "Z"
    }
}
