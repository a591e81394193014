import ArgumentParser

/// `switchboard vcard …`: vCard files.
struct VCardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vcard",
        abstract: "Validate and normalize vCard (RFC 6350, RFC 2426) files."
    )
}
