public import Foundation

/// The corpus of real iCalendar and vCard files kept with the tests (`Tests/Data/corpus`,
/// see its NOTICE), or the folder named by `SWITCHBOARD_CORPUS`.
public enum Corpus {
    /// The corpus folder.
    public static let root: URL = {
        if let path = ProcessInfo.processInfo.environment["SWITCHBOARD_CORPUS"] {
            return URL(fileURLWithPath: path)
        }
        return ChildProcess.repositoryRoot.appendingPathComponent("Tests/Data/corpus")
    }()

    /// Paths relative to ``root`` of every file whose name ends in one of `suffixes`,
    /// sorted.
    public static func files(endingIn suffixes: [String], under folder: String = "") -> [String] {
        let base = folder.isEmpty ? root : root.appendingPathComponent(folder)
        guard let enumerator = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else {
            return []
        }
        var result: [String] = []
        let prefix = root.standardizedFileURL.path + "/"
        for case let url as URL in enumerator where suffixes.contains(where: { url.lastPathComponent.hasSuffix($0) }) {
            result.append(String(url.standardizedFileURL.path.dropFirst(prefix.count)))
        }
        return result.sorted()
    }

    /// The bytes of a corpus file.
    public static func bytes(_ relativePath: String) throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent(relativePath)))
    }
}

/// A small seeded generator (SplitMix64) so that property tests are reproducible.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator from a seed.
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Inputs a fuzzer once failed on, kept beside a test target in `Regressions/`.
public enum Regressions {
    /// The paths of the regression inputs in the `Regressions` folder next to `testFile`.
    public static func files(besides testFile: String = #filePath) -> [String] {
        let folder = URL(fileURLWithPath: testFile).deletingLastPathComponent().appendingPathComponent("Regressions")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().map { folder.appendingPathComponent($0).path }
    }
}
