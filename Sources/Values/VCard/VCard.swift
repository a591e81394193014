public import ContentLines

/// One vCard (RFC 6350 for 4.0, RFC 2426 for 3.0, and the 2.1 that old phones write):
/// its properties in order, each kept exactly as read, with typed accessors on top.
public struct VCard: Sendable, Hashable {
    /// The properties between `BEGIN:VCARD` and `END:VCARD`, `VERSION` included.
    public var properties: [ContentLine]
    /// Where `BEGIN:VCARD` was read, or `nil` for a card built in code.
    public var sourceLocation: SourceLocation?

    /// Creates a card.
    public init(properties: [ContentLine] = [], sourceLocation: SourceLocation? = nil) {
        self.properties = properties
        self.sourceLocation = sourceLocation
    }

    /// A new card with `VERSION` and `FN`.
    public init(version: VCardVersion = .v4, formattedName: String) {
        self.init(properties: [
            ContentLine(name: "VERSION", value: version.rawValue),
            ContentLine(name: "FN", value: TextValue.escape(formattedName)),
        ])
    }

    public static func == (lhs: VCard, rhs: VCard) -> Bool { lhs.properties == rhs.properties }
    public func hash(into hasher: inout Hasher) { hasher.combine(properties) }

    // MARK: Reading

    /// The first property with this name.
    public func property(_ name: String) -> ContentLine? { properties.first { $0.name == name } }

    /// Every property with this name, in order.
    public func properties(_ name: String) -> [ContentLine] { properties.filter { $0.name == name } }

    /// Every property of a group (`item1`), in order.
    public func properties(inGroup group: String) -> [ContentLine] {
        properties.filter { $0.group?.lowercased() == group.lowercased() }
    }

    /// The version the card declares; 3.0 when it declares none.
    public var version: VCardVersion {
        property("VERSION").flatMap { VCardVersion(rawValue: $0.value.trimmingSpaces) } ?? .v3
    }

    /// The decoded text of a property's value (escapes, quoted-printable and charset
    /// of vCard 2.1 included).
    public func text(of property: ContentLine) -> String {
        VCardText.decode(property, version: version)
    }

    /// `FN`.
    public var formattedName: String? { property("FN").map(text(of:)) }

    /// `N`.
    public var name: StructuredName? { property("N").map { StructuredName(structuredValue: $0.value) } }

    /// `UID`.
    public var uid: String? { property("UID")?.value }

    /// `NOTE`.
    public var note: String? { property("NOTE").map(text(of:)) }

    /// `ORG`: the organization name and its units.
    public var organization: [String] {
        property("ORG").map { TextValue.split($0.value, separator: ";").map(TextValue.unescape) } ?? []
    }

    /// Every `EMAIL`, with its types.
    public var emails: [TypedValue] { typedValues("EMAIL") }

    /// Every `TEL`, with its types.
    public var telephones: [TypedValue] { typedValues("TEL") }

    /// Every `ADR`.
    public var addresses: [Address] {
        properties("ADR").map { Address(structuredValue: $0.value, types: VCardTypes.types(of: $0)) }
    }

    /// `CATEGORIES`, across all `CATEGORIES` properties.
    public var categories: [String] { properties("CATEGORIES").flatMap { TextValue.list($0.value) } }

    /// `PHOTO`.
    public var photo: Media? { property("PHOTO").flatMap(Media.init(property:)) }

    private func typedValues(_ name: String) -> [TypedValue] {
        properties(name).map { TypedValue(value: text(of: $0), types: VCardTypes.types(of: $0), group: $0.group) }
    }

    // MARK: Editing

    /// Replaces the first property named `property.name` in place (or appends it) and
    /// removes the others of that name.
    public mutating func setProperty(_ property: ContentLine) {
        guard let index = properties.firstIndex(where: { $0.name == property.name }) else {
            properties.append(property)
            return
        }
        properties[index] = property
        properties = properties.enumerated().filter { $0.offset <= index || $0.element.name != property.name }.map(\.element)
    }
}

/// The vCard versions.
public enum VCardVersion: String, Sendable, Hashable, CaseIterable {
    case v2_1 = "2.1"
    case v3 = "3.0"
    case v4 = "4.0"
}

/// A value with its `TYPE`s (`EMAIL;TYPE=work:…`).
public struct TypedValue: Sendable, Hashable {
    /// The decoded value.
    public var value: String
    /// The types, lower case (`work`, `voice`, `pref`).
    public var types: [String]
    /// The property group, when it has one (`item1`).
    public var group: String?
}

/// `N` (RFC 6350 §6.2.2): family; given; additional; prefixes; suffixes.
public struct StructuredName: Sendable, Hashable {
    public var family: [String]
    public var given: [String]
    public var additional: [String]
    public var prefixes: [String]
    public var suffixes: [String]

    /// Creates a name.
    public init(
        family: [String] = [], given: [String] = [], additional: [String] = [], prefixes: [String] = [],
        suffixes: [String] = []
    ) {
        self.family = family
        self.given = given
        self.additional = additional
        self.prefixes = prefixes
        self.suffixes = suffixes
    }

    /// Reads the structured value text.
    public init(structuredValue text: String) {
        let fields = StructuredValue.fields(text, count: 5)
        self.init(family: fields[0], given: fields[1], additional: fields[2], prefixes: fields[3], suffixes: fields[4])
    }

    /// The value text.
    public var structuredValue: String {
        StructuredValue.text([family, given, additional, prefixes, suffixes])
    }
}

/// `ADR` (RFC 6350 §6.3.1).
public struct Address: Sendable, Hashable {
    public var postOfficeBox: [String]
    public var extended: [String]
    public var street: [String]
    public var locality: [String]
    public var region: [String]
    public var postalCode: [String]
    public var country: [String]
    /// The types, lower case.
    public var types: [String]

    /// Reads the structured value text.
    public init(structuredValue text: String, types: [String] = []) {
        let fields = StructuredValue.fields(text, count: 7)
        postOfficeBox = fields[0]
        extended = fields[1]
        street = fields[2]
        locality = fields[3]
        region = fields[4]
        postalCode = fields[5]
        country = fields[6]
        self.types = types
    }

    /// The value text.
    public var structuredValue: String {
        StructuredValue.text([postOfficeBox, extended, street, locality, region, postalCode, country])
    }
}

/// Structured values: `;`-separated fields, each a `,`-separated list.
enum StructuredValue {
    static func fields(_ text: String, count: Int) -> [[String]] {
        var fields = TextValue.split(text, separator: ";").map { field in
            field.isEmpty ? [] : TextValue.split(field, separator: ",").map(TextValue.unescape)
        }
        while fields.count < count { fields.append([]) }
        return fields
    }

    static func text(_ fields: [[String]]) -> String {
        fields.map { $0.map(TextValue.escape).joined(separator: ",") }.joined(separator: ";")
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
