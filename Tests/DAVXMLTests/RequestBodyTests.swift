import DAVXML
import Testing

@Suite struct RequestBodies {
    @Test func propfindRoundTripsThroughTheParser() throws {
        let text = DAVRequestBody.propfind([.dav("displayname"), .dav("getctag"), .caldav("calendar-home-set"), QualifiedName("http://apple.com/ns/ical/", "calendar-color")])
        let root = try XMLDocumentParser().parse(Array(text.utf8))
        #expect(root.name == .dav("propfind"))
        #expect(root.child(.dav("prop"))?.children.map(\.name) == [
            .dav("displayname"), .dav("getctag"), .caldav("calendar-home-set"), QualifiedName("http://apple.com/ns/ical/", "calendar-color"),
        ])
    }

    @Test func syncCollectionAndMultigetEscapeWhatTheyCarry() throws {
        let sync = try XMLDocumentParser().parse(Array(DAVRequestBody.syncCollection(token: "http://x/sync?a=1&b=<2>", properties: [.dav("getetag")], limit: 100).utf8))
        #expect(sync.child(.dav("sync-token"))?.text == "http://x/sync?a=1&b=<2>")
        #expect(sync.child(.dav("limit"))?.child(.dav("nresults"))?.text == "100")
        let hrefs = ["/cal/a&b.ics", "/cal/%E2%82%AC.ics"]
        let multiget = try XMLDocumentParser().parse(Array(DAVRequestBody.multiget(.caldav("calendar-multiget"), hrefs: hrefs, properties: [.dav("getetag"), .caldav("calendar-data")]).utf8))
        #expect(multiget.name == .caldav("calendar-multiget"))
        #expect(multiget.children(.dav("href")).map(\.text) == hrefs)
    }

    @Test func attributesAreEscaped() throws {
        let element = XMLElement(name: .caldav("comp-filter"), attributes: [QualifiedName("", "name"): "V\"EVENT'<&>"])
        let parsed = try XMLDocumentParser().parse(Array(XMLWriter.document(element).utf8))
        #expect(parsed.attributes[QualifiedName("", "name")] == "V\"EVENT'<&>")
    }

    /// `<` or `"` followed by a combining mark is one `Character` equal to neither; the
    /// writer escapes Unicode scalars, so no text can open an element or end an attribute.
    @Test func markupBeforeACombiningMarkIsEscaped() throws {
        let text = "<\u{0301}D:href>/other</D:href\u{0301}>&\u{0301}"
        let attribute = "V\"\u{0301} x=\"1"
        let element = XMLElement(name: .dav("href"), attributes: [QualifiedName("", "name"): attribute], text: text)
        let parsed = try XMLDocumentParser().parse(Array(XMLWriter.document(element).utf8))
        #expect(parsed.text == text)
        #expect(parsed.children.isEmpty)
        #expect(parsed.attributes == [QualifiedName("", "name"): attribute])
    }
}
