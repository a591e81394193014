import ContentLines
public import VCard

/// What a client says a contact is: the fields the API reads and writes. Everything else a
/// vCard holds (photos, addresses, birthdays, groups, other programs' `X-` properties) is
/// kept as it is when a draft is applied to an existing card.
public struct ContactDraft: Sendable, Hashable {
    /// An e-mail address or telephone number with its kind (`work`, `home`, `cell`…).
    public struct Entry: Sendable, Hashable {
        public var value: String
        public var type: String?

        public init(value: String, type: String? = nil) {
            self.value = value
            self.type = type
        }
    }

    public var fullName: String
    public var givenName: String?
    public var familyName: String?
    public var emails: [Entry]
    public var phones: [Entry]
    public var organization: String?
    public var note: String?

    public init(fullName: String, givenName: String? = nil, familyName: String? = nil, emails: [Entry] = [], phones: [Entry] = [],
                organization: String? = nil, note: String? = nil) {
        self.fullName = fullName
        self.givenName = givenName
        self.familyName = familyName
        self.emails = emails
        self.phones = phones
        self.organization = organization
        self.note = note
    }

    /// Refuses a draft no address book should hold, naming the field.
    public func validate() throws(ContactEditError) {
        guard fullName.contains(where: { !$0.isWhitespace }) else { throw .invalid("fullName", "must not be empty") }
        for (field, text, limit) in [("fullName", fullName, 500), ("givenName", givenName ?? "", 200), ("familyName", familyName ?? "", 200),
                                     ("organization", organization ?? "", 500), ("note", note ?? "", 4000)] where text.count > limit {
            throw .invalid(field, "at most \(limit) characters")
        }
        for (field, entries) in [("emails", emails), ("phones", phones)] {
            guard entries.count <= 20 else { throw .invalid(field, "at most 20") }
            for entry in entries {
                guard !entry.value.isEmpty, entry.value.count <= 320 else { throw .invalid(field, "each 1 to 320 characters") }
                if let type = entry.type, type.isEmpty || type.count > 20 || !type.allSatisfy({ $0.isLetter || $0 == "-" }) {
                    throw .invalid(field, "a type is a word (work, home, cell…)")
                }
            }
        }
        if let bad = emails.first(where: { !$0.value.contains("@") }) { throw .invalid("emails", "\(bad.value) is not an e-mail address") }
    }
}

/// Why a contact edit cannot be made.
public struct ContactEditError: Error, Sendable, Hashable, CustomStringConvertible {
    public var field: String
    public var message: String

    public static func invalid(_ field: String, _ message: String) -> ContactEditError {
        ContactEditError(field: field, message: message)
    }

    public var description: String { "\(field): \(message)" }
}

/// Contact edits as values.
public enum ContactEditor {
    /// The properties a draft speaks for.
    static let drafted: Set<String> = ["FN", "N", "EMAIL", "TEL", "ORG", "NOTE"]

    /// A new vCard 4.0 holding the draft.
    public static func newCard(_ draft: ContactDraft, uid: String, stamp: String) throws(ContactEditError) -> VCard {
        try draft.validate()
        var card = VCard(properties: [ContentLine(name: "VERSION", value: "4.0"), ContentLine(name: "UID", value: uid)])
        apply(draft, to: &card, stamp: stamp)
        return card
    }

    /// The card with the draft's fields in place of its own, everything else kept (a 3.0
    /// card stays 3.0).
    public static func replace(_ card: VCard, with draft: ContactDraft, stamp: String) throws(ContactEditError) -> VCard {
        try draft.validate()
        var card = card
        card.properties.removeAll { drafted.contains($0.name.uppercased()) }
        apply(draft, to: &card, stamp: stamp)
        return card
    }

    /// Writes the draft's properties, and `REV` (`stamp`, a UTC date-time like 20261122T100000Z).
    static func apply(_ draft: ContactDraft, to card: inout VCard, stamp: String) {
        var added = [ContentLine(name: "FN", value: TextValue.escape(draft.fullName))]
        if draft.givenName != nil || draft.familyName != nil {
            let name = StructuredName(family: draft.familyName.map { [$0] } ?? [], given: draft.givenName.map { [$0] } ?? [])
            added.append(ContentLine(name: "N", value: name.structuredValue))
        }
        for (name, entries) in [("EMAIL", draft.emails), ("TEL", draft.phones)] {
            for entry in entries {
                let parameters = entry.type.map { [Parameter(name: "TYPE", value: $0.lowercased())] } ?? []
                added.append(ContentLine(name: name, parameters: parameters, value: TextValue.escape(entry.value)))
            }
        }
        if let organization = draft.organization { added.append(ContentLine(name: "ORG", value: TextValue.escape(organization))) }
        if let note = draft.note { added.append(ContentLine(name: "NOTE", value: TextValue.escape(note))) }
        // After VERSION and UID, where clients expect the name.
        let position = card.properties.lastIndex { ["VERSION", "UID"].contains($0.name.uppercased()) }.map { $0 + 1 } ?? 0
        card.properties.insert(contentsOf: added, at: position)
        card.setProperty(ContentLine(name: "REV", value: stamp))
    }
}

/// A contact read for showing.
public struct ContactSnapshot: Sendable, Hashable {
    public var uid: String?
    public var fullName: String
    public var givenName: String?
    public var familyName: String?
    public var emails: [ContactDraft.Entry]
    public var phones: [ContactDraft.Entry]
    public var organization: String?
    public var note: String?

    public init(card: VCard) {
        uid = card.uid
        fullName = card.formattedName ?? ""
        let name = card.name
        givenName = name?.given.first.flatMap { $0.isEmpty ? nil : $0 }
        familyName = name?.family.first.flatMap { $0.isEmpty ? nil : $0 }
        emails = card.emails.map { ContactDraft.Entry(value: $0.value, type: $0.types.first { $0 != "pref" && $0 != "internet" }) }
        phones = card.telephones.map { ContactDraft.Entry(value: $0.value, type: $0.types.first { $0 != "pref" && $0 != "voice" }) }
        organization = card.organization.first
        note = card.note
    }

    /// Whether `text` appears (case-insensitively) in the name, organization, e-mail
    /// addresses or telephone numbers.
    public func matches(_ text: String) -> Bool {
        let needle = text.lowercased()
        return ([fullName, organization ?? ""] + emails.map(\.value) + phones.map(\.value)).contains { $0.lowercased().contains(needle) }
    }
}
