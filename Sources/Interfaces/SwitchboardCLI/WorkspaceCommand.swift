import ArgumentParser
import Foundation
import SwitchboardCore
import SwitchboardStore

/// `switchboard workspace`: a group with a shared folder on Nextcloud, a project on
/// OpenProject and a stream on Zulip for one team, made and archived as one.
struct WorkspaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspace", abstract: "Workspaces across Nextcloud, OpenProject and Zulip: create (or resume), show, list, archive.",
        subcommands: [Create.self, Show.self, List.self, Archive.self])

    struct Options: ParsableArguments {
        @Option(help: "A PEM file of certificates to trust besides the system's.") var caFile: String?
        @OptionGroup var store: StoreOptions
        @OptionGroup var network: NetworkOptions

        /// Runs `body` with the hub and the store; a workspace error is printed and exits with 1.
        func run<Value: Sendable>(_ body: (Hub, SQLStore) async throws -> Value) async throws -> Value {
            let policy = try network.policy()
            return try await store.withStore { store, secrets in
                try await withHub(store: store, secrets: secrets, caFile: caFile, policy: policy, reporting: WorkspaceError.self) { hub in
                    try await body(hub, store)
                }
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a workspace, printing each step as it is done; run again after a failure to resume where it stopped.")
        @Argument var name: String
        @Option(name: .customLong("member"), help: "A member's email address; repeat.") var members: [String] = []
        @Option(help: "A Nextcloud account (its name): a group and a folder shared with it.") var nextcloud: String?
        @Option(help: "An OpenProject account: a project with the members.") var openproject: String?
        @Option(help: "A Zulip account: a private stream with the members.") var zulip: String?
        @OptionGroup var options: Options

        func run() async throws {
            let (name, members, nextcloud, openproject, zulip) = (name, members, nextcloud, openproject, zulip)
            let workspace = try await options.run { hub, store in
                let accounts = try await store.accounts()
                func account(_ accountName: String?) throws -> AccountRecord? {
                    guard let accountName else { return nil }
                    guard let found = accounts.first(where: { $0.name == accountName }) else { throw ValidationError("no account named \(accountName)") }
                    return found
                }
                let request = WorkspaceRequest(storedName: name, members: members, nextcloud: try account(nextcloud), openProject: try account(openproject),
                                               zulip: try account(zulip))
                return try await hub.workspaces.create(request, tenantID: nil) { step in StandardOutput.write(Array(WorkspaceCommand.line(step).utf8)) }
            }
            StandardOutput.write(Array("\(workspace.name): \(workspace.state.rawValue)\n".utf8))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A workspace's state and every step's.")
        @Argument var name: String
        @OptionGroup var options: Options
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let name = name
            let workspace = try await options.run { hub, _ in try await hub.workspaces.workspace(name, tenantID: nil) }
            try output.print(workspace) { "\(workspace.name): \(workspace.state.rawValue)\n" + workspace.steps.map(WorkspaceCommand.line).joined() }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every workspace and its state.")
        @OptionGroup var options: Options

        func run() async throws {
            let workspaces = try await options.run { hub, _ in try await hub.workspaces.list(tenantID: nil) }
            StandardOutput.write(Array(workspaces.map { "\($0.name)\t\($0.state.rawValue)\t\($0.members.joined(separator: ","))\n" }.joined().utf8))
        }
    }

    struct Archive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Undo a workspace's steps in reverse: what it made is removed (projects and streams archived), what it found is left.")
        @Argument var name: String
        @OptionGroup var options: Options

        func run() async throws {
            let name = name
            let workspace = try await options.run { hub, _ in
                try await hub.workspaces.archive(try await hub.workspaces.workspace(name, tenantID: nil)) { step in
                    StandardOutput.write(Array(WorkspaceCommand.line(step).utf8))
                }
            }
            StandardOutput.write(Array("\(workspace.name): \(workspace.state.rawValue)\n".utf8))
        }
    }

    /// A step as a line: its name, status, what it made or found, and its note.
    static func line(_ step: WorkspaceStepRecord) -> String {
        var line = "\(step.name)\t\(step.status.rawValue)"
        if let resource = step.resource, !resource.isEmpty { line += "\t\(resource)\(step.createdHere ? "" : " (found)")" }
        if let note = step.note { line += "\t\(note)" }
        return line + "\n"
    }
}
