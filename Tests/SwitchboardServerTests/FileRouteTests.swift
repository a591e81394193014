import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SwitchboardStore
import SwitchboardTestSupport
import Testing

/// An account's files through the API, on WsgiDAV: connected for its files alone, then
/// listed, uploaded (streamed), downloaded whole and in part, moved, locked and deleted; the
/// other tenant sees none of it.
@Suite struct FileRouteTests {
    typealias JSON = [String: Any]

    @Test func uploadListDownloadMoveLockAndDelete() async throws {
        let peer = try await Peer.named("wsgidav")
        try await ServerHarness.with { harness in
            let made = try await harness.call(.post, "/v1/accounts", key: harness.keys[.admin],
                                              json: #"{"name": "share", "url": "\#(peer.baseURL.absoluteString)", "username": "anna", "password": "secret"}"#)
            #expect(made.status == 201, "\(String(describing: made.body))")
            let account = try #require(made.body as? JSON)
            #expect((account["collections"] as? [Any])?.isEmpty == true && account["filesUrl"] as? String == peer.baseURL.absoluteString)
            let id = try #require(account["id"] as? String)
            let folder = Fixtures.unique("api")
            let files = "/v1/accounts/\(id)/files"
            func encoded(_ path: String) -> String { path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? path }

            let mkdir = try await harness.call(.post, "\(files)/\(encoded(folder))", key: harness.keys[.book], json: #"{"action": "mkdir"}"#)
            #expect(mkdir.status == 200 && ((mkdir.body as? JSON)?["item"] as? JSON)?["isFolder"] as? Bool == true, "\(String(describing: mkdir.body))")

            let bytes = Array((0..<300_000).map { UInt8($0 % 253) })
            let path = "\(folder)/Übersicht 2026.pdf"
            func send(_ method: HTTPRequest.Method, _ uri: String, headers extra: HTTPFields = [:], body: [UInt8]? = nil) async throws
                -> (status: Int, bytes: [UInt8], headers: HTTPFields)
            {
                var headers = extra
                headers[.authorization] = "Bearer " + (harness.keys[.book] ?? "")
                if body != nil { headers[.contentType] = "application/octet-stream" }
                return try await harness.client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) }) {
                    (Int($0.status.code), Array($0.body.readableBytesView), $0.headers)
                }
            }
            let put = try await send(.put, "\(files)/\(encoded(path))", headers: [HTTPField.Name("If-None-Match")!: "*"], body: bytes)
            #expect(put.status == 200, "\(String(decoding: put.bytes, as: UTF8.self))")
            let again = try await send(.put, "\(files)/\(encoded(path))", headers: [HTTPField.Name("If-None-Match")!: "*"], body: bytes)
            #expect(again.status == 412)

            let listing = try await harness.call(.get, "\(files)/\(encoded(folder))", key: harness.keys[.read])
            let item = try #require(((listing.body as? JSON)?["items"] as? [JSON])?.first)
            #expect(item["path"] as? String == path && item["size"] as? Int == bytes.count)
            #expect(((try await harness.call(.get, files, key: harness.keys[.read]).body as? JSON)?["items"] as? [JSON])?
                .contains { $0["name"] as? String == folder } == true)

            let whole = try await send(.get, "\(files)/\(encoded(path))")
            #expect(whole.status == 200 && whole.bytes == bytes && whole.headers[.contentDisposition]?.contains("attachment") == true)
            let part = try await send(.get, "\(files)/\(encoded(path))", headers: [.range: "bytes=1000-1999"])
            #expect(part.status == 206 && part.bytes == Array(bytes[1000...1999]) && part.headers[.contentRange] == "bytes 1000-1999/300000")
            #expect(try await send(.get, "\(files)/\(encoded(path))", headers: [.range: "bytes=400000-"]).status == 416)

            let moved = try await harness.call(.post, "\(files)/\(encoded(path))", key: harness.keys[.book],
                                               json: #"{"action": "move", "destination": "\#(folder)/Archiv.pdf"}"#)
            #expect(((moved.body as? JSON)?["item"] as? JSON)?["path"] as? String == "\(folder)/Archiv.pdf")
            let locked = try await harness.call(.post, "\(files)/\(encoded("\(folder)/Archiv.pdf"))", key: harness.keys[.book], json: #"{"action": "lock", "seconds": 60}"#)
            let token = try #require(((locked.body as? JSON)?["lock"] as? JSON)?["token"] as? String)
            #expect(try await harness.call(.delete, "\(files)/\(encoded("\(folder)/Archiv.pdf"))", key: harness.keys[.book]).status == 423)
            let unlockedDelete = "\(files)/\(encoded("\(folder)/Archiv.pdf"))?lockToken=\(encoded(token))"
            #expect(try await harness.call(.delete, unlockedDelete, key: harness.keys[.book]).status == 204)

            // Reading needs read, writing book; the other tenant finds nothing; paths stay inside.
            #expect(try await send(.put, "\(files)/\(encoded("x.txt"))", body: [1]).status == 200)
            #expect(try await harness.call(.delete, "\(files)/\(encoded("x.txt"))", key: harness.keys[.read]).status == 403)
            #expect(try await harness.call(.get, files, key: harness.otherTenantKey).status == 404)
            #expect(try await harness.call(.get, "\(files)/\(encoded("../etc"))", key: harness.keys[.read]).status == 400)
            #expect(try await harness.call(.delete, "\(files)/\(encoded(folder))", key: harness.keys[.book]).status == 204)
            #expect(try await harness.call(.delete, "\(files)/\(encoded("x.txt"))", key: harness.keys[.book]).status == 204)
        }
    }
}
