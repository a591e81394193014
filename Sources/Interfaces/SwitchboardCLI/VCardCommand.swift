import ArgumentParser
import ContentLines
import VCard

/// `switchboard vcard …`: vCard files.
struct VCardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vcard",
        abstract: "Validate and normalize vCard (RFC 6350, RFC 2426) files.",
        subcommands: [Validate.self, Normalize.self]
    )

    /// Parses the input, reporting warnings and errors on standard error.
    static func parse(_ input: InputOptions) throws -> ParsedVCards {
        try InputFile.parse(input.file) { (bytes) throws(ParseError) in
            let parsed = try VCardParser(options: .init(strict: input.strict)).parse(bytes)
            return (parsed, parsed.warnings)
        }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that a file parses; print repairs as warnings and a summary line.",
            discussion: "Exit status 0 when the file parses, 1 when it does not."
        )

        @OptionGroup var input: InputOptions

        func run() async throws {
            let parsed = try VCardCommand.parse(input)
            let versions = Dictionary(grouping: parsed.cards, by: \.version).mapValues(\.count)
            let groups = ContactGroups.collect(from: parsed.cards).count
            print(
                "cards=\(parsed.cards.count) v2.1=\(versions[.v2_1] ?? 0) v3.0=\(versions[.v3] ?? 0) "
                    + "v4.0=\(versions[.v4] ?? 0) groups=\(groups) warnings=\(parsed.warnings.count)")
        }
    }

    struct Normalize: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Parse a file and write it back: CRLF, folded at 75 octets, repairs applied."
        )

        @OptionGroup var input: InputOptions

        @Option(help: "Convert every card to this version (3.0 or 4.0).")
        var to: String?

        func validate() throws {
            if let to, ![VCardVersion.v3.rawValue, VCardVersion.v4.rawValue].contains(to) {
                throw ValidationError("--to takes 3.0 or 4.0")
            }
        }

        func run() async throws {
            var cards = try VCardCommand.parse(input).cards
            if let target = to.flatMap(VCardVersion.init(rawValue:)) {
                cards = cards.map { $0.converted(to: target) }
            }
            StandardOutput.write(VCardSerializer().serialize(cards))
        }
    }
}
