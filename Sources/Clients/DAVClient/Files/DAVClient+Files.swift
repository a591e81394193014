public import DAVXML
import Foundation
public import HTTPTransport
import NIOCore
import NIOHTTP1

/// A file or folder with its href in the client's canonical form.
public typealias FileEntry = FileProperties

/// A tree listed under a root, and how it was listed.
public struct FileTree: Sendable {
    /// How the listing was made.
    public enum Method: String, Sendable, Hashable {
        /// One `PROPFIND` with `Depth: infinity`.
        case depthInfinity = "depth-infinity"
        /// A `Depth: 1` listing per folder (the server refuses infinity, or its answer was too large).
        case walk
    }

    /// The root itself.
    public var root: FileEntry
    /// Everything below it, folders before their contents, in listing order.
    public var entries: [FileEntry]
    public var method: Method
    /// Requests it took.
    public var requests: Int
}

/// What a ranged download returned.
public struct DownloadedRange: Sendable, Hashable {
    public var etag: String?
    /// Whether the server sent only the range asked for (`206`); else the whole file came.
    public var partial: Bool
    /// The file's full size, from `Content-Range`, when the server said it.
    public var totalSize: Int64?
}

/// File access on any WebDAV server (RFC 4918): listings with the properties files need
/// (``FileProperties``, with Nextcloud's where present), whole trees by one `Depth: infinity`
/// request where the server allows it and by a bounded walk where it does not, ranged
/// downloads, and writes that name the lock they hold.
extension DAVClient {
    /// The folder's members (not the folder itself), by href.
    public func listFolder(_ href: String) async throws(DAVError) -> [FileEntry] {
        let folder = Self.canonicalHref(href)
        let result = try await propfind(href, depth: .one, .properties(FileProperties.requested))
        return result.responses.filter { !Self.sameHref($0.href, folder) && $0.status.map { (200..<300).contains($0) } ?? true }
            .map(FileProperties.init)
    }

    /// One file or folder.
    public func stat(_ href: String) async throws(DAVError) -> FileEntry {
        let result = try await propfind(href, depth: .zero, .properties(FileProperties.requested))
        guard let response = result.responses.first(where: { Self.sameHref($0.href, Self.canonicalHref(href)) }) ?? result.responses.first else {
            throw DAVError(.notFound, method: "PROPFIND", url: try url(href).absoluteString, status: 207, detail: "no response for the resource")
        }
        return FileProperties(response)
    }

    /// Everything under `root`: one `PROPFIND` with `Depth: infinity` when the server allows
    /// it (RFC 4918 §9.1: it may refuse with 403 `propfind-finite-depth`), else a walk of
    /// `Depth: 1` listings, at most `maxConcurrency` at a time. Refuses more than `limit`
    /// entries (a tree that large is listed in parts).
    public func listTree(_ root: String, maxConcurrency: Int = 4, limit: Int = 1_000_000, allowingDepthInfinity: Bool = true)
        async throws(DAVError) -> FileTree
    {
        let rootHref = Self.canonicalHref(root)
        if allowingDepthInfinity {
            do throws(DAVError) {
                let result = try await propfind(root, depth: .infinity, .properties(FileProperties.requested))
                var rootEntry: FileEntry?
                var entries: [FileEntry] = []
                for response in result.responses where response.status.map({ (200..<300).contains($0) }) ?? true {
                    if Self.sameHref(response.href, rootHref) { rootEntry = FileProperties(response) } else { entries.append(FileProperties(response)) }
                }
                if entries.count > limit {
                    throw DAVError(.tooLarge, method: "PROPFIND", url: try url(root).absoluteString, detail: "more than \(limit) entries under the root")
                }
                // Only a listing with the root in it is taken.
                if let rootEntry { return FileTree(root: rootEntry, entries: entries, method: .depthInfinity, requests: 1) }
            } catch where [.forbidden, .status].contains(error.code) || (error.code == .tooLarge && error.status != nil) {
                // 403 propfind-finite-depth, 400/501 from servers that do not know infinity,
                // or an answer over the response limit: walk instead.
            }
        }
        return try await walk(root, maxConcurrency: maxConcurrency, limit: limit)
    }

    private func walk(_ root: String, maxConcurrency: Int, limit: Int) async throws(DAVError) -> FileTree {
        let rootEntry = try await stat(root)
        var entries: [FileEntry] = []
        var pending = [Self.canonicalHref(root)]
        var requests = 1
        while !pending.isEmpty {
            let batch = Array(pending.prefix(max(1, maxConcurrency)))
            pending.removeFirst(batch.count)
            let listed: [[FileEntry]]
            do {
                listed = try await withThrowingTaskGroup(of: (Int, [FileEntry]).self) { group in
                    for (index, folder) in batch.enumerated() {
                        group.addTask { (index, try await self.listFolder(folder)) }
                    }
                    var results = Array(repeating: [FileEntry](), count: batch.count)
                    for try await (index, members) in group { results[index] = members }
                    return results
                }
            } catch let error as DAVError {
                throw error
            } catch {
                throw DAVError(.cancelled, method: "PROPFIND", url: root, detail: "\(error)")
            }
            requests += batch.count
            for members in listed {
                entries += members
                pending += members.filter(\.isFolder).map { Self.canonicalHref($0.href) }
            }
            if entries.count > limit {
                throw DAVError(.tooLarge, method: "PROPFIND", url: try url(root).absoluteString, detail: "more than \(limit) entries under the root")
            }
        }
        return FileTree(root: rootEntry, entries: entries, method: .walk, requests: requests)
    }

    /// Streams the resource, or the bytes `range` names, into a new file at `path` (replacing
    /// one that is there) without holding it in memory, telling `progress` the bytes written. Asks for the bytes as stored
    /// (`Accept-Encoding: identity`), since some servers count a range in compressed bytes.
    @discardableResult
    public func download(_ href: String, to path: String, range: ClosedRange<Int64>?, progress: (@Sendable (Int64) -> Void)? = nil)
        async throws(DAVError) -> DownloadedRange
    {
        var headers = HTTPHeaders()
        headers.add(name: "Accept-Encoding", value: "identity")
        if let range { headers.add(name: "Range", value: "bytes=\(range.lowerBound)-\(range.upperBound)") }
        let request = HTTPRequest(method: "GET", url: try url(href), headers: headers)
        let response: HTTPResponse
        do {
            response = try await transport.download(request, to: path, progress: progress)
        } catch let error as HTTPError {
            throw DAVError(error)
        } catch {
            throw DAVError(.invalidURL, method: "GET", url: request.url.absoluteString, detail: "local file \(path): \(error)")
        }
        guard [200, 206].contains(response.status) else { throw Self.error(for: response, request: request) }
        let total = response.headers.first(name: "content-range").flatMap { $0.split(separator: "/").last }.flatMap { Int64($0) }
        return DownloadedRange(etag: response.etag, partial: response.status == 206, totalSize: total)
    }

    /// `DELETE` of a locked resource, naming the lock (`If`, RFC 4918 §10.4).
    public func delete(_ href: String, lock: LockToken) async throws(DAVError) {
        var headers = HTTPHeaders()
        headers.add(name: "If", value: try ifHeader(naming: lock))
        try await request("DELETE", href, headers: headers, expected: [200, 202, 204])
    }

    /// Whether two canonical hrefs name the same resource (a collection with or without its
    /// trailing slash).
    static func sameHref(_ a: String, _ b: String) -> Bool {
        a == b || a.trimmingSuffix("/") == b.trimmingSuffix("/")
    }
}

extension String {
    func trimmingSuffix(_ suffix: Character) -> Substring {
        var text = Substring(self)
        while text.last == suffix, text.count > 1 { text.removeLast() }
        return text
    }
}
