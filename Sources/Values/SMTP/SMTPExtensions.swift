/// What a server offers in its EHLO reply (RFC 5321 §4.1.1.1): the keywords, with the
/// parameters of those that carry some.
public struct SMTPExtensions: Sendable, Hashable {
    /// Keyword (upper-cased) to its parameters.
    public var keywords: [String: [String]]

    public init(keywords: [String: [String]] = [:]) {
        self.keywords = keywords
    }

    /// The extensions in an EHLO reply; its first line is the greeting and is skipped.
    ///
    ///     ehlo-line = ehlo-keyword *( SP ehlo-param )
    public init(ehloReply: SMTPReply) {
        var keywords: [String: [String]] = [:]
        for line in ehloReply.lines.dropFirst() {
            let words = line.split(separator: " ").map(String.init)
            guard let keyword = words.first else { continue }
            keywords[keyword.uppercased()] = Array(words.dropFirst())
        }
        self.keywords = keywords
    }

    public func offers(_ keyword: String) -> Bool { keywords[keyword.uppercased()] != nil }

    public var startTLS: Bool { offers("STARTTLS") }
    public var pipelining: Bool { offers("PIPELINING") }
    public var eightBitMIME: Bool { offers("8BITMIME") }
    public var smtpUTF8: Bool { offers("SMTPUTF8") }
    public var enhancedStatusCodes: Bool { offers("ENHANCEDSTATUSCODES") }

    /// The largest message the server takes (RFC 1870), when it says; `SIZE 0` means no
    /// fixed limit.
    public var maximumSize: Int? {
        guard let size = keywords["SIZE"]?.first.flatMap({ Int($0) }), size > 0 else { return nil }
        return size
    }

    /// The SASL mechanisms offered, upper-cased.
    public var authMechanisms: Set<String> { Set((keywords["AUTH"] ?? []).map { $0.uppercased() }) }
}
