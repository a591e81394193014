import DAVClient
import Foundation
import SwitchboardTestSupport
import Testing

/// `switchboard account` and `switchboard sync`, run as a person runs them, against real
/// servers and stores.
@Suite(.serialized) struct CommandLineSyncTests {
    /// A fresh `SWITCHBOARD_HOME` with an account `home` for anna and a new calendar with
    /// `events` events; returns the calendar's href.
    private func setUp(
        _ peer: Peer, events: Int, environment: inout [String: String], home: URL
    ) async throws -> String {
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let passwordFile = home.appendingPathComponent("password")
        try Data("secret\n".utf8).write(to: passwordFile)
        environment["SWITCHBOARD_HOME"] = home.appendingPathComponent("state").path
        let href = peer.annaCalendarHome + Fixtures.unique("cli-sync") + "/"
        try await peer.withClient { client in
            try await client.makeCalendar(href, displayName: "CLI sync")
            for index in 0..<events {
                _ = try await client.createObject(.calendar, in: href, data: Fixtures.event(uid: "seed-\(index)"), uid: "seed-\(index)")
            }
        }
        var arguments = ["account", "add", "home", "--server", peer.baseURL.absoluteString, "--user", "anna",
                         "--password-file", passwordFile.path]
        if let certificate = peer.certificateFile { arguments += ["--ca-file", certificate] }
        let added = try switchboard(arguments, environment)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains(href))
        return href
    }

    private func switchboard(_ arguments: [String], _ environment: [String: String]) throws -> ChildProcess.Result {
        try ChildProcess.run([Self.binary] + arguments, environment: environment, unset: ["SWITCHBOARD_PASSWORD"])
    }

    static var binary: String { Bundle.main.bundleURL.appendingPathComponent("switchboard").path }

    private func temporary() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-cli-\(UUID().uuidString)")
    }

    private func uids(in folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".ics") }.compactMap { name in
            SyncHarness.uid(try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8))
        }.sorted()
    }

    @Test(arguments: Peer.all)
    func accountsSyncToAFolderAndTheLogShowsIt(peerName: String) async throws {
        let peer = try await Peer.named(peerName)
        let home = temporary()
        defer { try? FileManager.default.removeItem(at: home) }
        var environment: [String: String] = [:]
        let href = try await setUp(peer, events: 2, environment: &environment, home: home)
        let folderRoot = home.appendingPathComponent("vdir")
        var sync = ["sync", "--to-dir", folderRoot.path, "--collection", href]
        if let certificate = peer.certificateFile { sync += ["--ca-file", certificate] }

        let first = try switchboard(sync, environment)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("2 downloaded"))
        let folder = folderRoot.appendingPathComponent("home").appendingPathComponent(String(href.split(separator: "/").last!))
        #expect(try uids(in: folder) == ["seed-0", "seed-1"])

        try Data(Fixtures.event(uid: "made-in-a-text-editor").utf8).write(to: folder.appendingPathComponent("new.ics"))
        let second = try switchboard(sync + ["--json"], environment)
        #expect(second.status == 0, "\(second.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
        let totals = try #require(summary["totals"] as? [String: Int])
        #expect(totals["uploaded"] == 1)

        let log = try switchboard(["sync", "log", "--collection", href], environment)
        #expect(log.status == 0)
        #expect(log.stdout.split(separator: "\n").filter { $0.contains(href) }.count == 2)

        let state = URL(fileURLWithPath: environment["SWITCHBOARD_HOME"]!)
        for file in ["switchboard.sqlite", "secret.key"] {
            let mode = try FileManager.default.attributesOfItem(atPath: state.appendingPathComponent(file).path)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600, "\(file)")
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: state.path) where name.hasPrefix("switchboard.sqlite") {
            // The schema names columns `sealed_hook_secret`, `sealed_secret` and `secret_hash`: that text is not the password.
            var bytes = try Data(contentsOf: state.appendingPathComponent(name))
            for column in ["sealed_hook_secret", "sealed_secret", "secret_hash"] {
                while let found = bytes.range(of: Data(column.utf8)) { bytes.removeSubrange(found) }
            }
            #expect(bytes.range(of: Data("secret\n".utf8)) == nil && bytes.range(of: Data("secret".utf8)) == nil,
                    "no plain-text password in \(name)")
        }

        #expect(try switchboard(["account", "remove", "home"], environment).status == 0)
        #expect(try switchboard(["account", "list"], environment).stdout.isEmpty)
    }

    @Test func runsKilledAtRandomPointsResumeWithoutLossOrDuplicates() async throws {
        let peer = try await Peer.named("radicale")
        let home = temporary()
        defer { try? FileManager.default.removeItem(at: home) }
        var environment: [String: String] = [:]
        let href = try await setUp(peer, events: 150, environment: &environment, home: home)
        let folderRoot = home.appendingPathComponent("vdir")
        let folder = folderRoot.appendingPathComponent("home").appendingPathComponent(String(href.split(separator: "/").last!))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let sync = [Self.binary, "sync", "--to-dir", folderRoot.path, "--collection", href]
        var random = SeededGenerator(seed: 42)
        var madeHere: [String] = []
        for round in 0..<6 {
            for index in 0..<10 {
                let uid = "local-\(round)-\(index)"
                try Data(Fixtures.event(uid: uid).utf8).write(to: folder.appendingPathComponent("\(uid).ics"))
                madeHere.append(uid)
            }
            let running = try ChildProcess.spawn(sync, environment: environment, unset: ["SWITCHBOARD_PASSWORD"])
            try await Task.sleep(for: .milliseconds(Int.random(in: 30...700, using: &random)))
            running.kill()
            _ = running.wait()
        }
        for _ in 0..<2 {
            let settle = try ChildProcess.run(sync, environment: environment, unset: ["SWITCHBOARD_PASSWORD"])
            #expect(settle.status == 0, "\(settle.stdout) \(settle.stderr)")
        }
        let quiet = try ChildProcess.run(sync + ["--json"], environment: environment, unset: ["SWITCHBOARD_PASSWORD"])
        let totals = try #require((try JSONSerialization.jsonObject(with: Data(quiet.stdout.utf8)) as? [String: Any])?["totals"] as? [String: Int])
        #expect(totals["requests"] == 1, "converged: \(quiet.stdout)")

        let serverUIDs = try await peer.withClient { client in
            let etags = try await client.etags(in: href)
            return try await client.multiget(.calendar, in: href, hrefs: Array(etags.keys)).objects.compactMap { SyncHarness.uid($0.data ?? "") }
        }.sorted()
        let folderUIDs = try uids(in: folder)
        #expect(Set(serverUIDs).count == serverUIDs.count, "no duplicates on the server")
        #expect(serverUIDs == folderUIDs)
        #expect(serverUIDs.count == 150 + madeHere.count)
    }

    @Test func twoProcessesOnOnePostgreSQLStoreNeverSyncOneCollectionAtOnce() async throws {
        let peer = try await Peer.named("radicale")
        let home = temporary()
        defer { try? FileManager.default.removeItem(at: home) }
        let database = try await Peer.named("postgres").baseURL.absoluteString
        var environment = ["SWITCHBOARD_DATABASE_URL": database]
        // Every test shares the database: a unique account name keeps this one apart.
        let href = try await setUp(peer, events: 300, environment: &environment, home: home)
        defer { _ = try? switchboard(["account", "remove", "home"], environment) }
        let sync = [Self.binary, "sync", "--account", "home", "--collection", href, "--json"]
        let processes = try (0..<2).map { _ in try ChildProcess.spawn(sync, environment: environment, unset: ["SWITCHBOARD_PASSWORD"]) }
        let results = processes.map { $0.wait() }
        let outcomes = try results.map { result -> String in
            let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            let entry = (summary?["collections"] as? [[String: Any]])?.first
            return (entry?["failure"] as? String).map { $0.hasPrefix("busy") ? "busy" : "failed: \($0)" } ?? "ok"
        }
        #expect(outcomes.sorted() == ["busy", "ok"] || outcomes == ["ok", "ok"], "\(outcomes)")
        let log = try switchboard(["sync", "log", "--collection", href, "--json"], environment)
        let runs = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]])
        let intervals = runs.compactMap { entry -> (Double, Double)? in
            guard let run = entry["run"] as? [String: Any], run["failure"] == nil,
                let started = (run["startedAt"] as? String).flatMap(ISO8601DateFormatter().date(from:)),
                let finished = (run["finishedAt"] as? String).flatMap(ISO8601DateFormatter().date(from:))
            else { return nil }
            return (started.timeIntervalSince1970, finished.timeIntervalSince1970)
        }
        #expect(intervals.count == outcomes.filter { $0 == "ok" }.count)
        if intervals.count == 2 {
            #expect(intervals[0].0 >= intervals[1].1 || intervals[1].0 >= intervals[0].1, "the two runs did not overlap")
        }
    }
}
