import Foundation
import SwitchboardTestSupport
import Testing

/// `switchboard index …` and `switchboard search` as a user runs them, against WsgiDAV.
@Suite struct IndexCommandTests {
    @Test func addRunStatusErrorsAndSearch() async throws {
        let peer = try await Peer.named("wsgidav")
        let cli = try CommandLineHome()
        defer { cli.remove() }
        try cli.run(["account", "add", "share", "--server", peer.baseURL.absoluteString, "--user", "anna", "--password-file", cli.password])
        let folder = Fixtures.unique("kb")
        func files(_ command: String, _ arguments: String...) -> [String] { ["files", command, "--account", "share"] + arguments }
        try cli.run(files("mkdir", folder))
        try cli.run(files("mkdir", "\(folder)/old"))
        for (name, text) in [("hypertension.md", "# Hypertension\n\nMeasure blood pressure twice, seated."),
                             ("old/asthma.html", "<h1>Asthma</h1><p>Check the inhaler technique.</p>"), ("broken.odt", "no zip at all")] {
            let local = cli.home.appendingPathComponent(name.replacingOccurrences(of: "/", with: "-"))
            try Data(text.utf8).write(to: local)
            try cli.run(files("put", local.path, "\(folder)/\(name)"))
        }

        let added = try cli.run(["index", "add", "guides", "--account", "share", "--root", folder, "--exclude", "old/**"])
        #expect(added.stdout.hasPrefix("guides\t"))
        #expect(try cli.attempt(["index", "add", "guides", "--account", "share", "--root", folder]).stderr.contains("exists"))
        #expect(try cli.attempt(["index", "add", "bad", "--account", "share", "--root", "../x"]).status == 1)

        let run = try cli.run(["index", "run", "guides"]).stdout
        #expect(run.hasPrefix("1 read, 0 moved, 0 removed, 0 unchanged, 1 failed"), "\(run)")
        let again = try cli.run(["index", "run", "guides"]).stdout
        #expect(again.hasPrefix("0 read, 0 moved, 0 removed, 2 unchanged, 0 failed") && again.contains("1 requests"), "\(again)")
        let status = try cli.run(["index", "status", "guides"]).stdout
        #expect(status.hasPrefix("guides: 2 files, 1 chunks, 1 unreadable"), "\(status)")
        #expect(try cli.run(["index", "status", "guides", "--json"]).stdout.contains("\"chunks\" : 1"))
        #expect(try cli.run(["index", "errors", "guides"]).stdout.hasPrefix("\(folder)/broken.odt\t"))

        let hits = try cli.run(["search", "blood pressure", "--json"]).stdout
        let decoded = try JSONSerialization.jsonObject(with: Data(hits.utf8)) as? [[String: Any]]
        #expect(decoded?.first?["path"] as? String == "\(folder)/hypertension.md")
        #expect(decoded?.first?["score"] as? Double != nil && (decoded?.first?["snippet"] as? String)?.contains("pressure") == true)
        #expect(try cli.run(["search", "inhaler", "--index", "guides"]).stdout.isEmpty, "the excluded folder is not indexed")
        let text = try cli.run(["search", "blood", "--k", "1"]).stdout
        #expect(text.contains("\(folder)/hypertension.md (Hypertension)"), "\(text)")
        #expect(try cli.attempt(["search", "???"]).stderr.contains("no words"))

        #expect(try cli.attempt(["search", "blood", "--mode", "vector"]).stderr.contains("needs an embedding model"))
        let model = ChildProcess.repositoryRoot.appendingPathComponent(".build/models/all-MiniLM-L6-v2").path
        let embedded = try cli.run(["index", "run", "guides", "--embedding-model", model]).stdout
        #expect(embedded.contains("1 embedded"), "the chunk stored without a model gets its vector: \(embedded)")
        let meaning = try cli.run(["search", "lowering raised arterial tension", "--mode", "vector", "--embedding-model", model, "--json"]).stdout
        #expect(meaning.contains("\(folder)/hypertension.md"), "\(meaning)")
        let hybrid = try cli.run(["search", "blood pressure", "--embedding-model", model, "--k", "1"]).stdout
        #expect(hybrid.contains("\(folder)/hypertension.md"), "\(hybrid)")

        try cli.run(["index", "remove", "guides"])
        #expect(try cli.run(["index", "list"]).stdout.isEmpty)
    }
}
