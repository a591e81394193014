public import ArgumentParser

/// The `switchboard` command tree. Each subcommand is a thin shell around a library.
public struct Switchboard: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "Work with self-hosted groupware: calendars, contacts, files and their knowledge indexes, mail.",
        subcommands: [
            ICSCommand.self, VCardCommand.self, DAVCommand.self, CalendarsCommand.self, EventsCommand.self, ContactsCommand.self,
            AccountCommand.self, SyncCommand.self, ResourcesCommand.self, FreeBusyCommand.self, SlotsCommand.self, BookCommand.self,
            BookingsCommand.self, ConflictsCommand.self, BenchCommand.self, ServeCommand.self, TenantsCommand.self, KeysCommand.self,
            MailCommand.self, FilesCommand.self, IndexCommand.self, SearchCommand.self, NextcloudCommand.self, OpenProjectCommand.self, ZulipCommand.self, WorkspaceCommand.self,
        ]
    )

    public init() {}
}
