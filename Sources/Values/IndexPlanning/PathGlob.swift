/// A glob on a path below an index root, as the operator writes it: `*` any run of characters
/// within one name, `**` any run of names (`docs/**/*.pdf`), `?` one character. A glob
/// without `/` matches the file's name at any depth (`*.pdf`), as in `.gitignore`. Letters
/// match either case (`*.pdf` takes `SCAN.PDF`).
public struct PathGlob: Sendable, Hashable, CustomStringConvertible {
    public let description: String
    private let pattern: [Character]
    private let matchesNameOnly: Bool

    /// The longest glob taken; longer ones are refused.
    public static let maxLength = 512

    /// `nil` for an empty glob or one longer than ``maxLength``.
    public init?(_ text: String) {
        guard !text.isEmpty, text.count <= Self.maxLength else { return nil }
        description = text
        let trimmed = text.hasPrefix("/") ? String(text.dropFirst()) : text
        matchesNameOnly = !trimmed.contains("/")
        pattern = Array(trimmed.lowercased())
    }

    public func matches(_ path: String) -> Bool {
        let subject = matchesNameOnly ? String(path.split(separator: "/").last ?? "") : path
        return Self.match(pattern[...], Array(subject.lowercased())[...])
    }

    /// Matching by dynamic programming over (pattern position, subject position): at most
    /// pattern × subject steps, whatever the stars (no exponential backtracking).
    private static func match(_ pattern: ArraySlice<Character>, _ subject: ArraySlice<Character>) -> Bool {
        let pattern = Array(pattern)
        let subject = Array(subject)
        // reachable[s]: the pattern so far can end just before subject[s].
        var reachable = [Bool](repeating: false, count: subject.count + 1)
        reachable[0] = true
        var p = 0
        while p < pattern.count {
            var next = [Bool](repeating: false, count: subject.count + 1)
            if pattern[p] == "*" {
                let double = p + 1 < pattern.count && pattern[p + 1] == "*"
                if double {
                    p += 2
                    // `**/` also matches no folder at all.
                    let slash = p < pattern.count && pattern[p] == "/"
                    var any = false
                    for s in 0...subject.count {
                        any = any || reachable[s]
                        // After `**/`: any run ending at a folder boundary, or nothing.
                        next[s] = slash ? reachable[s] || (any && s > 0 && subject[s - 1] == "/") : any
                    }
                    if slash { p += 1 }
                } else {
                    p += 1
                    var open = false
                    for s in 0...subject.count {
                        open = reachable[s] || (open && subject[s - 1] != "/")
                        next[s] = open
                    }
                }
            } else {
                for s in 0..<subject.count where reachable[s] {
                    if pattern[p] == "?" ? subject[s] != "/" : pattern[p] == subject[s] { next[s + 1] = true }
                }
                p += 1
            }
            reachable = next
        }
        return reachable[subject.count]
    }
}

/// Which files of a root an index reads: those the includes take (all when there are none)
/// and no exclude takes.
public struct FileSelection: Sendable, Hashable {
    public var includes: [PathGlob]
    public var excludes: [PathGlob]

    public init(includes: [PathGlob] = [], excludes: [PathGlob] = []) {
        self.includes = includes
        self.excludes = excludes
    }

    /// `path` is below the root (`guides/intro.pdf`).
    public func selects(_ path: String) -> Bool {
        guard !excludes.contains(where: { $0.matches(path) }) else { return false }
        return includes.isEmpty || includes.contains { $0.matches(path) }
    }
}
