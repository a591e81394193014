import ContentLines
import Foundation
import SwitchboardTestSupport
import Testing
import VCard

@Suite struct VCardModel {
    static let rfc6350Example = """
        BEGIN:VCARD\r
        VERSION:4.0\r
        FN:Simon Perreault\r
        N:Perreault;Simon;;;ing. jr,M.Sc.\r
        BDAY:--0203\r
        ANNIVERSARY:20090808T1430-0500\r
        GENDER:M\r
        LANG;PREF=1:fr\r
        LANG;PREF=2:en\r
        ORG;TYPE=work:Viagenie\r
        ADR;TYPE=work:;Suite D2-630;2875 Laurier;Quebec;QC;G1V 2M2;Canada\r
        TEL;VALUE=uri;TYPE="work,voice";PREF=1:tel:+1-418-656-9254;ext=102\r
        TEL;VALUE=uri;TYPE="work,cell,voice,video,text":tel:+1-418-262-6501\r
        EMAIL;TYPE=work:simon.perreault@viagenie.ca\r
        GEO;TYPE=work:geo:46.772673,-71.282945\r
        KEY;TYPE=work;VALUE=uri:http://www.viagenie.ca/simon.perreault/simon.asc\r
        TZ:-0500\r
        URL;TYPE=home:http://nomis80.org\r
        END:VCARD\r

        """

    @Test func rfc6350ExampleParsesStrictlyAndRoundTrips() throws {
        let parsed = try VCardParser(options: .init(strict: true)).parse(Self.rfc6350Example)
        let card = try #require(parsed.cards.first)
        #expect(card.version == .v4)
        #expect(card.formattedName == "Simon Perreault")
        #expect(card.name?.family == ["Perreault"])
        #expect(card.name?.suffixes == ["ing. jr", "M.Sc."])
        #expect(card.addresses.first?.locality == ["Quebec"])
        #expect(card.addresses.first?.types == ["work"])
        #expect(card.telephones.first?.types == ["work", "voice"])
        #expect(card.emails.map(\.value) == ["simon.perreault@viagenie.ca"])
        #expect(VCardSerializer().string(card) == Self.rfc6350Example)
    }

    @Test func groupsAndVersion21() throws {
        let text = """
            BEGIN:VCARD\r
            VERSION:2.1\r
            N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;J=FCrgen\r
            FN;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:J=C3=BCrgen M=C3=BCller, a long =\r
            name\r
            TEL;WORK;VOICE:+49 30 1234\r
            item1.EMAIL;INTERNET:j@example.com\r
            item1.X-ABLabel:Work\r
            END:VCARD\r

            """
        let card = try #require(try VCardParser().parse(text).cards.first)
        #expect(card.version == .v2_1)
        #expect(card.formattedName == "Jürgen Müller, a long name")
        #expect(card.telephones.first?.types == ["work", "voice"])
        #expect(card.emails.first?.group == "item1")
        #expect(card.properties(inGroup: "ITEM1").map(\.name) == ["EMAIL", "X-ABLABEL"])
        let modern = card.converted(to: .v4)
        #expect(modern.formattedName == "Jürgen Müller, a long name")
        #expect(modern.property("N")?.value == "Müller;Jürgen")
        #expect(modern.property("TEL")?.parameter("TYPE")?.values == ["work", "voice"])
    }

    @Test func photosConvertBetweenVersions() throws {
        let jpeg = Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10])
        let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nN:A;;;;\r\nPHOTO;ENCODING=b;TYPE=JPEG:\(jpeg.base64EncodedString())\r\nEMAIL;TYPE=INTERNET,pref:a@x\r\nEND:VCARD\r\n"
        let card = try #require(try VCardParser(options: .init(strict: true)).parse(text).cards.first)
        #expect(card.photo == .inline(jpeg, mediaType: "image/jpeg"))
        let modern = card.converted(to: .v4)
        #expect(modern.property("PHOTO")?.value == "data:image/jpeg;base64,\(jpeg.base64EncodedString())")
        #expect(modern.photo == .inline(jpeg, mediaType: "image/jpeg"))
        #expect(modern.property("EMAIL")?.parameter("PREF")?.value == "1")
        let back = modern.converted(to: .v3)
        #expect(back.photo == card.photo)
        #expect(back.property("EMAIL")?.parameter("TYPE")?.values.contains("pref") == true)
        let linked = VCard(properties: [ContentLine(name: "VERSION", value: "4.0"), ContentLine(name: "PHOTO", value: "https://example.com/a.jpg")])
        #expect(linked.converted(to: .v3).property("PHOTO")?.parameter("VALUE")?.value == "uri")
        #expect(linked.converted(to: .v3).photo == .uri("https://example.com/a.jpg"))
    }

    @Test func geoAndGroupPropertiesConvert() throws {
        var card = VCard(version: .v3, formattedName: "Team")
        card.properties.append(ContentLine(name: "GEO", value: "46.77;-71.28"))
        card.properties.append(ContentLine(name: "X-ADDRESSBOOKSERVER-KIND", value: "group"))
        card.properties.append(ContentLine(name: "X-ADDRESSBOOKSERVER-MEMBER", value: "urn:uuid:abc"))
        let modern = card.converted(to: .v4)
        #expect(modern.property("GEO")?.value == "geo:46.77,-71.28")
        #expect(modern.property("KIND")?.value == "group")
        #expect(modern.property("MEMBER")?.value == "urn:uuid:abc")
        #expect(modern.converted(to: .v3).properties.filter { $0.name != "N" } == card.properties)
    }

    @Test func threeKindsOfContactGroupsReadIntoOneModel() throws {
        let text = """
            BEGIN:VCARD\r
            VERSION:4.0\r
            UID:g1\r
            KIND:group\r
            FN:Climbing\r
            MEMBER:urn:uuid:c1\r
            MEMBER:urn:uuid:c2\r
            END:VCARD\r
            BEGIN:VCARD\r
            VERSION:3.0\r
            UID:g2\r
            FN:Family\r
            N:Family;;;;\r
            X-ADDRESSBOOKSERVER-KIND:group\r
            X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:c1\r
            END:VCARD\r
            BEGIN:VCARD\r
            VERSION:3.0\r
            UID:c1\r
            FN:Anna\r
            N:;Anna;;;\r
            CATEGORIES:Clients,VIP\r
            END:VCARD\r
            BEGIN:VCARD\r
            VERSION:3.0\r
            UID:c2\r
            FN:Ben\r
            N:;Ben;;;\r
            CATEGORIES:clients\r
            END:VCARD\r

            """
        let groups = ContactGroups.collect(from: try VCardParser(options: .init(strict: true)).parse(text).cards)
        #expect(groups == [
            ContactGroup(name: "Climbing", uid: "g1", memberUIDs: ["c1", "c2"], source: .kind),
            ContactGroup(name: "Family", uid: "g2", memberUIDs: ["c1"], source: .appleKind),
            ContactGroup(name: "Clients", uid: nil, memberUIDs: ["c1", "c2"], source: .categories),
            ContactGroup(name: "VIP", uid: nil, memberUIDs: ["c1"], source: .categories),
        ])
    }

    @Test func repairsAreReportedAndStrictRefuses() throws {
        let broken = "BEGIN:VCARD\nFN:No version\n"
        let parsed = try VCardParser().parse(broken)
        #expect(Set(parsed.warnings.map(\.repair)) == [.bareLineFeed, .missingVersion, .missingEnd])
        #expect(throws: ParseError.self) { try VCardParser(options: .init(strict: true)).parse(broken) }
        #expect { try VCardParser().parse("FN:x\r\n") } throws: { ($0 as? ParseError)?.code == .propertyOutsideComponent }
    }

    @Test(arguments: 0..<100)
    func generatedCardsRoundTrip(_ seed: Int) throws {
        var generator = SeededGenerator(seed: UInt64(seed))
        let alphabet = Array("aZ09 ,;:\\\"^\né€😀-")
        func text() -> String { String((0..<Int.random(in: 0...60, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }) }
        var card = VCard(version: .v4, formattedName: text())
        for index in 0..<Int.random(in: 0...6, using: &generator) {
            var property = ContentLine(
                group: Bool.random(using: &generator) ? "item\(index)" : nil, name: ["NOTE", "EMAIL", "X-FOO"].randomElement(using: &generator)!,
                value: TextValue.escape(text()))
            property.parameters.append(Parameter(name: "TYPE", values: [text(), text()]))
            card.properties.append(property)
        }
        let parsed = try VCardParser(options: .init(strict: true)).parse(VCardSerializer().serialize([card]))
        #expect(parsed.cards == [card])
    }
}
