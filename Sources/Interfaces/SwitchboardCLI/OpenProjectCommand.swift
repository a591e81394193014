import ArgumentParser
import Foundation
import HTTPTransport
import OpenProjectAPI
import SwitchboardCore

/// `switchboard openproject`: projects, work packages and time on an OpenProject account's server.
struct OpenProjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openproject", abstract: "Projects, work packages and time on OpenProject (an account of kind openproject).",
        subcommands: [Projects.self, WorkPackages.self, Versions.self, Time.self])

    /// The OpenProject account a command works on.
    struct AccountOptions: ParsableArguments {
        @OptionGroup var platform: PlatformAccountOptions

        func call<Value: Sendable>(_ operation: (OpenProjectClient) async throws(PlatformError) -> Value) async throws -> Value {
            try await platform.call { hub, record throws(PlatformServiceError) in try await hub.openProject.call(record, operation) }
        }
    }

    struct Projects: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Projects: list, create.", subcommands: [List.self, Create.self])

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Every project the account can see: id, identifier, name.")
            @OptionGroup var openProject: AccountOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let projects = try await openProject.call { client throws(PlatformError) in try await client.projects() }.map(ProjectLine.init)
                try output.print(projects) { projects.map { "\($0.id)\t\($0.identifier)\t\($0.name)\($0.active ? "" : "\t(archived)")" }.joined(separator: "\n") }
            }
        }

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Create a project (needs an administrator's key).")
            @OptionGroup var openProject: AccountOptions
            @Argument(help: "Its name.") var name: String
            @Option(help: "Its identifier in URLs (lower case letters, digits, - and _).") var identifier: String
            @Option var description = ""
            @Flag(help: "Visible to everyone.") var `public` = false
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let (name, identifier, description, isPublic) = (name, identifier, description, `public`)
                let project = ProjectLine(try await openProject.call { client throws(PlatformError) in
                    try await client.createProject(name: name, identifier: identifier, description: description, isPublic: isPublic)
                })
                try output.print(project) { "\(project.id)\t\(project.identifier)\t\(project.name)" }
            }
        }
    }

    struct WorkPackages: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "work-packages", abstract: "Work packages: list, create, update, comment, relate, attach.",
                                                        subcommands: [List.self, Create.self, Update.self, Comment.self, Relate.self, Attach.self])

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Work packages (all pages), of a project, in a status, matching a text.")
            @OptionGroup var openProject: AccountOptions
            @Option(help: "A project id.") var project: Int?
            @Option(help: "open, closed, all, or a status name (default: all).") var status = "all"
            @Option(help: "Only those whose subject contains this.") var subject: String?
            @Option(help: "At most this many.") var limit: Int?
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let (project, status, subject, limit) = (project, status, subject, limit)
                let packages = try await openProject.platform.call { hub, record throws(PlatformServiceError) in
                    try await hub.openProject.workPackages(record, project: project, status: status, subject: subject, limit: limit)
                }.map(WorkPackageLine.init)
                try output.print(packages) { packages.map(\.text).joined(separator: "\n") }
            }
        }

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Create a work package in a project.")
            @OptionGroup var openProject: AccountOptions
            @Option(help: "The project id.") var project: Int
            @Option var subject: String
            @Option(help: "A type name (Task, Milestone…); the project's default when left out.") var type: String?
            @Option var description: String?
            @Option(help: "YYYY-MM-DD.") var due: String?
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let (project, subject, type, description, due) = (project, subject, type, description, due)
                let created = WorkPackageLine(try await openProject.platform.call { hub, record throws(PlatformServiceError) in
                    try await hub.openProject.createWorkPackage(record, project: project, subject: subject, type: type, description: description, dueDate: due)
                })
                try output.print(created) { created.text }
            }
        }

        struct Update: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Change a work package; with --lock-version the change is refused if it changed since that version was read.")
            @OptionGroup var openProject: AccountOptions
            @Argument var id: Int
            @Option var subject: String?
            @Option(help: "A status name.") var status: String?
            @Option(help: "0 to 100.") var done: Int?
            @Option var lockVersion: Int?
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let (id, subject, status, done, lockVersion) = (id, subject, status, done, lockVersion)
                let edit = WorkPackageEdit(lockVersion: lockVersion, subject: subject, status: status, percentageDone: done)
                let changed = WorkPackageLine(try await openProject.platform.call { hub, record throws(PlatformServiceError) in
                    try await hub.openProject.changeWorkPackage(record, id, edit)
                })
                try output.print(changed) { changed.text }
            }
        }

        struct Relate: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Relate a work package to another (relates, blocks, precedes, follows, duplicates…).")
            @OptionGroup var openProject: AccountOptions
            @Argument var id: Int
            @Option var to: Int
            @Option var type = "relates"

            func run() async throws {
                let (id, to, type) = (id, to, type)
                let relation = try await openProject.call { client throws(PlatformError) in try await client.relate(id, to: to, type: type) }
                StandardOutput.write(Array("\(relation.id)\n".utf8))
            }
        }

        struct Attach: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Attach a local file to a work package.")
            @OptionGroup var openProject: AccountOptions
            @Argument var id: Int
            @Argument(help: "The local file.") var file: String
            @Option(help: "Its media type.") var contentType = "application/octet-stream"

            func run() async throws {
                let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
                let (id, name, type) = (id, URL(fileURLWithPath: file).lastPathComponent, contentType)
                let attachment = try await openProject.call { client throws(PlatformError) in
                    try await client.attach(to: id, fileName: name, contentType: type, bytes: bytes)
                }
                StandardOutput.write(Array("\(attachment.id)\t\(attachment.fileName)\n".utf8))
            }
        }

        struct Comment: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Comment on a work package.")
            @OptionGroup var openProject: AccountOptions
            @Argument var id: Int
            @Argument var text: String

            func run() async throws {
                let (id, text) = (id, text)
                _ = try await openProject.call { client throws(PlatformError) in try await client.comment(on: id, text) }
            }
        }
    }

    struct Versions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A project's versions: list, create.", subcommands: [List.self, Create.self])

        struct List: AsyncParsableCommand {
            @OptionGroup var openProject: AccountOptions
            @Option var project: Int
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let project = project
                let versions = try await openProject.call { client throws(PlatformError) in try await client.versions(of: project) }.map(VersionLine.init)
                try output.print(versions) { versions.map { "\($0.id)\t\($0.name)\t\($0.status)\t\($0.endDate ?? "-")" }.joined(separator: "\n") }
            }
        }

        struct Create: AsyncParsableCommand {
            @OptionGroup var openProject: AccountOptions
            @Argument var name: String
            @Option var project: Int
            @Option(help: "YYYY-MM-DD.") var start: String?
            @Option(help: "YYYY-MM-DD.") var end: String?

            func run() async throws {
                let (name, project, start, end) = (name, project, start, end)
                let version = try await openProject.call { client throws(PlatformError) in
                    try await client.createVersion(in: project, name: name, startDate: start, endDate: end)
                }
                StandardOutput.write(Array("\(version.id)\n".utf8))
            }
        }
    }

    struct Time: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Time: log.", subcommands: [Log.self])

        struct Log: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Log hours on a work package.")
            @OptionGroup var openProject: AccountOptions
            @Option var workPackage: Int
            @Option(help: "Hours, such as 1.5.") var hours: Double
            @Option(help: "The day (YYYY-MM-DD); today when left out.") var on: String?
            @Option var comment = ""
            @OptionGroup var output: OutputOptions

            func validate() throws {
                guard hours > 0, hours <= 24 else { throw ValidationError("--hours is more than 0 and at most 24") }
            }

            func run() async throws {
                let (workPackage, hours, on, comment) = (workPackage, hours, on, comment)
                let entry = try await openProject.platform.call { hub, record throws(PlatformServiceError) in
                    try await hub.openProject.logTime(record, workPackage: workPackage, hours: hours, spentOn: on, comment: comment)
                }
                let line = TimeLine(id: entry.id, workPackage: entry.workPackage?.id, hours: entry.hours, spentOn: entry.spentOn)
                try output.print(line) { "\(line.id)\t\(line.hours) h\t\(line.spentOn)" }
            }
        }
    }

    struct VersionLine: Encodable {
        var id: Int
        var name: String
        var status: String
        var endDate: String?

        init(_ version: OpenProjectVersion) {
            (id, name, status, endDate) = (version.id, version.name, version.status, version.endDate)
        }
    }

    struct ProjectLine: Encodable {
        var id: Int
        var identifier: String
        var name: String
        var active: Bool

        init(_ project: OpenProjectProject) {
            (id, identifier, name, active) = (project.id, project.identifier, project.name, project.active)
        }
    }

    struct WorkPackageLine: Encodable {
        var id: Int
        var subject: String
        var type: String?
        var status: String?
        var project: Int?
        var lockVersion: Int

        init(_ package: OpenProjectWorkPackage) {
            (id, subject, type, status, project, lockVersion) = (package.id, package.subject, package.type.title, package.status.title, package.project.id,
                                                                  package.lockVersion)
        }

        var text: String { "\(id)\t\(type ?? "-")\t\(status ?? "-")\t\(subject)" }
    }

    struct TimeLine: Encodable {
        var id: Int
        var workPackage: Int?
        var hours: Double
        var spentOn: String
    }
}
