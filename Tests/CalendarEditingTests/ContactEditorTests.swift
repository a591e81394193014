import ContactEditing
import Testing
import VCard

/// Contact edits as values.
@Suite struct ContactEditorTests {
    @Test func aNewCardHoldsTheDraftAndReadsBack() throws {
        let draft = ContactDraft(fullName: "Anna Meier; MD", givenName: "Anna", familyName: "Meier",
                                 emails: [.init(value: "anna@example.org", type: "work")], phones: [.init(value: "+49 30 1", type: "cell")],
                                 organization: "Clinic, Berlin", note: "line one\nline two")
        let card = try ContactEditor.newCard(draft, uid: "u-1", stamp: "20261122T100000Z")
        let text = VCardSerializer().string(card)
        #expect(text.hasPrefix("BEGIN:VCARD\r\nVERSION:4.0\r\nUID:u-1\r\nFN:Anna Meier\\; MD\r\n"))
        let read = ContactSnapshot(card: try #require(try VCardParser().parse(text).cards.first))
        #expect(read.fullName == draft.fullName && read.givenName == "Anna" && read.familyName == "Meier")
        #expect(read.emails == draft.emails && read.phones == draft.phones && read.organization == "Clinic, Berlin" && read.note == draft.note)
    }

    @Test func replacingKeepsWhatTheDraftDoesNotSpeakOf() throws {
        let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:s\r\nFN:Old\r\nEMAIL:old@example.org\r\nEMAIL:older@example.org\r\nPHOTO;VALUE=uri:https://example.org/p.jpg\r\n"
            + "BDAY:19800101\r\nEND:VCARD\r\n"
        let card = try #require(try VCardParser().parse(text).cards.first)
        let replaced = try ContactEditor.replace(card, with: ContactDraft(fullName: "New", emails: [.init(value: "new@example.org")]), stamp: "20261122T100000Z")
        let out = VCardSerializer().string(replaced)
        #expect(out.contains("VERSION:3.0") && out.contains("FN:New") && out.contains("EMAIL:new@example.org") && !out.contains("old"))
        #expect(out.contains("PHOTO;VALUE=uri:https://example.org/p.jpg") && out.contains("BDAY:19800101") && out.contains("REV:20261122T100000Z"))
    }

    @Test func draftsAreRefusedByField() {
        func field(_ draft: ContactDraft) -> String? {
            do {
                try draft.validate()
                return nil
            } catch {
                return error.field
            }
        }
        #expect(field(ContactDraft(fullName: "  ")) == "fullName")
        #expect(field(ContactDraft(fullName: "x", emails: [.init(value: "nope")])) == "emails")
        #expect(field(ContactDraft(fullName: "x", phones: [.init(value: "1", type: "cell phone")])) == "phones")
        #expect(field(ContactDraft(fullName: "x", note: String(repeating: "n", count: 4001))) == "note")
        #expect(field(ContactDraft(fullName: "x", emails: Array(repeating: .init(value: "a@b"), count: 21))) == "emails")
    }
}
