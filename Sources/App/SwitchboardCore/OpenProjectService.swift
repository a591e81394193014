public import Accounts
import Foundation
public import HTTPTransport
public import OpenProjectAPI
public import SwitchboardStore

/// OpenProject's API v3 for an account of kind `openproject` (user `apikey`, the API key as
/// password): the account's credentials go to its server only.
public struct OpenProjectService: Sendable {
    let clients: AccountClients

    /// Runs `operation` with a client of `account`'s server.
    public func call<Value>(_ account: AccountRecord, _ operation: (OpenProjectClient) async throws(PlatformError) -> Value) async throws(PlatformServiceError) -> Value {
        try await clients.platformCall(account, kind: .openproject, root: URL(string: account.serverURL)) { transport, root throws(PlatformError) in
            try await operation(OpenProjectClient(baseURL: root, transport: transport))
        }
    }

    /// The work packages of a project (or all the account sees) in a status — `open`,
    /// `closed`, `all` or a status's name — whose subject contains `subject`, by id.
    public func workPackages(_ account: AccountRecord, project: Int?, status: String, subject: String?,
                             limit: Int?) async throws(PlatformServiceError) -> [OpenProjectWorkPackage] {
        try await call(account) { client throws(PlatformError) in
            var query = WorkPackageQuery(sort: [(.id, true)])
            switch status.lowercased() {
            case "all": break
            case "open": query.filters.append(.init(.status, .open))
            case "closed": query.filters.append(.init(.status, .closed))
            default: query.filters.append(.init(.status, .equals, [String(try await client.status(named: status).id)]))
            }
            if let subject { query.filters.append(.init(.subject, .contains, [subject])) }
            return try await client.workPackages(project: project, query, limit: limit)
        }
    }

    /// Creates a work package in a project, its type named (the project's default when not).
    public func createWorkPackage(_ account: AccountRecord, project: Int, subject: String, type: String?, description: String?,
                                  dueDate: String?) async throws(PlatformServiceError) -> OpenProjectWorkPackage {
        try await call(account) { client throws(PlatformError) in
            var typeID: Int?
            if let type { typeID = try await client.type(named: type).id }
            return try await client.createWorkPackage(project: project, NewWorkPackage(subject: subject, typeID: typeID, description: description, dueDate: dueDate))
        }
    }

    /// Changes a work package with the `lockVersion` given, or the one it has now when none
    /// is: an edit made since that version is a conflict, not overwritten. A status is named.
    public func changeWorkPackage(_ account: AccountRecord, _ id: Int, _ edit: WorkPackageEdit) async throws(PlatformServiceError) -> OpenProjectWorkPackage {
        try await call(account) { client throws(PlatformError) in
            let version: Int
            if let lockVersion = edit.lockVersion { version = lockVersion } else { version = try await client.workPackage(id).lockVersion }
            var statusID: Int?
            if let status = edit.status { statusID = try await client.status(named: status).id }
            return try await client.updateWorkPackage(id, WorkPackageChange(lockVersion: version, subject: edit.subject, description: edit.description,
                                                                            statusID: statusID, dueDate: edit.dueDate, percentageDone: edit.percentageDone))
        }
    }

    /// Logs time on a work package for `spentOn`, today (UTC) when not given.
    public func logTime(_ account: AccountRecord, workPackage: Int, hours: Double, spentOn: String?, comment: String) async throws(PlatformServiceError) -> OpenProjectTimeEntry {
        let day = spentOn ?? Date().formatted(.iso8601.year().month().day())
        return try await call(account) { client throws(PlatformError) in
            try await client.logTime(workPackage: workPackage, hours: hours, spentOn: day, comment: comment)
        }
    }
}

/// A change to a work package as callers name it: a status by name, and the `lockVersion`
/// the caller read (or none: the current one).
public struct WorkPackageEdit: Sendable, Hashable {
    public var lockVersion: Int?
    public var subject: String?
    public var description: String?
    public var status: String?
    public var dueDate: String?
    public var percentageDone: Int?

    public init(lockVersion: Int? = nil, subject: String? = nil, description: String? = nil, status: String? = nil, dueDate: String? = nil,
                percentageDone: Int? = nil) {
        self.lockVersion = lockVersion
        self.subject = subject
        self.description = description
        self.status = status
        self.dueDate = dueDate
        self.percentageDone = percentageDone
    }
}
