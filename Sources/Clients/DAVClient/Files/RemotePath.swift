import DAVXML
import Foundation

/// A path below an account's files root as a client names it (`Leitlinien/2026/Übersicht.pdf`),
/// checked so that it cannot leave the root: no `..`, no control characters, bounded
/// segments. It becomes an href only through ``href(under:folder:)``, each segment
/// percent-encoded, so nothing in a name can add a query, a fragment or another segment.
public struct RemotePath: Sendable, Hashable, CustomStringConvertible {
    /// Why a path was refused.
    public struct Invalid: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// The names from the root down; empty for the root itself.
    public let segments: [String]

    /// The longest name of one file or folder, in bytes (what common file systems allow).
    public static let maxSegmentBytes = 255
    /// The longest path, in bytes.
    public static let maxPathBytes = 4096

    /// Reads `a/b/c` (leading, trailing and doubled slashes and `.` segments ignored).
    public init(_ text: String) throws(Invalid) {
        guard text.utf8.count <= Self.maxPathBytes else { throw Invalid(description: "longer than \(Self.maxPathBytes) bytes") }
        var segments: [String] = []
        for piece in text.split(separator: "/", omittingEmptySubsequences: true) where piece != "." {
            guard piece != ".." else { throw Invalid(description: "\"..\" would leave the account's files") }
            guard piece.utf8.count <= Self.maxSegmentBytes else { throw Invalid(description: "a name longer than \(Self.maxSegmentBytes) bytes") }
            guard !piece.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "\\" }) else {
                throw Invalid(description: "control characters and backslashes are refused in names")
            }
            segments.append(String(piece))
        }
        self.segments = segments
    }

    private init(segments: [String]) {
        self.segments = segments
    }

    /// The root.
    public static let root = RemotePath(segments: [])

    public var description: String { segments.joined(separator: "/") }
    /// The last name (the root's is empty).
    public var name: String { segments.last ?? "" }
    /// The folder it is in (the root's is the root).
    public var parent: RemotePath { RemotePath(segments: Array(segments.dropLast())) }

    /// A path below this one.
    public func appending(_ name: String) throws(Invalid) -> RemotePath {
        let child = try RemotePath(name)
        return RemotePath(segments: segments + child.segments)
    }

    /// The href under `root` (an href ending in `/`), each name percent-encoded; folders end in `/`.
    public func href(under root: String, folder: Bool) -> String {
        let base = root.hasSuffix("/") ? root : root + "/"
        let encoded = segments.map { $0.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? $0 }.joined(separator: "/")
        return base + encoded + (folder && !segments.isEmpty ? "/" : "")
    }

    /// The path of `href` (as the client's listings write it) below `root`; `nil` when it is
    /// not below it.
    public static func relative(_ href: String, to root: String) -> RemotePath? {
        let base = DAVClient.canonicalHref(root.hasSuffix("/") ? root : root + "/")
        let target = DAVClient.canonicalHref(href)
        guard target.hasPrefix(base) || target + "/" == base else { return nil }
        let rest = target.dropFirst(min(base.count, target.count))
        let names = rest.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
        return RemotePath(segments: names)
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}

extension DAVClient {
    /// The folder holding `user`'s files on a server that keeps them apart from calendars:
    /// Nextcloud's (and ownCloud's) `remote.php/dav/files/USER/`, under the URL's path or at
    /// the root; with `orServerURL`, else the URL itself when it is a WebDAV collection (a
    /// plain file server). `nil` when there is none.
    public func filesRoot(user: String, orServerURL: Bool) async throws(DAVError) -> String? {
        let path = baseURL.path(percentEncoded: true)
        let folder = path.hasSuffix("/") ? path : path + "/"
        let encodedUser = user.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? user
        var candidates: [String] = []
        if folder != "/" { candidates.append(folder + "remote.php/dav/files/\(encodedUser)/") }
        candidates.append("/remote.php/dav/files/\(encodedUser)/")
        if orServerURL { candidates.append(folder) }
        for candidate in candidates {
            do throws(DAVError) {
                let entry = try await stat(candidate)
                if entry.isFolder { return Self.canonicalHref(candidate) }
            } catch {
                if [.unauthorized, .circuitOpen, .cancelled, .destinationRefused].contains(error.code) { throw error }
            }
        }
        return nil
    }
}
