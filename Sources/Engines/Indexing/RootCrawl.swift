import DAVClient
import DAVXML
import Foundation
import IndexPlanning
import SwitchboardStore

/// One root's listing for a run, and what it covers: the whole tree below the scope (a full
/// listing), the folders entered (a descent by changed folder ETags), or nothing (the root's
/// ETag is unchanged on a server seen to propagate it).
struct RootCrawl: Sendable {
    enum Coverage: Sendable {
        case tree
        case folders(entered: Set<String>, gone: Set<String>)
        case nothing
    }

    /// The index root.
    var root: String
    /// What was listed: the root, or a folder or file below it a webhook named.
    var scope: String
    var state: IndexRootState?
    var rootETag: String?
    var files: [ListedEntry] = []
    /// Every folder listed, with its ETag when it has one.
    var listedFolders: [String: String?] = [:]
    var coverage: Coverage
    var listing: String
    var requests: Int

    /// Whether the run may take a file's absence from this listing as its removal.
    func covers(_ path: String) -> Bool {
        switch coverage {
        case .nothing:
            return false
        case .tree:
            return scope.isEmpty || path == scope || path.hasPrefix(scope + "/")
        case .folders(let entered, let gone):
            let parent = path.split(separator: "/").dropLast().joined(separator: "/")
            return entered.contains(parent) || gone.contains { path.hasPrefix($0 + "/") }
        }
    }

    /// The folder ETags to keep (those listed that have one).
    var folderETags: [String: String] { listedFolders.compactMapValues { $0 } }

    /// The folders known before that this listing shows gone.
    func goneFolders(previous: [String: String]) -> [String] {
        switch coverage {
        case .nothing: []
        case .tree: previous.keys.filter { covers($0) && $0 != scope && listedFolders[$0] == nil }.sorted()
        case .folders(_, let gone): gone.sorted()
        }
    }

    /// What this run says about the server's folder ETags: only a full listing of the root
    /// can tell; once seen not to propagate, a server stays so.
    func propagation(previous: [String: String], changedFiles: [String]) -> Bool? {
        guard case .tree = coverage, state?.propagatesETags != false else { return state?.propagatesETags }
        let judged = ETagPropagation.judge(root: root, rootBefore: state?.etag, rootNow: rootETag, foldersBefore: previous,
                                           foldersNow: listedFolders, changedFiles: changedFiles)
        return judged ?? state?.propagatesETags
    }

    /// Lists `scope` (the root or a path below it): by the root's ETag and a descent where
    /// `state` says the server propagates folder ETags, else the whole tree.
    static func list(_ scope: String, root: String, state: IndexRootState?, folders: [String: String], client: DAVClient,
                     filesRoot: String) async throws(DAVError) -> RootCrawl
    {
        let path: RemotePath
        do {
            path = try RemotePath(scope)
        } catch {
            throw DAVError(.invalidURL, method: "PROPFIND", url: scope, detail: error.description)
        }
        let href = path.href(under: filesRoot, folder: true)
        if let state, state.propagatesETags == true, let known = state.etag {
            let top = try await client.stat(href)
            if EntityTag.same(known, top.etag) {
                return RootCrawl(root: root, scope: scope, state: state, rootETag: top.etag, coverage: .nothing, listing: "root-etag", requests: 1)
            }
            var crawl = try await descend(scope, root: root, href: href, folders: folders, client: client, filesRoot: filesRoot)
            crawl.state = state
            crawl.rootETag = top.etag
            crawl.requests += 1
            return crawl
        }
        let top: FileEntry
        let entries: [FileEntry]
        let method: String
        let requests: Int
        do throws(DAVError) {
            let tree = try await client.listTree(href)
            (top, entries, method, requests) = (tree.root, tree.entries, tree.method.rawValue, tree.requests)
        } catch where error.code == .malformedResponse || error.status == 405 {
            // A file, not a folder (a webhook may name one).
            let file = try await client.stat(path.href(under: filesRoot, folder: false))
            (top, entries, method, requests) = (file, [file], "stat", 1)
        }
        var crawl = RootCrawl(root: root, scope: scope, state: state, rootETag: top.isFolder ? top.etag : nil, coverage: .tree, listing: method,
                              requests: requests)
        crawl.add(entries, filesRoot: filesRoot)
        return crawl
    }

    /// A scope that is gone: everything the index had below it is removed.
    static func gone(_ scope: String, root: String) -> RootCrawl {
        RootCrawl(root: root, scope: scope, state: nil, coverage: .tree, listing: "gone", requests: 1)
    }

    /// Lists the folders whose ETag changed, from `scope` down, a level at a time.
    private static func descend(_ scope: String, root: String, href: String, folders: [String: String], client: DAVClient,
                                filesRoot: String) async throws(DAVError) -> RootCrawl
    {
        var crawl = RootCrawl(root: root, scope: scope, state: nil, coverage: .nothing, listing: "descent", requests: 0)
        var entered: Set<String> = []
        var gone: Set<String> = []
        var pending = [(scope, href)]
        while let (folder, folderHref) = pending.popLast() {
            let members = try await client.listFolder(folderHref)
            crawl.requests += 1
            entered.insert(folder)
            let listed = crawl.add(members, filesRoot: filesRoot)
            let descent = FolderDescent(known: folders.filter { parent(of: $0.key) == folder }, listed: listed.mapValues(\.etag))
            gone.formUnion(descent.gone)
            for child in descent.enter { if let entry = listed[child] { pending.append((child, entry.href)) } }
        }
        crawl.coverage = .folders(entered: entered, gone: gone)
        return crawl
    }

    /// Adds listed entries: files to read, folders with their ETags. Returns the folders added, by path.
    @discardableResult
    private mutating func add(_ entries: [FileEntry], filesRoot: String) -> [String: FileEntry] {
        var added: [String: FileEntry] = [:]
        for entry in entries {
            guard let path = RemotePath.relative(entry.href, to: filesRoot)?.description, !path.isEmpty else { continue }
            if entry.isFolder {
                listedFolders[path] = entry.etag
                added[path] = entry
            } else {
                // Without an ETag (some servers give none), the size and time stand in for one.
                let etag = entry.etag ?? entry.lastModified.map { "~\(entry.size ?? -1)-\($0)" }
                files.append(ListedEntry(listed: ListedFile(path: path, etag: etag, fileID: entry.fileID, size: entry.size), href: entry.href,
                                         contentType: entry.contentType, modified: entry.lastModified.map { Date(timeIntervalSince1970: TimeInterval($0)) }))
            }
        }
        return added
    }

    private static func parent(of path: String) -> String {
        path.split(separator: "/").dropLast().joined(separator: "/")
    }
}
