import ArgumentParser
import DAVClient
import HTTPTransport
import Foundation

/// The connection options every server command takes. The password never comes from the
/// command line (where `ps` and shell history would keep it): it is read from
/// `--password-file` or the `SWITCHBOARD_PASSWORD` environment variable.
struct ServerOptions: ParsableArguments {
    @Option(help: "The server: a bare host URL, a Nextcloud URL, a DAV root or a collection URL.")
    var server: String

    @Option(help: "The user name.")
    var user: String

    @Option(help: "A file whose first line is the password (or app password); else SWITCHBOARD_PASSWORD.")
    var passwordFile: String?

    @Option(help: "A PEM file of certificates to trust besides the system's (a self-signed server).")
    var caFile: String?

    @OptionGroup var output: OutputOptions

    /// The password from the file or the environment.
    func password() throws -> String { try Self.password(file: passwordFile) }

    /// The first line of `file`, else `SWITCHBOARD_PASSWORD`.
    static func password(file passwordFile: String?) throws -> String {
        if let passwordFile {
            guard let data = FileManager.default.contents(atPath: passwordFile) else {
                throw ValidationError("cannot read the password file \(passwordFile)")
            }
            return String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        }
        if let password = ProcessInfo.processInfo.environment["SWITCHBOARD_PASSWORD"] { return password }
        throw ValidationError("no password: pass --password-file PATH or set SWITCHBOARD_PASSWORD")
    }

    /// The server's URL (`https://` when no scheme is given).
    func url() throws -> URL {
        guard let url = URL(string: server.contains("://") ? server : "https://" + server), url.host != nil else {
            throw ValidationError("--server must be a URL: \(server)")
        }
        return url
    }

    /// Runs `body` with a client of the server; a ``DAVError`` or ``HTTPError`` is printed and exits with 1.
    func withClient<Result>(_ body: (DAVClient) async throws -> Result) async throws -> Result {
        let url = try url()
        var configuration = ClientConfiguration(credentials: .basic(user: user, password: try password()))
        configuration.additionalTrustRootsFile = caFile
        do {
            return try await HTTPTransport.withTransport(configuration: configuration) { transport in
                try await body(DAVClient(baseURL: url, transport: transport))
            }
        } catch let error as DAVError {
            StandardError.write("error: \(error)")
            throw ExitCode(1)
        } catch let error as HTTPError {
            StandardError.write("error: \(error)")
            throw ExitCode(1)
        }
    }

    /// Prints `value` as JSON (with `--json`) or `text()` otherwise.
    func print<Value: Encodable>(_ value: Value, text: () -> String) throws {
        try output.print(value, text: text)
    }
}

/// `--json`, and printing by it.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON instead of text.")
    var json = false

    /// Prints `value` as JSON (with `--json`) or `text()` otherwise.
    func print<Value: Encodable>(_ value: Value, text: () -> String) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            StandardOutput.write(Array(try encoder.encode(value)) + [UInt8(ascii: "\n")])
        } else {
            let output = text()
            StandardOutput.write(Array((output.hasSuffix("\n") || output.isEmpty ? output : output + "\n").utf8))
        }
    }
}

/// Dates on the command line: `2026-03-01`, `2026-03-01T09:00:00Z`, `2026-03-01T09:00:00+01:00`
/// or iCalendar's `20260301T090000Z`.
struct CommandLineDate: ExpressibleByArgument {
    let date: Date

    init?(argument: String) {
        let iso = ISO8601DateFormatter()
        if let date = iso.date(from: argument) {
            self.date = date
            return
        }
        iso.formatOptions = [.withFullDate]
        if let date = iso.date(from: argument) {
            self.date = date
            return
        }
        iso.formatOptions = [.withYear, .withMonth, .withDay, .withTime, .withTimeZone]
        if let date = iso.date(from: argument) {
            self.date = date
            return
        }
        return nil
    }
}
