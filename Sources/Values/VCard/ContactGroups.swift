import ContentLines

/// A group of contacts, whichever of the three ways a server stores it.
public struct ContactGroup: Sendable, Hashable {
    /// Where the group came from.
    public enum Source: Sendable, Hashable {
        /// A vCard 4 card with `KIND:group` and `MEMBER`s (RFC 6350 §6.1.4, §6.6.5).
        case kind
        /// An Apple card with `X-ADDRESSBOOKSERVER-KIND:group` and `X-ADDRESSBOOKSERVER-MEMBER`s.
        case appleKind
        /// A `CATEGORIES` value shared by contacts (Nextcloud, Google, Thunderbird).
        case categories
    }

    /// The group's name (`FN` of a group card, or the category).
    public var name: String
    /// The `UID` of the group card; `nil` for a category.
    public var uid: String?
    /// The members' UIDs (`urn:uuid:` removed) or, for other URIs, the URI.
    public var memberUIDs: [String]
    /// Where the group came from.
    public var source: Source

    /// Creates a group.
    public init(name: String, uid: String?, memberUIDs: [String], source: Source) {
        self.name = name
        self.uid = uid
        self.memberUIDs = memberUIDs
        self.source = source
    }
}

/// Reads contact groups from a set of cards.
public enum ContactGroups {
    /// Every group the cards describe: group cards of either kind, and one group per
    /// category, with the UIDs of the contacts that carry it. Categories are matched
    /// case-insensitively and named as first written.
    public static func collect(from cards: [VCard]) -> [ContactGroup] {
        var groups: [ContactGroup] = []
        var categories: [String: (name: String, members: [String])] = [:]
        var categoryOrder: [String] = []
        for card in cards {
            let kind = card.property("KIND")?.value.lowercased()
            let appleKind = card.property("X-ADDRESSBOOKSERVER-KIND")?.value.lowercased()
            if kind == "group" || appleKind == "group" {
                let memberProperty = kind == "group" ? "MEMBER" : "X-ADDRESSBOOKSERVER-MEMBER"
                groups.append(
                    ContactGroup(
                        name: card.formattedName ?? "", uid: card.uid,
                        memberUIDs: card.properties(memberProperty).map { memberUID($0.value) },
                        source: kind == "group" ? .kind : .appleKind))
                continue
            }
            for category in card.categories where !category.isEmpty {
                let key = category.lowercased()
                if categories[key] == nil {
                    categories[key] = (category, [])
                    categoryOrder.append(key)
                }
                if let uid = card.uid { categories[key]?.members.append(uid) }
            }
        }
        for key in categoryOrder {
            let entry = categories[key]!
            groups.append(ContactGroup(name: entry.name, uid: nil, memberUIDs: entry.members, source: .categories))
        }
        return groups
    }

    /// `urn:uuid:1234` → `1234`; other URIs stay as written.
    static func memberUID(_ uri: String) -> String {
        uri.lowercased().hasPrefix("urn:uuid:") ? String(uri.dropFirst(9)) : uri
    }
}
