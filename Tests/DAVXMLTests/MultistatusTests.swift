import DAVXML
import Foundation
import Testing

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite struct MultistatusDecoding {
    /// RFC 4918 §9.1.3-style body with per-propstat statuses.
    static let rfc4918 = """
        <?xml version="1.0" encoding="utf-8" ?>
        <D:multistatus xmlns:D="DAV:">
          <D:response xmlns:R="http://ns.example.com/boxschema/">
            <D:href>http://www.example.com/file</D:href>
            <D:propstat>
              <D:prop><R:bigbox/><R:author/></D:prop>
              <D:status>HTTP/1.1 200 OK</D:status>
            </D:propstat>
            <D:propstat>
              <D:prop><R:DingALing/><R:Random/></D:prop>
              <D:status>HTTP/1.1 403 Forbidden</D:status>
              <D:responsedescription> The user does not have access to the DingALing property.</D:responsedescription>
            </D:propstat>
          </D:response>
          <D:responsedescription> There has been an access violation error.</D:responsedescription>
        </D:multistatus>
        """

    @Test func perPropstatStatuses() throws {
        let body = try Multistatus(parsing: bytes(Self.rfc4918))
        let response = try #require(body.responses.first)
        #expect(response.href == "http://www.example.com/file")
        #expect(response.property(QualifiedName("http://ns.example.com/boxschema/", "bigbox"))?.status == 200)
        #expect(response.property(QualifiedName("http://ns.example.com/boxschema/", "Random"))?.status == 403)
        #expect(response.foundProperties.map(\.name.name) == ["bigbox", "author"])
    }

    @Test(arguments: [
        #"<multistatus xmlns="DAV:"><response><href>/a/</href><propstat><prop><getetag>"1"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>"#,
        #"<x:multistatus xmlns:x="DAV:"><x:response><x:href>/a/</x:href><x:propstat><x:prop><x:getetag>"1"</x:getetag></x:prop><x:status>HTTP/1.1 200 OK</x:status></x:propstat></x:response></x:multistatus>"#,
        #"<d:multistatus xmlns:d="DAV:" xmlns:dd="DAV:"><dd:response><d:href>/a/</d:href><dd:propstat><d:prop><dd:getetag>"1"</dd:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></dd:propstat></dd:response></d:multistatus>"#,
    ])
    func anyPrefixStyle(_ text: String) throws {
        let body = try Multistatus(parsing: bytes(text))
        #expect(body.responses.first?.href == "/a/")
        #expect(body.responses.first?.property(.dav("getetag"))?.element.trimmedText == "\"1\"")
    }

    @Test func syncCollectionWithDeletionsTruncationAndToken() throws {
        let body = try Multistatus(parsing: bytes("""
            <d:multistatus xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/">
              <d:response><d:href>/cal/new.ics</d:href><d:propstat><d:prop><d:getetag>"2"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
              <d:response><d:href>/cal/gone.ics</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>
              <d:response><d:href>/cal/</d:href><d:status>HTTP/1.1 507 Insufficient Storage</d:status><d:error><d:number-of-matches-within-limits/></d:error></d:response>
              <d:sync-token>http://example.com/ns/sync/1234</d:sync-token>
            </d:multistatus>
            """))
        #expect(body.responses.map(\.status) == [nil, 404, 507])
        #expect(body.responses[2].error?.children.first?.name == .dav("number-of-matches-within-limits"))
        #expect(body.syncToken == "http://example.com/ns/sync/1234")
    }

    @Test func errorBodies() throws {
        let error = try DAVErrorBody(parsing: bytes(#"<?xml version="1.0"?><D:error xmlns:D="DAV:"><D:valid-sync-token/></D:error>"#))
        #expect(error.conditions == [.dav("valid-sync-token")])
    }

    @Test func calendarDataKeepsItsText() throws {
        let body = try Multistatus(parsing: bytes("""
            <d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:response><d:href>/c/1.ics</d:href>
            <d:propstat><d:prop><c:calendar-data><![CDATA[BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n]]></c:calendar-data></d:prop>
            <d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>
            """))
        #expect(body.responses.first?.property(.caldav("calendar-data"))?.element.text == "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    }
}

@Suite struct HostileXML {
    /// Found by the DAVXML fuzzer: FoundationXML trapped on an element name holding bytes
    /// that are not UTF-8.
    @Test(arguments: ["<?x?><d:error xmlns:d=\"DAV:\"/>", "<d:error xmlns:d=\"DAV:\"><?php echo 1; ?></d:error>",
                      "<?xml version=\"1.0\"?><?x?><d:error xmlns:d=\"DAV:\"/>",
                      // Found by the fuzzer in CI: an instruction inside an unclosed declaration.
                      "<?xml ls><?xKa0n?>VVVV<tKa0n?>d"])
    func processingInstructionsAreRefused(body: String) {
        #expect { try DAVErrorBody(parsing: Array(body.utf8)) } throws: { ($0 as? XMLError)?.code == .malformed }
    }

    @Test func leadingDeclarationIsAccepted() throws {
        let body = "\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<d:error xmlns:d=\"DAV:\"><d:valid-sync-token/></d:error>"
        #expect(try DAVErrorBody(parsing: Array(body.utf8)).conditions == [.dav("valid-sync-token")])
    }

    @Test func invalidUTF8IsRefusedBeforeParsing() {
        let body = Array(#"<d:multistatus xmlns:d="DAV:"><d:response><d:display"#.utf8) + [0xFF, 0xFE, 0xC3]
            + Array(#">x</d:displayname></d:response></d:multistatus>"#.utf8)
        #expect { try Multistatus(parsing: body) } throws: { ($0 as? XMLError)?.code == .unsupportedEncoding }
    }

    @Test func truncatedDocumentsAreRefused() {
        let text = Array(MultistatusDecoding.rfc4918.utf8.prefix(400))
        #expect { try Multistatus(parsing: text) } throws: {
            let code = ($0 as? XMLError)?.code
            return code == .truncated || code == .malformed
        }
    }

    @Test func entityExpansionIsRefusedBeforeParsing() {
        var laughs = #"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">"#
        for level in 1...9 {
            laughs += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level == 1 ? "" : String(level - 1));", count: 10) + "\">"
        }
        laughs += #"]><multistatus xmlns="DAV:">&lol9;</multistatus>"#
        let start = Date()
        #expect { try Multistatus(parsing: bytes(laughs)) } throws: {
            ($0 as? XMLError)?.code == .documentTypeDeclaration
        }
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test func externalEntitiesAreRefused() {
        let text = #"<?xml version="1.0"?><!doctype m [<!entity x SYSTEM "file:///etc/passwd">]><multistatus xmlns="DAV:">&x;</multistatus>"#
        #expect { try Multistatus(parsing: bytes(text)) } throws: { ($0 as? XMLError)?.code == .documentTypeDeclaration }
    }

    @Test func limits() {
        let deep = String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)
        #expect { try XMLDocumentParser(limits: XMLLimits(maxDepth: 50)).parse(bytes(deep)) } throws: {
            ($0 as? XMLError)?.code == .tooDeep
        }
        #expect { try XMLDocumentParser(limits: XMLLimits(maxBodySize: 10)).parse(bytes(deep)) } throws: {
            ($0 as? XMLError)?.code == .tooLarge
        }
        let wide = "<a>" + String(repeating: "<b/>", count: 1000) + "</a>"
        #expect { try XMLDocumentParser(limits: XMLLimits(maxElements: 100)).parse(bytes(wide)) } throws: {
            ($0 as? XMLError)?.code == .tooManyElements
        }
        #expect { try Multistatus(parsing: bytes("<html><body>Login</body></html>")) } throws: {
            ($0 as? XMLError)?.code == .unexpectedRoot
        }
        #expect { try Multistatus(parsing: bytes("not xml at all")) } throws: { $0 is XMLError }
    }
}

/// Security: only UTF-8 is read, so the DOCTYPE guard sees what the parser would
/// (entity expansion hidden by UTF-16 or a declared UTF-7; docs/security.md).
@Suite struct XMLEncodingGuard {
    static let laughs = """
        <?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\
        <d:multistatus xmlns:d="DAV:">&b;</d:multistatus>
        """

    static func utf16LittleEndian(_ text: String, byteOrderMark: Bool) -> [UInt8] {
        (byteOrderMark ? [0xFF, 0xFE] : []) + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    }

    @Test(arguments: [false, true])
    func utf16IsRefused(byteOrderMark: Bool) {
        let body = Self.utf16LittleEndian(Self.laughs, byteOrderMark: byteOrderMark)
        #expect(throws: XMLError.self) { try XMLDocumentParser().parse(body) }
        do {
            _ = try XMLDocumentParser().parse(body)
        } catch {
            #expect(error.code == .unsupportedEncoding, "\(error)")
        }
    }

    @Test func aDeclaredUTF7IsRefused() {
        // `+ADw-` is `<` in UTF-7: the DOCTYPE is invisible to a byte scan.
        let body = Array("""
            <?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE d +AFs-+ADw-!ENTITY a +ACI-aaaa+ACI-+AD4-+AF0-+AD4-<d:multistatus xmlns:d="DAV:"/>
            """.utf8)
        do {
            _ = try XMLDocumentParser().parse(body)
            Issue.record("a UTF-7 document was parsed")
        } catch {
            #expect(error.code == .unsupportedEncoding, "\(error)")
        }
    }

    @Test(arguments: ["UTF-8", "utf-8", "US-ASCII"])
    func utf8DeclarationsAreRead(_ encoding: String) throws {
        let body = Array("<?xml version=\"1.0\" encoding=\"\(encoding)\"?>\n<d:multistatus xmlns:d=\"DAV:\"/>".utf8)
        #expect(try XMLDocumentParser().parse(body).name.name == "multistatus")
        #expect(try XMLDocumentParser().parse([0xEF, 0xBB, 0xBF] + body).name.name == "multistatus")
    }

    @Test func aDeclarationIsRefusedInPlainUTF8Too() {
        do {
            _ = try XMLDocumentParser().parse(Array(Self.laughs.utf8))
            Issue.record("a DOCTYPE was parsed")
        } catch {
            #expect(error.code == .documentTypeDeclaration)
        }
    }
}
