import Foundation
import HTTPTransport
import IMAP
import MailClient
import MIME

/// The mail benchmark's Switchboard side (scripts/bench-mail runs it beside python):
///   MailBench fetch IMAPS_URL USER PASSWORD CA_FILE FOLDER
///       connect, sign in, SELECT, UID FETCH 1:* (UID FLAGS ENVELOPE), decode; one JSON line
///   MailBench parse DIRECTORY
///       read every file in DIRECTORY and parse it as a MIME message; one JSON line
///   MailBench pool IMAPS_URL USER PASSWORD CA_FILE FOLDER N
///       N times SELECT + UID SEARCH UNSEEN, each on a connection of its own and then on a
///       pooled one; one JSON line each
/// Each line has the tool, the seconds, the count, and the process's peak RSS in KiB.
@main
struct MailBench {
    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        switch arguments.first {
        case "fetch" where arguments.count == 6:
            try await fetch(url: arguments[1], user: arguments[2], password: arguments[3], caFile: arguments[4], folder: arguments[5])
        case "parse" where arguments.count == 2:
            try parse(directory: arguments[1])
        case "pool" where arguments.count == 7:
            try await pool(url: arguments[1], user: arguments[2], password: arguments[3], caFile: arguments[4], folder: arguments[5],
                           count: Int(arguments[6]) ?? 100)
        default:
            FileHandle.standardError.write(Data("usage: MailBench fetch URL USER PASSWORD CA_FILE FOLDER | parse DIRECTORY\n".utf8))
            exit(2)
        }
    }

    static func fetch(url: String, user: String, password: String, caFile: String, folder: String) async throws {
        guard let parsed = URL(string: url), let server = MailServer(url: parsed, kind: .imap) else { throw CocoaError(.fileReadInvalidFileName) }
        let options = MailConnectionOptions(user: user, password: password, trustedCertificatesPEM: try String(contentsOfFile: caFile, encoding: .utf8),
                                            networkPolicy: NetworkPolicy(allowing: [IPRange("127.0.0.0/8")!]))
        let start = ContinuousClock.now
        var count = 0
        var subjects = 0
        try await IMAPConnection.withConnection(to: server, options: options) { connection in
            try await connection.select(MailboxName(folder), readOnly: true)
            try await connection.fetch(.all, [.uid, .flags, .envelope]) { message in
                count += 1
                if message.envelope?.subject != nil { subjects += 1 }
            }
        }
        report(tool: "switchboard", seconds: start.duration(to: .now), count: count, extra: "\"with_subject\": \(subjects)")
    }

    static func pool(url: String, user: String, password: String, caFile: String, folder: String, count: Int) async throws {
        guard let parsed = URL(string: url), let server = MailServer(url: parsed, kind: .imap) else { throw CocoaError(.fileReadInvalidFileName) }
        let options = MailConnectionOptions(user: user, password: password, trustedCertificatesPEM: try String(contentsOfFile: caFile, encoding: .utf8),
                                            networkPolicy: NetworkPolicy(allowing: [IPRange("127.0.0.1")!]))
        let mailbox = MailboxName(folder)
        var start = ContinuousClock.now
        for _ in 0..<count {
            try await IMAPConnection.withConnection(to: server, options: options) { connection in
                try await connection.select(mailbox, readOnly: true)
                _ = try await connection.search(.unseen)
            }
        }
        report(tool: "connection-each-time", seconds: start.duration(to: .now), count: count, extra: "\"task\": \"operations\"")
        let pool = IMAPConnectionPool(server: server, options: options)
        start = ContinuousClock.now
        for _ in 0..<count {
            try await pool.withConnection { connection in
                try await connection.select(mailbox, readOnly: true)
                _ = try await connection.search(.unseen)
            }
        }
        report(tool: "pooled", seconds: start.duration(to: .now), count: count, extra: "\"task\": \"operations\"")
        await pool.close()
    }

    static func parse(directory: String) throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        let inputs = try files.map { Array(try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent($0))) }
        let parser = MIMEParser()
        let start = ContinuousClock.now
        var parts = 0
        for bytes in inputs {
            let message = try parser.parse(bytes)
            // What a reader of the message asks for: subject, text, attachments' names.
            _ = message.subject
            _ = message.plainText
            parts += message.attachments.count
            for attachment in message.attachments { _ = attachment.filename }
        }
        report(tool: "switchboard", seconds: start.duration(to: .now), count: inputs.count, extra: "\"attachments\": \(parts)")
    }

    static func report(tool: String, seconds: Duration, count: Int, extra: String) {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let (whole, fraction) = seconds.components
        let value = Double(whole) + Double(fraction) / 1e18
        print("{\"tool\": \"\(tool)\", \"seconds\": \(value), \"count\": \(count), \"peak_rss_kib\": \(usage.ru_maxrss), \(extra)}")
    }
}
