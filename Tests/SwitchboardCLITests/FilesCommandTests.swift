import Foundation
import SwitchboardTestSupport
import Testing

/// `switchboard files …` as a user runs it, against WsgiDAV: an account kept for its files
/// alone, then every file command.
@Suite struct FilesCommandTests {
    @Test func putListGetMoveLockAndRemove() async throws {
        let peer = try await Peer.named("wsgidav")
        let cli = try CommandLineHome()
        defer { cli.remove() }
        let added = try cli.run(["account", "add", "share", "--server", peer.baseURL.absoluteString, "--user", "anna", "--password-file", cli.password])
        #expect(added.status == 0)
        let folder = Fixtures.unique("cli")
        func files(_ command: String, _ arguments: String...) -> [String] { ["files", command, "--account", "share"] + arguments }
        try cli.run(files("mkdir", folder))
        let local = cli.home.appendingPathComponent("Notiz.txt")
        try Data("eins\nzwei\n".utf8).write(to: local)
        let put = try cli.run(files("put", local.path, "\(folder)/Notiz.txt", "--create-only")).stdout
        #expect(put.hasPrefix("\(folder)/Notiz.txt\t10 bytes"))
        #expect(try cli.attempt(files("put", local.path, "\(folder)/Notiz.txt", "--create-only")).status == 1)

        let listed = try cli.run(files("ls", folder)).stdout
        #expect(listed.contains("\(folder)/Notiz.txt") && listed.hasPrefix("-\t"))
        let json = try cli.run(files("ls", folder, "--json")).stdout
        #expect(json.contains("\"name\" : \"Notiz.txt\"") && json.contains("\"etag\""))

        let copy = cli.home.appendingPathComponent("copy.txt")
        try cli.run(files("get", "\(folder)/Notiz.txt", "--to", copy.path))
        #expect(try String(contentsOf: copy, encoding: .utf8) == "eins\nzwei\n")
        try cli.run(files("get", "\(folder)/Notiz.txt", "--to", copy.path, "--range", "5-8"))
        #expect(try String(contentsOf: copy, encoding: .utf8) == "zwei")

        try cli.run(files("mv", "\(folder)/Notiz.txt", "\(folder)/Archiv.txt"))
        let token = try cli.run(files("lock", "\(folder)/Archiv.txt", "--seconds", "60")).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let refused = try cli.attempt(files("rm", "\(folder)/Archiv.txt"))
        #expect(refused.status == 1 && refused.stderr.contains("locked"))
        try cli.run(files("unlock", "\(folder)/Archiv.txt", token))
        try cli.run(files("rm", folder))
        let missing = try cli.attempt(files("ls", folder))
        #expect(missing.status == 1 && missing.stderr.contains("no file or folder"))
        let escape = try cli.attempt(files("ls", "../.."))
        #expect(escape.status == 1 && escape.stderr.contains("invalid path"))
    }
}
