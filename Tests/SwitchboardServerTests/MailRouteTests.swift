import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SwitchboardTestSupport
import SwitchboardStore
import Testing

/// Mail through the API, against the mail peer: accounts connected first and kept per
/// tenant, messages listed, read (HTML sanitised), downloaded, flagged, threaded, moved, sent.
@Suite struct MailRouteTests {
    typealias JSON = [String: Any]

    static func connect(_ peer: MailPeer, name: String = "office", password: String = "secret") throws -> String {
        let body: JSON = ["name": name, "imapUrl": peer.imapsURL.absoluteString, "smtpUrl": peer.smtpURL.absoluteString,
                          "username": "anna@example.test", "password": password,
                          "trustedCertificates": try String(contentsOfFile: peer.caFile, encoding: .utf8)]
        return String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
    }

    static func json(_ object: JSON) throws -> String { String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self) }

    @Test func connectSendListReadDownloadFlagThreadMoveAndForget() async throws {
        let peer = try await MailPeer.shared()
        try await ServerHarness.with { harness in
            let admin = harness.keys[.admin]
            let made = try await harness.call(.post, "/v1/mail/accounts", key: admin, json: try Self.connect(peer))
            #expect(made.status == 201, "\(String(describing: made.body))")
            let id = try #require((made.body as? JSON)?["id"] as? String)
            #expect((made.body as? JSON)?["name"] as? String == "office" && (made.body as? JSON)?["password"] == nil)
            let twice = try await harness.call(.post, "/v1/mail/accounts", key: admin, json: try Self.connect(peer))
            #expect(twice.status == 409 && ServerHarness.problemCode(twice) == "name_taken")
            #expect((try await harness.call(.get, "/v1/mail/accounts", key: harness.otherTenantKey).body as? [Any])?.isEmpty == true)
            #expect(try await harness.call(.get, "/v1/mail/accounts/\(id)/folders", key: harness.otherTenantKey).status == 404)

            let start = try await harness.call(.get, "/v1/mail/accounts/\(id)/changes?folder=INBOX", key: harness.keys[.read])
            let checkpoint = try #require((start.body as? JSON)?["checkpoint"] as? String)
            #expect(start.status == 200 && (start.body as? JSON)?["reset"] as? Bool == true)
            #expect(try await harness.call(.get, "/v1/mail/accounts/\(id)/changes?since=v9.x", key: harness.keys[.read]).status == 400)

            let token = UUID().uuidString.prefix(8).lowercased()
            let report = Array("Befund ✓ \(token)\n".utf8)
            let send: JSON = [
                "to": ["anna@example.test"], "subject": "API \(token) – Grüße", "text": "Hallo",
                "html": "<p onclick=\"steal()\">Hallo <b>Anna</b><script>alert(1)</script><img src=\"https://tracker.example/\(token).gif\"></p>",
                "attachments": [["filename": "Befund \(token).txt", "mediaType": "text/plain", "content": Data(report).base64EncodedString()]],
            ]
            let sent = try await harness.call(.post, "/v1/mail/accounts/\(id)/send", key: harness.keys[.book], json: try Self.json(send))
            #expect(sent.status == 201, "\(String(describing: sent.body))")
            #expect((sent.body as? JSON)?["accepted"] as? [String] == ["anna@example.test"] && (sent.body as? JSON)?["savedIn"] as? String == "Sent")
            let messageID = try #require((sent.body as? JSON)?["messageId"] as? String)

            var summary: JSON?
            for _ in 0..<100 where summary == nil {
                let page = try await harness.call(.get, "/v1/mail/accounts/\(id)/messages?search=\(token)&folder=INBOX", key: harness.keys[.read])
                summary = ((page.body as? JSON)?["messages"] as? [JSON])?.first
                if summary == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            let found = try #require(summary)
            #expect(found["subject"] as? String == "API \(token) – Grüße")
            let uid = try #require(found["uid"] as? Int)
            let attachment = try #require((found["attachments"] as? [JSON])?.first)

            let message = try await harness.call(.get, "/v1/mail/accounts/\(id)/messages/INBOX/\(uid)", key: harness.keys[.read])
            #expect(message.status == 200)
            let html = try #require((message.body as? JSON)?["html"] as? String)
            #expect(html.contains("<b>Anna</b>") && !html.contains("script") && !html.contains("onclick") && !html.contains("tracker"))

            let section = try #require(attachment["section"] as? String)
            let part = try await harness.client.execute(uri: "/v1/mail/accounts/\(id)/messages/INBOX/\(uid)/parts/\(section)", method: .get,
                                                        headers: [.authorization: "Bearer " + (harness.keys[.read] ?? "")]) { $0 }
            #expect(part.status == .ok && Array(part.body.readableBytesView) == report)
            #expect(part.headers[.contentType] == "text/plain")
            #expect(part.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"Befund \(token).txt\"") == true, "\(part.headers)")
            #expect(try await harness.call(.get, "/v1/mail/accounts/\(id)/messages/INBOX/\(uid)/parts/7", key: harness.keys[.read]).status == 404)

            let changes = try await harness.call(.get, "/v1/mail/accounts/\(id)/changes?since=\(checkpoint)", key: harness.keys[.read])
            #expect(((changes.body as? JSON)?["messages"] as? [JSON])?.contains { $0["uid"] as? Int == uid } == true)
            #expect((changes.body as? JSON)?["reset"] as? Bool == false && (changes.body as? JSON)?["vanished"] is String)

            let flags = try await harness.call(.patch, "/v1/mail/accounts/\(id)/messages/INBOX/\(uid)/flags", key: harness.keys[.book],
                                               json: try Self.json(["add": ["\\Flagged"], "remove": ["\\Seen"]]))
            let now = try #require((flags.body as? JSON)?["flags"] as? [String])
            #expect(now.contains("\\Flagged") && !now.contains("\\Seen"))
            #expect(try await harness.call(.patch, "/v1/mail/accounts/\(id)/messages/INBOX/\(uid)/flags", key: harness.keys[.read],
                                           json: try Self.json(["add": ["\\Seen"]])).status == 403)

            let reply: JSON = ["to": ["anna@example.test"], "subject": "Re: API \(token)", "text": "Danke", "inReplyTo": "<\(messageID)>", "saveToSent": false]
            #expect(try await harness.call(.post, "/v1/mail/accounts/\(id)/send", key: harness.keys[.book], json: try Self.json(reply)).status == 201)
            var thread: [JSON] = []
            for _ in 0..<100 where thread.count < 2 {
                thread = try await harness.call(.get, "/v1/mail/accounts/\(id)/threads/INBOX/\(uid)", key: harness.keys[.read]).body as? [JSON] ?? []
                if thread.count < 2 { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(thread.compactMap { $0["subject"] as? String } == ["API \(token) – Grüße", "Re: API \(token)"])

            let moved = try await harness.call(.post, "/v1/mail/accounts/\(id)/messages/INBOX/\(uid)/move", key: harness.keys[.book],
                                               json: try Self.json(["to": "Archive"]))
            #expect(moved.status == 204)
            let gone = try await harness.call(.get, "/v1/mail/accounts/\(id)/messages/INBOX/\(uid)", key: harness.keys[.read])
            #expect(gone.status == 404 && ServerHarness.problemCode(gone) == "message_not_found")
            let archived = try await harness.call(.get, "/v1/mail/accounts/\(id)/messages?folder=Archive&search=\(token)", key: harness.keys[.read])
            #expect(((archived.body as? JSON)?["messages"] as? [JSON])?.count == 1)
            let noFolder = try await harness.call(.get, "/v1/mail/accounts/\(id)/messages?folder=Nowhere%2F\(token)", key: harness.keys[.read])
            #expect(noFolder.status == 404 && ServerHarness.problemCode(noFolder) == "folder_not_found")

            #expect(try await harness.call(.delete, "/v1/mail/accounts/\(id)", key: harness.keys[.book]).status == 403)
            #expect(try await harness.call(.delete, "/v1/mail/accounts/\(id)", key: admin).status == 204)
            #expect(try await harness.store.mailAccounts().isEmpty)
        }
    }

    @Test func accountsThatCannotSignInOrSendAreRefused() async throws {
        let peer = try await MailPeer.shared()
        try await ServerHarness.with { harness in
            let wrong = try await harness.call(.post, "/v1/mail/accounts", key: harness.keys[.admin], json: try Self.connect(peer, password: "nope"))
            #expect(wrong.status == 422 && ServerHarness.problemCode(wrong) == "credentials_refused")
            let badURL = try await harness.call(.post, "/v1/mail/accounts", key: harness.keys[.admin],
                                                json: #"{"name": "x", "imapUrl": "imap://", "smtpUrl": "smtp://h", "username": "a@b.c", "password": "p"}"#)
            #expect(badURL.status == 400)
            #expect(try await harness.store.mailAccounts().isEmpty)

            let made = try await harness.call(.post, "/v1/mail/accounts", key: harness.keys[.admin], json: try Self.connect(peer))
            let id = try #require((made.body as? JSON)?["id"] as? String)
            let nobody = try await harness.call(.post, "/v1/mail/accounts/\(id)/send", key: harness.keys[.book],
                                                json: try Self.json(["to": ["someone@elsewhere.test"], "subject": "x", "text": "x"]))
            #expect(nobody.status == 422 && ServerHarness.problemCode(nobody) == "recipients_refused")
            let invalid = try await harness.call(.post, "/v1/mail/accounts/\(id)/send", key: harness.keys[.book],
                                                 json: try Self.json(["to": ["not an address"], "subject": "x", "text": "x"]))
            #expect(invalid.status == 400)

            // The same as multipart/form-data: a message part and a file part; a form without
            // the message is refused.
            let token = UUID().uuidString.prefix(8).lowercased()
            let boundary = "sb-\(token)"
            let message = try Self.json(["to": ["anna@example.test"], "subject": "Upload \(token)", "text": "see attached", "saveToSent": false])
            let form = "--\(boundary)\r\nContent-Disposition: form-data; name=\"message\"\r\nContent-Type: application/json\r\n\r\n\(message)\r\n"
                + "--\(boundary)\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"Scan \(token).pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 \(token)\r\n"
                + "--\(boundary)--\r\n"
            func upload(_ body: String) async throws -> (status: Int, body: Any?) {
                try await harness.client.execute(uri: "/v1/mail/accounts/\(id)/send", method: .post,
                                                 headers: [.authorization: "Bearer " + (harness.keys[.book] ?? ""), .contentType: "multipart/form-data; boundary=\(boundary)"],
                                                 body: ByteBuffer(string: body)) { response in
                    (Int(response.status.code), try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)))
                }
            }
            let uploaded = try await upload(form)
            #expect(uploaded.status == 201, "\(String(describing: uploaded.body))")
            let withoutMessage = try await upload("--\(boundary)\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"a.txt\"\r\n\r\nx\r\n--\(boundary)--\r\n")
            #expect(withoutMessage.status == 400)
            var attachment: JSON?
            for _ in 0..<100 where attachment == nil {
                let page = try await harness.call(.get, "/v1/mail/accounts/\(id)/messages?search=Upload%20\(token)", key: harness.keys[.read])
                attachment = (((page.body as? JSON)?["messages"] as? [JSON])?.first?["attachments"] as? [JSON])?.first
                if attachment == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(attachment?["filename"] as? String == "Scan \(token).pdf" && attachment?["mediaType"] as? String == "application/pdf")
        }
    }

    @Test func eventsInviteTheirAttendeesFromTheOrganizersAccount() async throws {
        let peer = try await MailPeer.shared()
        try await ServerHarness.with { harness in
            let events = "/v1/calendars/\(harness.calendar.id)/events"
            let token = UUID().uuidString.prefix(8).lowercased()
            let meeting: JSON = ["summary": "Meeting \(token)", "start": "2026-10-26T08:00:00Z", "end": "2026-10-26T09:00:00Z",
                                 "timeZone": "Europe/Berlin", "attendees": ["bob@example.test"], "invite": true]
            // No mail account yet: nothing to invite from, and nothing written.
            let early = try await harness.call(.post, events, key: harness.keys[.book], json: try Self.json(meeting))
            #expect(early.status == 400 && ServerHarness.problemCode(early) == "invalid_request", "\(String(describing: early.body))")
            var bad = meeting
            bad["attendees"] = ["bob@example.test>,<mallory@example.test"]
            let refused = try await harness.call(.post, events, key: harness.keys[.book], json: try Self.json(bad))
            #expect(refused.status == 400 && ((refused.body as? JSON)?["errors"] as? [JSON])?.first?["field"] as? String == "attendees[0]")

            #expect(try await harness.call(.post, "/v1/mail/accounts", key: harness.keys[.admin], json: try Self.connect(peer)).status == 201)
            let made = try await harness.call(.post, events, key: harness.keys[.book], json: try Self.json(meeting))
            #expect(made.status == 201, "\(String(describing: made.body))")
            let event = try #require(made.body as? JSON)
            #expect(event["organizer"] as? String == "mailto:anna@example.test")
            #expect((event["attendees"] as? [JSON])?.map { $0["participation"] as? String } == ["NEEDS-ACTION"])
            let invitations = try #require(event["invitations"] as? JSON)
            #expect(((invitations["sent"] as? [JSON])?.first?["accepted"] as? [String]) == ["bob@example.test"], "\(invitations)")
            #expect((invitations["failures"] as? [String])?.isEmpty == true)
            let id = try #require(event["id"] as? String)

            // Listing shows who is invited; deleting with invite=true cancels for them.
            let read = try await harness.call(.get, "\(events)/\(id)", key: harness.keys[.read])
            #expect(((read.body as? JSON)?["attendees"] as? [JSON])?.first?["address"] as? String == "mailto:bob@example.test")
            #expect((read.body as? JSON)?["invitations"] == nil)
            #expect(try await harness.call(.delete, "\(events)/\(id)?invite=true", key: harness.keys[.book]).status == 204)
        }
    }
}
