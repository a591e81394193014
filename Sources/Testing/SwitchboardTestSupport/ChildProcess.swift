public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion with `posix_spawn` and `waitpid`.
///
/// Foundation's `Process` misses the exit of a script that leaves a daemon behind when it
/// runs inside the test runner (its `waitUntilExit` never returns), and a pipe would stay
/// open as long as the daemon lives; so output goes to files and the wait is `waitpid`.
/// The child gets standard input, output and error only: no other descriptor is inherited.
public enum ChildProcess {
    /// What a run produced.
    public struct Result: Sendable {
        /// The exit status (128 + the signal number when killed).
        public var status: Int32
        /// Standard output.
        public var stdout: String
        /// Standard error.
        public var stderr: String
    }

    /// Runs `arguments[0]` (a path) with the rest as arguments, in this process's
    /// environment with `environment` added and the variables in `unset` removed.
    public static func run(_ arguments: [String], environment: [String: String] = [:], unset: [String] = []) throws -> Result {
        try spawn(arguments, environment: environment, unset: unset).wait()
    }

    /// Starts `arguments[0]` like ``run(_:environment:unset:)`` without waiting for it.
    public static func spawn(_ arguments: [String], environment: [String: String] = [:], unset: [String] = []) throws -> Running {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString)").path
        let outputPath = base + ".out"
        let errorPath = base + ".err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // Nothing else of this process goes along: the test runner's sockets (NIO opens them
        // without close-on-exec) would otherwise live on in a child — a daemon a peer script
        // leaves behind keeps a connection the server closed open, and its client waits forever.
        guard closeFrom(&actions, 3) == 0 else { throw ChildProcessError(description: "cannot keep descriptors from \(arguments[0])") }
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }.filter { !unset.contains($0.key) }
        var argv = arguments.map { strdup($0) } + [nil]
        var envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        // No signal blocked or ignored: the runner's threads block most of them, and a child
        // would inherit that — a peer started here then ignores the SIGTERM that stops it.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        var all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, arguments[0], &actions, &attributes, &argv, &envp)
        guard spawned == 0 else { throw ChildProcessError(description: "cannot run \(arguments[0]): error \(spawned)") }
        return Running(pid: pid, outputPath: outputPath, errorPath: errorPath)
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which its module map
    /// does not show to Swift: looked up once by name.
    private static let closeFrom: @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32 = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
            fatalError("this C library has no posix_spawn_file_actions_addclosefrom_np (glibc 2.34 or later is needed)")
        }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// A child started by ``spawn(_:environment:unset:)``: wait for it once.
    public struct Running: Sendable {
        let pid: pid_t
        let outputPath: String
        let errorPath: String

        /// Sends `signal` (SIGKILL by default: a crash).
        public func kill(_ signal: Int32 = SIGKILL) {
            _ = Glibc.kill(pid, signal)
        }

        /// What the child has written to its standard output so far.
        public var outputSoFar: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

        /// Waits for the child to end and collects what it wrote.
        public func wait() -> Result {
            defer {
                try? FileManager.default.removeItem(atPath: outputPath)
                try? FileManager.default.removeItem(atPath: errorPath)
            }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1, errno == EINTR {}
            let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
            return Result(status: exitStatus, stdout: read(outputPath), stderr: read(errorPath))
        }
    }

    /// ``run(_:environment:unset:)`` on a thread of its own, so that a long child (another
    /// client editing a server) runs while the test goes on without holding a thread of
    /// the concurrency pool.
    public static func runConcurrently(_ arguments: [String], environment: [String: String] = [:]) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Swift.Result { try run(arguments, environment: environment) })
            }.start()
        }
    }

    /// The repository this test build comes from (this file is `Sources/Testing/SwitchboardTestSupport/ChildProcess.swift`).
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// A program that could not be started.
public struct ChildProcessError: Error, CustomStringConvertible {
    public var description: String
}
