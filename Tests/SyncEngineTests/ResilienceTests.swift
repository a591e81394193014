import DAVClient
import Foundation
import SwitchboardTestSupport
import SyncEngine
import SwitchboardStore
import Testing
import HTTPTransport

/// A server killed in the middle of runs, and another client editing all along: after the
/// dust settles, both sides hold the same items, none twice, and nothing that nobody
/// deleted is gone.
@Suite(.serialized) struct ResilienceTests {
    @Test(arguments: StoreDriver.allCases)
    func runsResumeAfterTheServerIsKilledWhileAnotherClientEdits(driver: StoreDriver) async throws {
        let peer = try Peer.dedicated("radicale")
        defer { try? peer.stop() }
        var random = SeededGenerator(seed: driver == .sqlite ? 7 : 11)
        // The circuit breaker opens while the server is down; let it close quickly.
        try await SyncHarness.with(peer, driver, configure: { $0.circuitBreaker.cooldown = 0.2 }) { harness in
            for index in 1...60 {
                _ = try await harness.client.createObject(.calendar, in: harness.collection.href,
                                                          data: Fixtures.event(uid: "seed-\(index)"), uid: "seed-\(index)")
            }
            var madeHere: [String] = []
            var interruptedRuns = 0
            for round in 1...4 {
                // Local work for this round: new events and edits.
                for index in 1...15 {
                    let uid = "local-\(round)-\(index)"
                    try harness.writeFile("\(uid).ics", Fixtures.event(uid: uid, summary: "Made here in round \(round)"))
                    madeHere.append(uid)
                }
                // Another client edits while the run goes; the server dies at a random moment.
                let calendarURL = peer.baseURL.appendingPathComponent(harness.collection.href).absoluteString
                let editor = Task {
                    try await ChildProcess.runConcurrently([
                        ChildProcess.repositoryRoot.appendingPathComponent(".build/peers/venv/bin/python").path,
                        ChildProcess.repositoryRoot.appendingPathComponent("Tests/python/caldav_editor.py").path,
                        peer.baseURL.absoluteString, "anna", "secret", calendarURL, "6", String(round),
                    ])
                }
                let killAfter = UInt64.random(in: 5...250, using: &random)
                let killer = Task {
                    try await Task.sleep(for: .milliseconds(killAfter))
                    try peer.kill()
                }
                let interrupted = try await harness.sync()
                try await killer.value
                try peer.resume()
                try await Task.sleep(for: .milliseconds(250))
                let edits = try await editor.value
                #expect(edits.stdout.hasSuffix("done\n") || edits.status != 0, "the editor ran: \(edits.stderr)")
                if interrupted.failure != nil || !interrupted.itemErrors.isEmpty { interruptedRuns += 1 }
                print("round \(round): killed after \(killAfter) ms; run: \(interrupted.counts), \(interrupted.failure ?? "-"), \(interrupted.itemErrors.count) item errors")
            }
            #expect(interruptedRuns > 0, "the server died in the middle of at least one run")
            // Settle: a sync picks up everything; a second one finds nothing left to do.
            let settle = try await harness.sync()
            #expect(settle.failure == nil, "\(settle.failure ?? "")")
            let quiet = try await harness.sync()
            #expect(quiet.counts.downloaded + quiet.counts.uploaded + quiet.counts.deletedLocally + quiet.counts.deletedRemotely == 0)

            let server = try await harness.serverObjects()
            let serverUIDs = server.values.compactMap(SyncHarness.uid)
            let folderUIDs = try harness.folderUIDs()
            #expect(Set(serverUIDs).count == serverUIDs.count, "no UID twice on the server")
            #expect(Set(folderUIDs).count == folderUIDs.count, "no UID twice in the folder")
            #expect(Set(serverUIDs) == Set(folderUIDs))
            #expect(Set(madeHere).isSubset(of: Set(serverUIDs)), "every event made here reached the server")
            #expect(Set((1...60).map { "seed-\($0)" }).isSubset(of: Set(serverUIDs)), "nothing nobody deleted is gone")
        }
    }
}
