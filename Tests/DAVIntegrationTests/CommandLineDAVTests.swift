import Foundation
import SwitchboardTestSupport
import Testing

/// The `switchboard` DAV commands, run as a user runs them, against the real servers.
@Suite("switchboard dav/calendars/events/contacts against real servers", .serialized)
struct CommandLineDAVTests {
    private func switchboard(_ peer: Peer, _ arguments: [String], password: String = "secret") throws -> ChildProcess.Result {
        let binary = Bundle.main.bundleURL.appendingPathComponent("switchboard").path
        var common = ["--server", peer.baseURL.absoluteString, "--user", "anna"]
        if let certificate = peer.certificateFile { common += ["--ca-file", certificate] }
        return try ChildProcess.run([binary] + arguments + common, environment: ["SWITCHBOARD_PASSWORD": password])
    }

    private func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    @Test("discover, list calendars, put/list/get/delete an event and a contact", arguments: Peer.all)
    func roundTrip(peerName: String) async throws {
        let peer = try await Peer.named(peerName)
        let discovered = try switchboard(peer, ["dav", "discover", "--json"])
        #expect(discovered.status == 0, "\(discovered.stderr)")
        let report = try #require(try json(discovered.stdout) as? [String: Any])
        #expect((report["principal"] as? String)?.hasSuffix("/anna/") == true)
        let collections = try #require(report["collections"] as? [[String: Any]])
        // The user's default collections (Radicale's def-…, Xandikos' --defaults): other tests
        // running at the same time make collections of their own, which must stay theirs.
        func defaultCollection(_ kind: String, named names: Set<String>) throws -> String {
            try #require(collections.compactMap { $0["kind"] as? String == kind ? $0["href"] as? String : nil }
                .first { names.contains($0.split(separator: "/").last.map(String.init) ?? "") })
        }
        let calendar = try defaultCollection("calendar", named: ["def-calendar", "calendar"])
        let book = try defaultCollection("addressbook", named: ["def-addressbook", "addressbook"])

        let listed = try switchboard(peer, ["calendars", "list"])
        #expect(listed.status == 0)
        #expect(listed.stdout.contains(calendar))

        let uid = "cli-\(UUID().uuidString)"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(uid).ics")
        try Data(Fixtures.event(uid: uid, summary: "Consultation from the CLI", start: "20260302T090000Z", end: "20260302T100000Z").utf8).write(to: file)
        let put = try switchboard(peer, ["events", "put", "--calendar", calendar, file.path, "--json"])
        #expect(put.status == 0, "\(put.stderr)")
        let stored = try #require(try json(put.stdout) as? [String: Any])
        let href = try #require(stored["href"] as? String)
        let etag = try #require(stored["etag"] as? String)

        let events = try switchboard(peer, ["events", "list", "--calendar", calendar, "--from", "2026-03-01", "--to", "2026-03-03"])
        #expect(events.status == 0)
        #expect(events.stdout.contains("Consultation from the CLI"))
        #expect(events.stdout.contains(uid))
        let outside = try switchboard(peer, ["events", "list", "--calendar", calendar, "--from", "2026-04-01", "--to", "2026-04-02"])
        #expect(!outside.stdout.contains(uid))

        let got = try switchboard(peer, ["events", "get", href])
        #expect(got.stdout.contains("UID:\(uid)"))

        let stale = try switchboard(peer, ["events", "delete", href, "--etag", "\"stale\""])
        #expect(stale.status == 1)
        #expect(stale.stderr.contains("conflict"))
        let deleted = try switchboard(peer, ["events", "delete", href, "--etag", etag])
        #expect(deleted.status == 0, "\(deleted.stderr)")

        let card = FileManager.default.temporaryDirectory.appendingPathComponent("\(uid).vcf")
        try Data(Fixtures.card(uid: uid, name: "Grace Hopper").utf8).write(to: card)
        let putCard = try switchboard(peer, ["contacts", "put", "--addressbook", book, card.path])
        #expect(putCard.status == 0, "\(putCard.stderr)")
        let cards = try switchboard(peer, ["contacts", "list", "--addressbook", book, "--match", "hopper"])
        #expect(cards.stdout.contains("Grace Hopper"))
    }

    @Test("no password and a wrong password are clear errors", arguments: ["radicale"])
    func passwords(peerName: String) async throws {
        let peer = try await Peer.named(peerName)
        let binary = Bundle.main.bundleURL.appendingPathComponent("switchboard").path
        let missing = try ChildProcess.run([binary, "calendars", "list", "--server", peer.baseURL.absoluteString, "--user", "anna"],
                                           unset: ["SWITCHBOARD_PASSWORD"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no password"))
        let wrong = try switchboard(peer, ["calendars", "list"], password: "wrong")
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("unauthorized"))
        #expect(!wrong.stderr.contains("wrong"))
    }
}
