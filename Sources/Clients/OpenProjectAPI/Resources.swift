public import Foundation

/// The API root: the instance's name and, for an administrator, the core version.
public struct OpenProjectRoot: Sendable, Hashable, Decodable {
    public var instanceName: String
    public var coreVersion: String?
}

/// Text with its format (OpenProject's `Formattable`): what the client reads is `raw`.
struct Formattable: Codable, Hashable {
    var format: String?
    var raw: String?

    init(_ raw: String) {
        format = "markdown"
        self.raw = raw
    }
}

/// A project.
public struct OpenProjectProject: Sendable, Hashable, Decodable {
    public var id: Int
    public var identifier: String
    public var name: String
    public var active: Bool
    public var isPublic: Bool
    public var description: String

    enum CodingKeys: String, CodingKey { case id, identifier, name, active, `public`, description }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        identifier = try container.decode(String.self, forKey: .identifier)
        name = try container.decode(String.self, forKey: .name)
        active = try container.decodeIfPresent(Bool.self, forKey: .active) ?? true
        isPublic = try container.decodeIfPresent(Bool.self, forKey: .public) ?? false
        description = try container.decodeIfPresent(Formattable.self, forKey: .description)?.raw ?? ""
    }
}

/// A work package as read: its fields, its `lockVersion` (sent back with every change) and
/// the resources it links to, each with the server's title.
public struct OpenProjectWorkPackage: Sendable, Hashable, Decodable {
    public var id: Int
    public var subject: String
    public var lockVersion: Int
    public var description: String
    public var startDate: String?
    public var dueDate: String?
    public var percentageDone: Int?
    public var project: HALLink
    public var type: HALLink
    public var status: HALLink
    public var priority: HALLink?
    public var assignee: HALLink?

    enum CodingKeys: String, CodingKey { case id, subject, lockVersion, description, startDate, dueDate, percentageDone, _links }
    struct Links: Decodable {
        var project: HALLink
        var type: HALLink
        var status: HALLink
        var priority: HALLink?
        var assignee: HALLink?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        subject = try container.decode(String.self, forKey: .subject)
        lockVersion = try container.decodeIfPresent(Int.self, forKey: .lockVersion) ?? 0
        description = try container.decodeIfPresent(Formattable.self, forKey: .description)?.raw ?? ""
        startDate = try container.decodeIfPresent(String.self, forKey: .startDate)
        dueDate = try container.decodeIfPresent(String.self, forKey: .dueDate)
        percentageDone = try container.decodeIfPresent(Int.self, forKey: .percentageDone)
        let links = try container.decode(Links.self, forKey: ._links)
        project = links.project
        type = links.type
        status = links.status
        priority = links.priority
        assignee = links.assignee?.href == nil ? nil : links.assignee
    }
}

/// A status, type, priority or role: an id and a name (a status also says whether it closes).
public struct OpenProjectNamed: Sendable, Hashable, Decodable {
    public var id: Int
    public var name: String
    /// For a status: whether work packages in it count as closed.
    public var isClosed: Bool?
}

/// A comment or change on a work package (`Activity::Comment`, `Activity`).
public struct OpenProjectActivity: Sendable, Hashable, Decodable {
    public var id: Int
    public var comment: String
    public var createdAt: String
    public var user: HALLink?

    enum CodingKeys: String, CodingKey { case id, comment, createdAt, _links }
    struct Links: Decodable { var user: HALLink? }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        comment = try container.decodeIfPresent(Formattable.self, forKey: .comment)?.raw ?? ""
        createdAt = try container.decodeIfPresent(String.self, forKey: .createdAt) ?? ""
        user = try container.decodeIfPresent(Links.self, forKey: ._links)?.user
    }
}

/// Time logged on a work package.
public struct OpenProjectTimeEntry: Sendable, Hashable, Decodable {
    public var id: Int
    /// Hours as a number (OpenProject sends an ISO 8601 duration, `PT1H30M`).
    public var hours: Double
    public var spentOn: String
    public var comment: String
    public var workPackage: HALLink?
    public var user: HALLink?

    enum CodingKeys: String, CodingKey { case id, hours, spentOn, comment, _links }
    struct Links: Decodable {
        var entity: HALLink?
        var workPackage: HALLink?
        var user: HALLink?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        let duration = try container.decode(String.self, forKey: .hours)
        guard let hours = ISODuration.hours(duration) else {
            throw DecodingError.dataCorruptedError(forKey: .hours, in: container, debugDescription: "not an ISO 8601 duration: \(duration)")
        }
        self.hours = hours
        spentOn = try container.decode(String.self, forKey: .spentOn)
        comment = try container.decodeIfPresent(Formattable.self, forKey: .comment)?.raw ?? ""
        let links = try container.decodeIfPresent(Links.self, forKey: ._links)
        workPackage = links?.entity ?? links?.workPackage
        user = links?.user
    }
}

/// A project membership: who, and with which roles.
public struct OpenProjectMembership: Sendable, Hashable, Decodable {
    public var id: Int
    public var project: HALLink?
    public var principal: HALLink
    public var roles: [HALLink]

    enum CodingKeys: String, CodingKey { case id, _links }
    struct Links: Decodable {
        var project: HALLink?
        var principal: HALLink
        var roles: [HALLink]
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        let links = try container.decode(Links.self, forKey: ._links)
        project = links.project
        principal = links.principal
        roles = links.roles
    }
}

/// A user.
public struct OpenProjectUser: Sendable, Hashable, Decodable {
    public var id: Int
    public var name: String
    public var login: String?
    public var email: String?
    /// `active`, `locked`, `invited`, `registered`.
    public var status: String?
}

/// ISO 8601 durations as OpenProject writes hours: `PT1H30M`, `PT0.5H`, `P1DT2H`.
enum ISODuration {
    /// `hours` as `PT…H…M` (whole minutes).
    static func string(hours: Double) -> String {
        let minutes = Int((hours * 60).rounded())
        let (whole, rest) = minutes.quotientAndRemainder(dividingBy: 60)
        return "PT" + (whole > 0 || rest == 0 ? "\(whole)H" : "") + (rest > 0 ? "\(rest)M" : "")
    }

    /// The hours in a duration of days, hours, minutes and seconds; `nil` when it is not one.
    static func hours(_ text: String) -> Double? {
        guard text.hasPrefix("P") else { return nil }
        var hours = 0.0
        var number = ""
        var inTime = false
        for character in text.dropFirst() {
            switch character {
            case "T": inTime = true
            case "0"..."9", ".": number.append(character)
            case "D", "H", "M", "S", "W":
                guard let value = Double(number) else { return nil }
                number = ""
                switch (character, inTime) {
                case ("W", false): hours += value * 168
                case ("D", false): hours += value * 24
                case ("H", true): hours += value
                case ("M", true): hours += value / 60
                case ("S", true): hours += value / 3600
                default: return nil
                }
            default: return nil
            }
        }
        return number.isEmpty ? hours : nil
    }
}
