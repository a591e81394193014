public import HTTPTransport

/// What a new work package is given: the subject, and optionally its type, description,
/// assignee, status, priority and dates (ids of the server's resources).
public struct NewWorkPackage: Sendable, Hashable {
    public var subject: String
    public var typeID: Int?
    public var description: String?
    public var assigneeID: Int?
    public var statusID: Int?
    public var priorityID: Int?
    public var startDate: String?
    public var dueDate: String?

    public init(subject: String, typeID: Int? = nil, description: String? = nil, assigneeID: Int? = nil, statusID: Int? = nil,
                priorityID: Int? = nil, startDate: String? = nil, dueDate: String? = nil) {
        self.subject = subject
        self.typeID = typeID
        self.description = description
        self.assigneeID = assigneeID
        self.statusID = statusID
        self.priorityID = priorityID
        self.startDate = startDate
        self.dueDate = dueDate
    }
}

/// A change to a work package: only the fields set are sent, with the `lockVersion` it was
/// read at (an edit made since is a ``PlatformError/Code/conflict``, not overwritten).
public struct WorkPackageChange: Sendable, Hashable {
    public var lockVersion: Int
    public var subject: String?
    public var description: String?
    public var statusID: Int?
    public var assigneeID: Int?
    public var priorityID: Int?
    public var dueDate: String?
    public var percentageDone: Int?

    public init(lockVersion: Int, subject: String? = nil, description: String? = nil, statusID: Int? = nil, assigneeID: Int? = nil,
                priorityID: Int? = nil, dueDate: String? = nil, percentageDone: Int? = nil) {
        self.lockVersion = lockVersion
        self.subject = subject
        self.description = description
        self.statusID = statusID
        self.assigneeID = assigneeID
        self.priorityID = priorityID
        self.dueDate = dueDate
        self.percentageDone = percentageDone
    }
}

/// A user an administrator creates.
public struct NewOpenProjectUser: Sendable, Hashable, Encodable {
    public var login: String
    public var email: String
    public var firstName: String
    public var lastName: String
    public var admin: Bool
    public var language: String
    public var password: String?
    /// `active` (the default here) or `invited` (OpenProject mails an invitation).
    public var status: String

    public init(login: String, email: String, firstName: String, lastName: String, admin: Bool = false, language: String = "en",
                password: String? = nil, status: String = "active") {
        self.login = login
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.admin = admin
        self.language = language
        self.password = password
        self.status = status
    }
}

/// The JSON bodies of writes: fields, and `_links` to other resources by their API path.
struct WriteBody: Encodable {
    var fields: [String: Field] = [:]
    var links: [String: Link] = [:]
    /// Whether `_links` is sent even when empty (the document requires it in a work package).
    var linksRequired = false

    enum Field: Encodable {
        case text(String)
        case number(Int)
        case flag(Bool)
        case formattable(String)

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let value): try container.encode(value)
            case .number(let value): try container.encode(value)
            case .flag(let value): try container.encode(value)
            case .formattable(let value): try container.encode(Formattable(value))
            }
        }
    }

    enum Link: Encodable {
        case one(String)
        case many([String])

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .one(let href): try container.encode(HALLink(href: href))
            case .many(let hrefs): try container.encode(hrefs.map { HALLink(href: $0) })
            }
        }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (name, value) in fields { try container.encode(value, forKey: Key(stringValue: name)) }
        if !links.isEmpty || linksRequired { try container.encode(links, forKey: Key(stringValue: "_links")) }
    }

    mutating func link(_ name: String, _ resource: String, _ id: Int?) {
        if let id { links[name] = .one("/api/v3/\(resource)/\(id)") }
    }
}

extension OpenProjectClient {
    // MARK: Projects

    /// Every project the user can see.
    public func projects() async throws(PlatformError) -> [OpenProjectProject] {
        try await collection(Self.path("projects"), of: OpenProjectProject.self)
    }

    public func project(_ id: Int) async throws(PlatformError) -> OpenProjectProject {
        try await get(Self.path("projects", String(id)), as: OpenProjectProject.self)
    }

    /// Creates a project; `identifier` is its URL name (lower case letters, digits, `-`, `_`).
    public func createProject(name: String, identifier: String, description: String = "", isPublic: Bool = false,
                              parentID: Int? = nil) async throws(PlatformError) -> OpenProjectProject {
        var body = WriteBody(fields: ["name": .text(name), "identifier": .text(identifier), "public": .flag(isPublic)])
        if !description.isEmpty { body.fields["description"] = .formattable(description) }
        body.link("parent", "projects", parentID)
        return try await send("POST", Self.path("projects"), body: body, as: OpenProjectProject.self)
    }

    /// Archives (`active: false`) or restores a project.
    public func setProject(_ id: Int, active: Bool) async throws(PlatformError) -> OpenProjectProject {
        try await send("PATCH", Self.path("projects", String(id)), body: WriteBody(fields: ["active": .flag(active)]), as: OpenProjectProject.self)
    }

    /// Deletes a project (OpenProject does it in the background; it answers 204).
    public func deleteProject(_ id: Int) async throws(PlatformError) {
        try await delete(Self.path("projects", String(id)))
    }

    // MARK: Work packages

    /// The work packages matching `query`, in a project or in all the user can see; `limit`
    /// stops early.
    public func workPackages(project: Int? = nil, _ query: WorkPackageQuery = WorkPackageQuery(), limit: Int? = nil)
        async throws(PlatformError) -> [OpenProjectWorkPackage] {
        let path = project.map { Self.path("projects", String($0), "work_packages") } ?? Self.path("work_packages")
        return try await collection(path, query: query.queryItems, limit: limit, of: OpenProjectWorkPackage.self)
    }

    public func workPackage(_ id: Int) async throws(PlatformError) -> OpenProjectWorkPackage {
        try await get(Self.path("work_packages", String(id)), as: OpenProjectWorkPackage.self)
    }

    public func createWorkPackage(project: Int, _ new: NewWorkPackage) async throws(PlatformError) -> OpenProjectWorkPackage {
        var body = WriteBody(fields: ["subject": .text(new.subject)], linksRequired: true)
        if let description = new.description { body.fields["description"] = .formattable(description) }
        if let start = new.startDate { body.fields["startDate"] = .text(start) }
        if let due = new.dueDate { body.fields["dueDate"] = .text(due) }
        body.link("type", "types", new.typeID)
        body.link("assignee", "users", new.assigneeID)
        body.link("status", "statuses", new.statusID)
        body.link("priority", "priorities", new.priorityID)
        return try await send("POST", Self.path("projects", String(project), "work_packages"), body: body, as: OpenProjectWorkPackage.self)
    }

    /// Changes a work package; a `lockVersion` older than the server's is a
    /// ``PlatformError/Code/conflict`` (`UpdateConflict`) and changes nothing.
    public func updateWorkPackage(_ id: Int, _ change: WorkPackageChange) async throws(PlatformError) -> OpenProjectWorkPackage {
        var body = WriteBody(fields: ["lockVersion": .number(change.lockVersion)])
        if let subject = change.subject { body.fields["subject"] = .text(subject) }
        if let description = change.description { body.fields["description"] = .formattable(description) }
        if let due = change.dueDate { body.fields["dueDate"] = .text(due) }
        if let done = change.percentageDone { body.fields["percentageDone"] = .number(done) }
        body.link("status", "statuses", change.statusID)
        body.link("assignee", "users", change.assigneeID)
        body.link("priority", "priorities", change.priorityID)
        return try await send("PATCH", Self.path("work_packages", String(id)), body: body, as: OpenProjectWorkPackage.self)
    }

    public func deleteWorkPackage(_ id: Int) async throws(PlatformError) {
        try await delete(Self.path("work_packages", String(id)))
    }

    /// Comments on a work package (an activity with a comment).
    public func comment(on workPackage: Int, _ text: String) async throws(PlatformError) -> OpenProjectActivity {
        try await send("POST", Self.path("work_packages", String(workPackage), "activities"),
                       body: WriteBody(fields: ["comment": .formattable(text)]), as: OpenProjectActivity.self)
    }

    /// A work package's comments and changes, oldest first.
    public func activities(of workPackage: Int) async throws(PlatformError) -> [OpenProjectActivity] {
        try await get(Self.path("work_packages", String(workPackage), "activities"), as: HALCollection<OpenProjectActivity>.self).elements
    }

    // MARK: Time

    /// Logs `hours` on a work package for `spentOn` (`YYYY-MM-DD`).
    public func logTime(workPackage: Int, hours: Double, spentOn: String, comment: String = "",
                        activityID: Int? = nil) async throws(PlatformError) -> OpenProjectTimeEntry {
        var body = WriteBody(fields: ["hours": .text(ISODuration.string(hours: hours)), "spentOn": .text(spentOn)])
        if !comment.isEmpty { body.fields["comment"] = .formattable(comment) }
        body.link("entity", "work_packages", workPackage)
        body.link("activity", "time_entries/activities", activityID)
        return try await send("POST", Self.path("time_entries"), body: body, as: OpenProjectTimeEntry.self)
    }

    /// Time logged on a work package.
    public func timeEntries(workPackage: Int) async throws(PlatformError) -> [OpenProjectTimeEntry] {
        let filters = FilterClause.queryItem([FilterClause("entity_type", "=", ["WorkPackage"]), FilterClause("entity_id", "=", [String(workPackage)])])
        return try await collection(Self.path("time_entries"), query: [filters], of: OpenProjectTimeEntry.self)
    }

    // MARK: Reference data

    public func statuses() async throws(PlatformError) -> [OpenProjectNamed] {
        try await get(Self.path("statuses"), as: HALCollection<OpenProjectNamed>.self).elements
    }

    public func types() async throws(PlatformError) -> [OpenProjectNamed] {
        try await get(Self.path("types"), as: HALCollection<OpenProjectNamed>.self).elements
    }

    public func priorities() async throws(PlatformError) -> [OpenProjectNamed] {
        try await get(Self.path("priorities"), as: HALCollection<OpenProjectNamed>.self).elements
    }

    public func roles() async throws(PlatformError) -> [OpenProjectNamed] {
        try await get(Self.path("roles"), as: HALCollection<OpenProjectNamed>.self).elements
    }

    /// The status of that name (any case); none is ``PlatformError/Code/invalid`` with the field `status`.
    public func status(named name: String) async throws(PlatformError) -> OpenProjectNamed {
        try Self.named(name, in: try await statuses(), field: "status")
    }

    /// The type of that name (any case); none is ``PlatformError/Code/invalid`` with the field `type`.
    public func type(named name: String) async throws(PlatformError) -> OpenProjectNamed {
        try Self.named(name, in: try await types(), field: "type")
    }

    /// The role of that name (any case); none is ``PlatformError/Code/invalid`` with the field `role`.
    public func role(named name: String) async throws(PlatformError) -> OpenProjectNamed {
        try Self.named(name, in: try await roles(), field: "role")
    }

    private static func named(_ name: String, in all: [OpenProjectNamed], field: String) throws(PlatformError) -> OpenProjectNamed {
        guard let found = all.first(where: { $0.name.lowercased() == name.lowercased() }) else {
            var error = PlatformError(.invalid, platform: "OpenProject", method: "GET", url: path(field == "status" ? "statuses" : field + "s"),
                                      detail: "no \(field) named \(name); there are \(all.map(\.name).joined(separator: ", "))")
            error.field = field
            throw error
        }
        return found
    }

    // MARK: Memberships and users

    /// The memberships of a project.
    public func memberships(project: Int) async throws(PlatformError) -> [OpenProjectMembership] {
        let filters = FilterClause.queryItem([FilterClause("project", "=", [String(project)])])
        return try await collection(Self.path("memberships"), query: [filters], of: OpenProjectMembership.self)
    }

    /// Makes a user (or group) a member of a project with `roles`.
    public func addMember(project: Int, principal: Int, roles: [Int]) async throws(PlatformError) -> OpenProjectMembership {
        var body = WriteBody()
        body.link("project", "projects", project)
        body.link("principal", "users", principal)
        body.links["roles"] = .many(roles.map { "/api/v3/roles/\($0)" })
        return try await send("POST", Self.path("memberships"), body: body, as: OpenProjectMembership.self)
    }

    public func removeMembership(_ id: Int) async throws(PlatformError) {
        try await delete(Self.path("memberships", String(id)))
    }

    /// Users an administrator sees; `login` narrows to one.
    public func users(login: String? = nil) async throws(PlatformError) -> [OpenProjectUser] {
        let filters = login.map { [FilterClause.queryItem([FilterClause("login", "=", [$0])])] } ?? []
        return try await collection(Self.path("users"), query: filters, of: OpenProjectUser.self)
    }

    public func user(_ id: Int) async throws(PlatformError) -> OpenProjectUser {
        try await get(Self.path("users", String(id)), as: OpenProjectUser.self)
    }

    public func createUser(_ new: NewOpenProjectUser) async throws(PlatformError) -> OpenProjectUser {
        try await send("POST", Self.path("users"), body: new, as: OpenProjectUser.self)
    }

    /// Locks a user out, or lets them in again.
    public func setUser(_ id: Int, locked: Bool) async throws(PlatformError) -> OpenProjectUser {
        let path = Self.path("users", String(id), "lock")
        if locked { return try await send("POST", path, body: WriteBody(), as: OpenProjectUser.self) }
        return try await delete(path, as: OpenProjectUser.self)
    }

    public func deleteUser(_ id: Int) async throws(PlatformError) {
        try await delete(Self.path("users", String(id)))
    }
}
