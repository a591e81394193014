import HTTPTransport
import Accounts
import ArgumentParser
import Foundation
import NextcloudOCS
import SwitchboardCore
import SwitchboardStore

/// `switchboard nextcloud`: users, groups and shares of a Nextcloud account's server.
struct NextcloudCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nextcloud", abstract: "Users, groups and shares on a Nextcloud (the account needs an administrator's app password to provision).",
        subcommands: [Users.self, Groups.self, Shares.self, Sharees.self])

    /// The Nextcloud account a command works on.
    struct AccountOptions: ParsableArguments {
        @OptionGroup var platform: PlatformAccountOptions

        /// Runs `operation` against the account's server; a Nextcloud error is printed and exits with 1.
        func call<Value: Sendable>(_ operation: (OCSClient) async throws(PlatformError) -> Value) async throws -> Value {
            try await platform.call { hub, record throws(PlatformServiceError) in try await hub.nextcloud.call(record, operation) }
        }
    }

    struct Users: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Users: list, show, create, edit, enable, disable, delete.",
                                                        subcommands: [List.self, Show.self, Create.self, Edit.self, Enable.self, Disable.self, Delete.self])

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "The user ids (all pages), those matching --search.")
            @OptionGroup var nextcloud: AccountOptions
            @Option(help: "Only users whose id, name or email contains this.") var search = ""
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let search = search
                let users = try await nextcloud.call { ocs throws(PlatformError) in try await ocs.allUsers(search: search) }
                try output.print(users) { users.joined(separator: "\n") }
            }
        }

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "A user's name, email, groups, quota and state.")
            @OptionGroup var nextcloud: AccountOptions
            @Argument var userID: String
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let userID = userID
                let user = UserLine(try await nextcloud.call { ocs throws(PlatformError) in try await ocs.user(userID) })
                try output.print(user) {
                    "\(user.id)\t\(user.displayName)\t\(user.email ?? "-")\t\(user.enabled ? "enabled" : "disabled")\t\(user.groups.joined(separator: ","))"
                }
            }
        }

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Create a user; without --password-file Nextcloud mails the user a link to set one (then --email is needed).")
            @OptionGroup var nextcloud: AccountOptions
            @Argument var userID: String
            @Option var email = ""
            @Option var displayName = ""
            @Option(name: .customLong("group"), help: "A group to add the user to; repeat.") var groups: [String] = []
            @Option(help: "A quota such as '5 GB'.") var quota = ""
            @Option var language = ""
            @Option(help: "A file whose first line is the password.") var passwordFile: String?

            func run() async throws {
                let password = try passwordFile.map { try ServerOptions.password(file: $0) } ?? ""
                let user = NewNextcloudUser(id: userID, password: password, displayName: displayName, email: email, groups: groups, quota: quota,
                                            language: language)
                print(try await nextcloud.call { ocs throws(PlatformError) in try await ocs.createUser(user) })
            }
        }

        struct Edit: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Set one field of a user.")
            @OptionGroup var nextcloud: AccountOptions
            @Argument var userID: String
            @Argument(help: "displayname, email, password, quota, language or locale.", transform: { text in
                guard let field = NextcloudUserField(rawValue: text) else {
                    throw ValidationError("the field is one of \(NextcloudUserField.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return field
            })
            var field: NextcloudUserField
            @Argument var value: String

            func run() async throws {
                let (userID, field, value) = (userID, field, value)
                try await nextcloud.call { ocs throws(PlatformError) in try await ocs.editUser(userID, field, to: value) }
            }
        }

        struct Enable: AsyncParsableCommand {
            @OptionGroup var nextcloud: AccountOptions
            @Argument var userID: String
            func run() async throws {
                let userID = userID
                try await nextcloud.call { ocs throws(PlatformError) in try await ocs.setUser(userID, enabled: true) }
            }
        }

        struct Disable: AsyncParsableCommand {
            @OptionGroup var nextcloud: AccountOptions
            @Argument var userID: String
            func run() async throws {
                let userID = userID
                try await nextcloud.call { ocs throws(PlatformError) in try await ocs.setUser(userID, enabled: false) }
            }
        }

        struct Delete: AsyncParsableCommand {
            @OptionGroup var nextcloud: AccountOptions
            @Argument var userID: String
            func run() async throws {
                let userID = userID
                try await nextcloud.call { ocs throws(PlatformError) in try await ocs.deleteUser(userID) }
            }
        }
    }

    struct Groups: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Groups: list, create, delete, members.",
                                                        subcommands: [List.self, Create.self, Delete.self, Members.self])

        struct List: AsyncParsableCommand {
            @OptionGroup var nextcloud: AccountOptions
            @Option(help: "Only groups whose id contains this.") var search = ""
            @OptionGroup var output: OutputOptions
            func run() async throws {
                let search = search
                let groups = try await nextcloud.call { ocs throws(PlatformError) in try await ocs.groups(search: search) }
                try output.print(groups) { groups.joined(separator: "\n") }
            }
        }

        struct Create: AsyncParsableCommand {
            @OptionGroup var nextcloud: AccountOptions
            @Argument var groupID: String
            @Option var displayName = ""
            func run() async throws {
                let (groupID, displayName) = (groupID, displayName)
                try await nextcloud.call { ocs throws(PlatformError) in try await ocs.createGroup(groupID, displayName: displayName) }
            }
        }

        struct Delete: AsyncParsableCommand {
            @OptionGroup var nextcloud: AccountOptions
            @Argument var groupID: String
            func run() async throws {
                let groupID = groupID
                try await nextcloud.call { ocs throws(PlatformError) in try await ocs.deleteGroup(groupID) }
            }
        }

        struct Members: AsyncParsableCommand {
            @OptionGroup var nextcloud: AccountOptions
            @Argument var groupID: String
            @OptionGroup var output: OutputOptions
            func run() async throws {
                let groupID = groupID
                let members = try await nextcloud.call { ocs throws(PlatformError) in try await ocs.members(ofGroup: groupID) }
                try output.print(members) { members.joined(separator: "\n") }
            }
        }
    }

    struct Shares: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Shares of the account's files: create, list, delete.",
                                                        subcommands: [Create.self, List.self, Delete.self])

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Share a file or folder with a user, a group, an email address or by public link.")
            @OptionGroup var nextcloud: AccountOptions
            @Argument(help: "The path below the account's files.") var path: String
            @Option var user: String?
            @Option var group: String?
            @Option var email: String?
            @Flag(help: "A public link.") var `public` = false
            @Option(help: "Permission bits: 1 read, 2 update, 4 create, 8 delete, 16 share (default: the server's).") var permissions: Int?
            @Option(help: "YYYY-MM-DD.") var expires: String?
            @Option(help: "A file whose first line is the link's password.") var passwordFile: String?
            @Option var label = ""
            @Option var note = ""
            @OptionGroup var output: OutputOptions

            func validate() throws {
                guard [user != nil, group != nil, email != nil, `public`].filter({ $0 }).count == 1 else {
                    throw ValidationError("give one of --user, --group, --email or --public")
                }
                if let expires, expires.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) == nil { throw ValidationError("--expires is YYYY-MM-DD") }
            }

            func run() async throws {
                let kind: ShareKind = if let user { .user(user) } else if let group { .group(group) } else if let email { .email(email) } else { .publicLink }
                let share = NewNextcloudShare(path: path, kind: kind, permissions: permissions.map(SharePermissions.init(rawValue:)),
                                              password: try passwordFile.map { try ServerOptions.password(file: $0) } ?? "", expires: expires, label: label, note: note)
                let made = ShareLine(try await nextcloud.call { ocs throws(PlatformError) in try await ocs.createShare(share) })
                try output.print(made) { made.text }
            }
        }

        struct List: AsyncParsableCommand {
            @OptionGroup var nextcloud: AccountOptions
            @Option(help: "Only the shares of this path.") var path: String?
            @OptionGroup var output: OutputOptions
            func run() async throws {
                let path = path
                let shares = try await nextcloud.call { ocs throws(PlatformError) in try await ocs.shares(path: path) }.map(ShareLine.init)
                try output.print(shares) { shares.map(\.text).joined(separator: "\n") }
            }
        }

        struct Delete: AsyncParsableCommand {
            @OptionGroup var nextcloud: AccountOptions
            @Argument var shareID: String
            func run() async throws {
                let shareID = shareID
                try await nextcloud.call { ocs throws(PlatformError) in try await ocs.deleteShare(shareID) }
            }
        }
    }

    struct Sharees: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Users, groups and addresses to share with whose name or id matches SEARCH, exact matches first.")
        @OptionGroup var nextcloud: AccountOptions
        @Argument var search: String
        @OptionGroup var output: OutputOptions

        /// A sharee as `--json` prints it.
        struct Line: Encodable {
            var label: String
            var type: String
            var with: String
            var exact: Bool
        }

        func run() async throws {
            let search = search
            let found = try await nextcloud.call { ocs throws(PlatformError) in try await ocs.sharees(search: search) }.map { sharee in
                Line(label: sharee.label, type: sharee.typeName, with: sharee.shareWith, exact: sharee.exact)
            }
            try output.print(found) { found.map { "\($0.type)\t\($0.with)\t\($0.label)\($0.exact ? "\texact" : "")" }.joined(separator: "\n") }
        }
    }

    /// A user as `--json` prints it.
    struct UserLine: Encodable {
        var id: String
        var displayName: String
        var email: String?
        var enabled: Bool
        var groups: [String]
        var language: String
        var quotaBytes: Int64?
        var usedBytes: Int64?

        init(_ user: NextcloudUser) {
            (id, displayName, email, enabled, groups, language) = (user.id, user.displayName, user.email, user.enabled, user.groups, user.language)
            (quotaBytes, usedBytes) = (user.quota.quota, user.quota.used)
        }
    }

    /// A share as `--json` prints it.
    struct ShareLine: Encodable {
        var id: String
        var type: String
        var with: String?
        var path: String?
        var permissions: Int
        var expires: String?
        var url: String?

        init(_ share: NextcloudShare) {
            id = share.id
            type = share.typeName
            (with, path, permissions, expires, url) = (share.shareWith, share.path, share.permissions, share.expiration, share.url)
        }

        var text: String { "\(id)\t\(type)\t\(with ?? url ?? "-")\t\(path ?? "")\t\(permissions)\t\(expires ?? "-")" }
    }
}
