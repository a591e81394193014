import DAVXML

/// What the index knew of one file after its last run.
public struct KnownFile: Sendable, Hashable {
    /// The path below the account's files.
    public var path: String
    public var etag: String?
    /// The server's stable id (Nextcloud's `oc:fileid`), when it has one.
    public var fileID: String?
    public var size: Int64?

    public init(path: String, etag: String?, fileID: String? = nil, size: Int64? = nil) {
        self.path = path
        self.etag = etag
        self.fileID = fileID
        self.size = size
    }
}

/// A file as a listing shows it now.
public struct ListedFile: Sendable, Hashable {
    public var path: String
    public var etag: String?
    public var fileID: String?
    public var size: Int64?
    /// Whether the account may still read it (Nextcloud's permissions; plain servers list
    /// only what may be read).
    public var readable: Bool

    public init(path: String, etag: String?, fileID: String? = nil, size: Int64? = nil, readable: Bool = true) {
        self.path = path
        self.etag = etag
        self.fileID = fileID
        self.size = size
        self.readable = readable
    }
}

/// What a run does to bring the index up to a listing: read the new and changed files, move
/// the chunks of files that only moved (a Nextcloud file id at a new path with the same
/// content), and remove the chunks of files that are gone or may no longer be read. A file
/// the listing does not cover (`covered` says which paths it does) is left as it is: a folder
/// not listed this time is not a folder emptied.
public struct CrawlPlan: Sendable, Hashable {
    public struct Move: Sendable, Hashable {
        public var from: String
        public var to: String
        /// The listing's entry at the new path (its ETag and size to record).
        public var file: ListedFile
    }

    public var read: [ListedFile] = []
    public var moves: [Move] = []
    public var remove: [String] = []
    public var unchanged = 0

    public var isEmpty: Bool { read.isEmpty && moves.isEmpty && remove.isEmpty }

    /// The plan from the known files to `listed`, for the paths `covered` accepts.
    public init(known: [KnownFile], listed: [ListedFile], covered: (String) -> Bool = { _ in true }) {
        let knownByPath = Dictionary(known.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let knownByID = Dictionary(known.compactMap { file in file.fileID.map { ($0, file) } }, uniquingKeysWith: { first, _ in first })
        let listedPaths = Set(listed.map(\.path))
        var claimed: Set<String> = []
        for file in listed {
            guard file.readable else { continue }
            if let before = knownByPath[file.path] {
                if EntityTag.same(before.etag, file.etag) && (before.fileID == nil || file.fileID == nil || before.fileID == file.fileID) {
                    unchanged += 1
                } else {
                    read.append(file)
                }
                continue
            }
            // New here: moved from a path that is gone, when the server's id says so.
            if let id = file.fileID, let before = knownByID[id], !listedPaths.contains(before.path), covered(before.path),
                claimed.insert(before.path).inserted {
                if EntityTag.same(before.etag, file.etag) {
                    moves.append(Move(from: before.path, to: file.path, file: file))
                } else {
                    remove.append(before.path)
                    read.append(file)
                }
                continue
            }
            read.append(file)
        }
        let unreadable = Set(listed.filter { !$0.readable }.map(\.path))
        for file in known where covered(file.path) && !claimed.contains(file.path) {
            if !listedPaths.contains(file.path) || unreadable.contains(file.path) { remove.append(file.path) }
        }
        read.sort { $0.path < $1.path }
        remove.sort()
    }
}

/// Which folders a crawl descends into: those whose ETag changed since the last run, where
/// the server changes a folder's ETag whenever anything below it changes (Nextcloud does;
/// plain Apache changes only the folder a file is in, WsgiDAV none — a run then lists the
/// tree whole). New folders are always entered; folders gone are reported so their files can
/// be removed.
public struct FolderDescent: Sendable, Hashable {
    public var enter: [String]
    public var skip: [String]
    public var gone: [String]

    /// `known`: each folder's ETag after the last run; `listed`: the folders listed now.
    public init(known: [String: String], listed: [String: String?]) {
        var enter: [String] = []
        var skip: [String] = []
        for (folder, etag) in listed {
            if let before = known[folder], EntityTag.same(before, etag) { skip.append(folder) } else { enter.append(folder) }
        }
        self.enter = enter.sorted()
        self.skip = skip.sorted()
        gone = known.keys.filter { listed[$0] == nil }.sorted()
    }
}

/// Whether a server changes a folder's ETag when anything below it changes (Nextcloud
/// does; Apache mod_dav changes only the folder a file is in; WsgiDAV gives folders none),
/// judged from what two full listings show rather than assumed from the server's name.
public enum ETagPropagation {
    /// `true` when every folder above each changed file (the root included) changed its
    /// ETag between the runs, `false` when one did not or folders have none, `nil` when the
    /// listings cannot tell: nothing changed below a sub-folder (a change in the root itself
    /// changes the root's ETag on every server), or there was no earlier run.
    ///
    /// Paths are below the files root; `root` is the index root (`""` for the files root),
    /// `changedFiles` the files read, moved or removed, `folders` each listed folder's ETag.
    public static func judge(root: String, rootBefore: String?, rootNow: String?, foldersBefore: [String: String],
                             foldersNow: [String: String?], changedFiles: [String]) -> Bool? {
        guard let rootNow else { return false }
        guard let rootBefore else { return nil }
        var judged = false
        for file in changedFiles {
            var ancestors = folders(above: file, below: root)
            guard !ancestors.isEmpty else { continue }
            ancestors.removeAll { foldersBefore[$0] == nil || foldersNow[$0] == nil }
            for folder in ancestors {
                guard let now = foldersNow[folder], let now else { return false }
                if EntityTag.same(foldersBefore[folder], now) { return false }
            }
            if EntityTag.same(rootBefore, rootNow) { return false }
            judged = true
        }
        return judged ? true : nil
    }

    /// The folders between `root` and `path`'s folder, innermost last (`a/b/c.txt` under `""`:
    /// `a`, `a/b`).
    static func folders(above path: String, below root: String) -> [String] {
        let names = path.split(separator: "/").dropLast()
        let rootDepth = root.split(separator: "/").count
        guard names.count > rootDepth else { return [] }
        return (rootDepth + 1...names.count).map { names.prefix($0).joined(separator: "/") }
    }
}
