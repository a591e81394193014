import ArgumentParser
import ContentLines
import DAVClient
import DAVXML
import Foundation
import ICalendar
import VCard

/// `switchboard calendars list`.
struct CalendarsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendars", abstract: "The user's calendars.", subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List calendars with their properties (discovered from --server).")

        @OptionGroup var server: ServerOptions

        func run() async throws {
            let calendars = try await server.withClient { client in
                var calendars: [CollectionSummary] = []
                for home in try await client.discover().calendarHomes {
                    calendars += try await client.collections(in: home).filter { $0.kind.contains(.calendar) }.map(CollectionSummary.init)
                }
                return calendars
            }
            try server.print(calendars) { calendars.map(\.line).joined(separator: "\n") }
        }
    }
}

/// `switchboard events list|get|put|delete`.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Calendar objects on a CalDAV server.",
        subcommands: [List.self, Get.self, Put.self, Delete.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Events overlapping a time range (recurring events by their occurrences).")

        @OptionGroup var server: ServerOptions
        @Option(help: "The calendar's href.") var calendar: String
        @Option(help: "Start of the range (2026-03-01, 2026-03-01T09:00:00Z…).") var from: CommandLineDate?
        @Option(help: "End of the range.") var to: CommandLineDate?

        func run() async throws {
            let objects = try await server.withClient { client in
                try await client.calendarObjects(in: calendar, from: from?.date ?? (to == nil ? nil : Date.distantPast), to: to?.date)
            }
            try ObjectOutput.list(objects, flavor: .calendar, server: server)
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print one object (its iCalendar text, or JSON with its ETag).")
        @OptionGroup var server: ServerOptions
        @Argument(help: "The object's href.") var href: String

        func run() async throws { try await ObjectOutput.get(href, server: server) }
    }

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store an iCalendar file: a new object in --calendar (never overwriting), or --href with --etag to replace one.",
            discussion: "Prints the object's href and new ETag.")
        @OptionGroup var server: ServerOptions
        @Option(help: "The calendar's href, for a new object.") var calendar: String?
        @OptionGroup var target: ReplaceOptions
        @Argument(help: "The iCalendar file ('-' for standard input).") var file: String

        func run() async throws {
            let bytes = try InputFile.read(file)
            let uid = try InputFile.parse(file) { (bytes) throws(ParseError) in
                let parsed = try ICalendarParser().parse(bytes)
                return (parsed.components.flatMap(\.components).compactMap(\.uid).first, parsed.warnings)
            }
            try await ObjectOutput.put(bytes, uid: uid, flavor: .calendar, collection: calendar, target: target, server: server)
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an object; with --etag only if it is unchanged.")
        @OptionGroup var server: ServerOptions
        @Argument(help: "The object's href.") var href: String
        @Option(help: "Delete only if the object still has this ETag.") var etag: String?

        func run() async throws { try await ObjectOutput.delete(href, etag: etag, server: server) }
    }
}

/// `switchboard contacts list|get|put|delete`.
struct ContactsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contacts", abstract: "vCards on a CardDAV server.",
        subcommands: [List.self, EventsCommand.Get.self, Put.self, EventsCommand.Delete.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cards in an address book, all or those matching --match.")
        @OptionGroup var server: ServerOptions
        @Option(help: "The address book's href.") var addressbook: String
        @Option(help: "Only cards whose name (FN) contains this text.") var match: String?

        func run() async throws {
            let objects = try await server.withClient { client in
                try await client.contacts(in: addressbook, matching: match.map { (property: "FN", text: $0, equals: false) })
            }
            try ObjectOutput.list(objects, flavor: .addressBook, server: server)
        }
    }

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store a vCard file: a new card in --addressbook (never overwriting), or --href with --etag to replace one.",
            discussion: "Prints the card's href and new ETag.")
        @OptionGroup var server: ServerOptions
        @Option(help: "The address book's href, for a new card.") var addressbook: String?
        @OptionGroup var target: ReplaceOptions
        @Argument(help: "The vCard file ('-' for standard input).") var file: String

        func run() async throws {
            let bytes = try InputFile.read(file)
            let uid = try InputFile.parse(file) { (bytes) throws(ParseError) in
                let parsed = try VCardParser().parse(bytes)
                return (parsed.cards.compactMap(\.uid).first, parsed.warnings)
            }
            try await ObjectOutput.put(bytes, uid: uid, flavor: .addressBook, collection: addressbook, target: target, server: server)
        }
    }
}

/// `--href`/`--etag` for replacing an existing object.
struct ReplaceOptions: ParsableArguments {
    @Option(help: "Replace the object at this href instead of creating one.") var href: String?
    @Option(help: "With --href: replace only if the object still has this ETag.") var etag: String?
}

/// What the object commands print, shared by events and contacts.
enum ObjectOutput {
    struct Listed: Encodable {
        var href: String
        var etag: String?
        var uid: String?
        var summary: String?
        var data: String?
    }

    static func list(_ objects: [DAVObject], flavor: ObjectFlavor, server: ServerOptions) throws {
        let listed = objects.map { object in
            let (uid, summary) = describe(object.data, flavor: flavor)
            return Listed(href: object.href, etag: object.etag, uid: uid, summary: summary, data: object.data)
        }
        try server.print(listed) {
            listed.map { [$0.href, $0.etag ?? "-", $0.uid ?? "-", $0.summary ?? "-"].joined(separator: "\t") }.joined(separator: "\n")
        }
    }

    static func get(_ href: String, server: ServerOptions) async throws {
        let resource = try await server.withClient { try await $0.get(href) }
        if server.output.json {
            try server.print(Listed(href: href, etag: resource.etag, data: String(decoding: resource.body, as: UTF8.self))) { "" }
        } else {
            StandardOutput.write(resource.body)
        }
    }

    struct Stored: Encodable {
        var href: String
        var etag: String?
    }

    static func put(
        _ bytes: [UInt8], uid: String?, flavor: ObjectFlavor, collection: String?, target: ReplaceOptions, server: ServerOptions
    ) async throws {
        let data = String(decoding: bytes, as: UTF8.self)
        let stored = try await server.withClient { client in
            if let href = target.href {
                return try await client.updateObject(flavor, at: href, data: data, etag: target.etag)
            }
            guard let collection else { throw ValidationError("pass the collection to create in, or --href to replace") }
            guard let uid else { throw ValidationError("the file has no UID") }
            return try await client.createObject(flavor, in: collection, data: data, uid: uid)
        }
        try server.print(Stored(href: stored.href, etag: stored.etag)) { "\(stored.href)\t\(stored.etag ?? "-")" }
    }

    static func delete(_ href: String, etag: String?, server: ServerOptions) async throws {
        try await server.withClient { try await $0.delete(href, etag: etag) }
        try server.print(Stored(href: href, etag: nil)) { "deleted \(href)" }
    }

    /// The UID and a one-line summary (SUMMARY or FN) of an object's text.
    private static func describe(_ data: String?, flavor: ObjectFlavor) -> (uid: String?, summary: String?) {
        guard let data else { return (nil, nil) }
        switch flavor {
        case .calendar:
            let component = (try? ICalendarParser().parse(Array(data.utf8)))?.components.flatMap(\.components).first { $0.uid != nil }
            return (component?.uid, component?.property("SUMMARY").map { TextValue.unescape($0.value) })
        case .addressBook:
            let card = (try? VCardParser().parse(Array(data.utf8)))?.cards.first
            return (card?.uid, card?.formattedName)
        }
    }
}
