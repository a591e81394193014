import DAVClient
import DAVXML
import Foundation
import SwitchboardTestSupport
import Testing

/// File access (RFC 4918) against the plain WebDAV servers: WsgiDAV and Apache mod_dav.
@Suite("Files against plain WebDAV servers")
struct FileOperationTests {
    @Test("folders list with their properties, and a tree lists in one request where the server allows it", arguments: Peer.files)
    func listingsAndTrees(peer name: String) async throws {
        let peer = try await Peer.named(name)
        try await peer.withClient { client in
            let root = "/" + Fixtures.unique("tree") + "/"
            try await client.mkcol(root)
            try await client.mkcol(root + "Leitlinien/")
            try await client.mkcol(root + "Leitlinien/2026/")
            try await client.put(root + "readme.md", body: Array("# Praxis\n".utf8), contentType: "text/markdown", precondition: .ifNoneMatch)
            try await client.put(root + "Leitlinien/2026/Hypertonie Übersicht.txt", body: Array("Blutdruck".utf8), contentType: "text/plain",
                                 precondition: .ifNoneMatch)

            let members = try await client.listFolder(root)
            #expect(Set(members.map { $0.href.split(separator: "/").last.map(String.init) ?? "" }) == ["readme.md", "Leitlinien"])
            let readme = try #require(members.first { $0.href.hasSuffix("readme.md") })
            #expect(!readme.isFolder && readme.size == 9 && readme.etag != nil)
            #expect(abs((readme.lastModified ?? 0) - Int64(Date().timeIntervalSince1970)) < 300)
            #expect(members.first { $0.href.hasSuffix("Leitlinien/") }?.isFolder == true)
            #expect(readme.fileID == nil && readme.isWritable, "plain servers have no Nextcloud properties")

            let stat = try await client.stat(root + "Leitlinien/2026/Hypertonie Übersicht.txt")
            #expect(stat.size == 9 && stat.href == DAVClient.canonicalHref(root + "Leitlinien/2026/Hypertonie Übersicht.txt"))
            let missing = await davError { _ = try await client.stat(root + "nothing.txt") }
            #expect(missing?.code == .notFound)

            let tree = try await client.listTree(root)
            #expect(tree.entries.count == 4, "\(tree.entries.map(\.href))")
            #expect(tree.root.isFolder)
            #expect(tree.method == (name == "apache" ? .depthInfinity : tree.method))
            let walked = try await client.listTree(root, maxConcurrency: 2, allowingDepthInfinity: false)
            #expect(walked.method == .walk && walked.requests == 4)
            #expect(Set(walked.entries.map(\.href)) == Set(tree.entries.map(\.href)))
            let tooMany = await davError { _ = try await client.listTree(root, limit: 3) }
            #expect(tooMany?.code == .tooLarge)
        }
    }

    @Test("writes are conditional: If-Match and If-None-Match refuse with the current ETag", arguments: Peer.files)
    func conditionalWrites(peer name: String) async throws {
        let peer = try await Peer.named(name)
        try await peer.withClient { client in
            let href = "/" + Fixtures.unique("plan") + ".txt"
            try await client.put(href, body: Array("v1".utf8), contentType: "text/plain", precondition: .ifNoneMatch)
            let created = await davError { try await client.put(href, body: Array("again".utf8), contentType: "text/plain", precondition: .ifNoneMatch) }
            #expect(created?.code == .conflict && created?.status == 412)
            let current = try #require(try await client.stat(href).etag)
            let stale = await davError { try await client.put(href, body: Array("v2".utf8), contentType: "text/plain", precondition: .ifMatch("\"stale\"")) }
            #expect(stale?.code == .conflict && stale?.currentETag == current)
            try await client.put(href, body: Array("v2".utf8), contentType: "text/plain", precondition: .ifMatch(current))
            #expect(try await client.get(href).body == Array("v2".utf8))
            let deleted = await davError { try await client.delete(href, etag: "\"stale\"") }
            #expect(deleted?.code == .conflict)
        }
    }

    @Test("a range downloads only those bytes", arguments: Peer.files)
    func ranges(peer name: String) async throws {
        let peer = try await Peer.named(name)
        try await peer.withClient { client in
            let href = "/" + Fixtures.unique("range") + ".bin"
            let bytes = (0..<4096).map { UInt8($0 % 251) }
            try await client.put(href, body: bytes, contentType: "application/octet-stream", precondition: .ifNoneMatch)
            let target = FileManager.default.temporaryDirectory.appendingPathComponent("range-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: target) }
            let result = try await client.download(href, to: target.path, range: 1000...1099)
            #expect(result.partial && result.totalSize == 4096)
            #expect(Array(try Data(contentsOf: target)) == Array(bytes[1000...1099]))
        }
    }

    @Test("a lock refuses writes, moves and deletes without its token (423) and allows them with it", arguments: Peer.files)
    func locks(peer name: String) async throws {
        let peer = try await Peer.named(name)
        try await peer.withClient { client in
            let href = "/" + Fixtures.unique("locked") + ".txt"
            try await client.put(href, body: Array("draft".utf8), contentType: "text/plain", precondition: .ifNoneMatch)
            let lock = try await client.lock(href, owner: "mailto:anna@example.org", seconds: 60)
            let write = await davError { try await client.put(href, body: Array("x".utf8), contentType: "text/plain", precondition: .none) }
            #expect(write?.code == .locked && write?.status == 423)
            let delete = await davError { try await client.delete(href) }
            #expect(delete?.code == .locked)
            let move = await davError { try await client.transfer(.move, href, to: href + ".moved", overwrite: false) }
            #expect(move?.code == .locked)
            try await client.put(href, body: Array("edited".utf8), contentType: "text/plain", lock: lock)
            try await client.delete(href, lock: lock)
            #expect(await davError { _ = try await client.stat(href) }?.code == .notFound)
        }
    }

    @Test("dead properties round-trip on a file", arguments: Peer.files)
    func deadProperties(peer name: String) async throws {
        let peer = try await Peer.named(name)
        try await peer.withClient { client in
            let href = "/" + Fixtures.unique("tagged") + ".txt"
            try await client.put(href, body: Array("x".utf8), contentType: "text/plain", precondition: .ifNoneMatch)
            let label = QualifiedName("https://switchboard.example/ns", "label")
            try await client.proppatch(href, set: [XMLElement(name: label, text: "Leitlinie & <Entwurf>")])
            let read = try await client.propfind(href, depth: .zero, .properties([label]))
            #expect(read.responses.first?.property(label)?.element.trimmedText == "Leitlinie & <Entwurf>")
            try await client.proppatch(href, remove: [label])
            #expect(try await client.propfind(href, depth: .zero, .properties([label])).responses.first?.property(label)?.status == 404)
        }
    }
}
