import ArgumentParser
import ContentLines
import Foundation

/// The file argument and `--strict` flag every value command takes.
struct InputOptions: ParsableArguments {
    @Argument(help: "The file to read ('-' for standard input).")
    var file: String

    @Flag(help: "Reject any breakage instead of repairing it.")
    var strict = false
}

/// Reading input files and reporting diagnostics, shared by the value commands.
enum InputFile {
    /// The bytes of `path` (`-` reads standard input).
    static func read(_ path: String) throws -> [UInt8] {
        if path == "-" {
            return Array(FileHandle.standardInput.readDataToEndOfFile())
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read \(path)")
        }
        return Array(data)
    }

    /// Reads and parses `path`, reporting repairs and errors on standard error; a parse
    /// error exits with status 1.
    static func parse<Parsed>(
        _ path: String, _ parse: ([UInt8]) throws(ParseError) -> (Parsed, [ParseWarning])
    ) throws -> Parsed {
        let bytes = try read(path)
        do {
            let (parsed, warnings) = try parse(bytes)
            report(warnings, file: path)
            return parsed
        } catch {
            report(error, file: path)
            throw ExitCode(1)
        }
    }

    /// Writes each warning to standard error as `FILE:LINE:COLUMN: warning: …`.
    static func report(_ warnings: [ParseWarning], file: String) {
        for warning in warnings {
            let subject = warning.property.map { " \($0):" } ?? ""
            StandardError.write(
                "\(file):\(warning.location.line):\(warning.location.column): warning: \(warning.repair):\(subject) \(warning.message)"
            )
        }
    }

    /// Writes a parse error to standard error as `FILE:LINE:COLUMN: error: …`.
    static func report(_ error: ParseError, file: String) {
        let subject = error.property.map { " \($0):" } ?? ""
        StandardError.write(
            "\(file):\(error.location.line):\(error.location.column): error: \(error.code):\(subject) \(error.hint)")
    }
}

/// Standard error, one line at a time.
enum StandardError {
    static func write(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Standard output for bytes that must pass unchanged.
enum StandardOutput {
    static func write(_ bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }
}

/// Standard output gathered into large writes: for commands that print many lines.
struct BufferedOutput {
    /// What is not written yet.
    var bytes: [UInt8] = []
    /// The size at which ``flushIfFull()`` writes.
    let capacity: Int

    init(capacity: Int = 1 << 16) {
        self.capacity = capacity
        bytes.reserveCapacity(capacity + 1024)
    }

    mutating func flushIfFull() {
        if bytes.count >= capacity { flush() }
    }

    mutating func flush() {
        guard !bytes.isEmpty else { return }
        StandardOutput.write(bytes)
        bytes.removeAll(keepingCapacity: true)
    }
}
