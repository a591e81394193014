public import Accounts
public import DAVClient
import DAVXML
import MIME
public import Foundation
public import SwitchboardStore

/// A file or folder of an account, named by its path below the account's files root.
public struct FileItem: Sendable, Hashable, Codable {
    /// The path below the root (`Leitlinien/2026/Übersicht.pdf`; empty for the root).
    public var path: String
    public var name: String
    public var isFolder: Bool
    public var size: Int64?
    public var etag: String?
    public var modified: Date?
    public var contentType: String?
    /// The server's stable id (Nextcloud's `oc:fileid`): it survives moves and renames.
    public var fileID: String?
    /// Nextcloud's permission letters.
    public var permissions: String?
    public var favorite: Bool
    /// RFC 4331, for folders that report it.
    public var quotaUsed: Int64?
    public var quotaAvailable: Int64?

    init(_ entry: FileEntry, path: RemotePath) {
        self.path = path.description
        name = path.name
        isFolder = entry.isFolder
        size = entry.size
        etag = entry.etag
        modified = entry.lastModified.map { Date(timeIntervalSince1970: TimeInterval($0)) }
        contentType = entry.contentType
        fileID = entry.fileID
        permissions = entry.permissions
        favorite = entry.favorite
        quotaUsed = entry.quotaUsed
        quotaAvailable = entry.quotaAvailable
    }
}

/// A lock held on a file (RFC 4918 §6): pass its token to change or delete the file.
public struct FileLock: Sendable, Hashable, Codable {
    public var path: String
    public var token: String
}

/// Why a file operation failed.
public enum FileServiceError: Error, Sendable, CustomStringConvertible {
    case unknownAccount(String)
    /// The account has no files (calendars and contacts only).
    case noFiles(String)
    case invalidPath(String)
    /// A lock token that is not a URI.
    case invalidLockToken
    case notFound(String)
    /// `If-Match` named another version, or the target exists and is not to be replaced.
    case preconditionFailed(path: String, currentETag: String?)
    /// The file is locked and the request did not name the lock.
    case locked(String)
    case forbidden(String)
    case account(AccountError)
    case server(DAVError)
    case local(String)

    public var description: String {
        switch self {
        case .unknownAccount(let name): "no account \(name)"
        case .noFiles(let name): "the account \(name) has no files"
        case .invalidPath(let why): "invalid path: \(why)"
        case .invalidLockToken: "invalid lock token: a URI without <, > or spaces"
        case .notFound(let path): "no file or folder \(path)"
        case .preconditionFailed(let path, let etag): "\(path) is not as expected" + (etag.map { " (it is now \($0))" } ?? "")
        case .locked(let path): "\(path) is locked"
        case .forbidden(let path): "not allowed on \(path)"
        case .account(let error): error.description
        case .server(let error): error.description
        case .local(let why): why
        }
    }
}

/// The files of the accounts (WebDAV, RFC 4918; Nextcloud's files folder or a plain WebDAV
/// server): listings, downloads and uploads streamed through local files, folders, moves and
/// copies with overwrite control, deletes, and locks. Callers pass the account they resolved
/// under their own access rules (the API: the tenant's). Paths are ``RemotePath``s, so no
/// request leaves the account's files root.
public struct FileService: Sendable {
    let clients: AccountClients

    public init(clients: AccountClients) {
        self.clients = clients
    }

    /// A folder's members, by name, folders first.
    public func list(_ account: AccountRecord, path: String) async throws(FileServiceError) -> [FileItem] {
        let (client, root, remote) = try target(account, path)
        let entries = try await call(remote) { () throws(DAVError) in try await client.listFolder(remote.href(under: root, folder: true)) }
        return entries.compactMap { entry in RemotePath.relative(entry.href, to: root).map { FileItem(entry, path: $0) } }
            .sorted { ($0.isFolder ? 0 : 1, $0.name.lowercased()) < ($1.isFolder ? 0 : 1, $1.name.lowercased()) }
    }

    /// One file or folder.
    public func item(_ account: AccountRecord, path: String) async throws(FileServiceError) -> FileItem {
        let (client, root, remote) = try target(account, path)
        let entry = try await call(remote) { () throws(DAVError) in try await client.stat(remote.href(under: root, folder: false)) }
        return FileItem(entry, path: remote)
    }

    /// Streams a file (or the bytes `range` names) into `localPath`, telling `progress` the
    /// bytes written so far.
    public func download(_ account: AccountRecord, path: String, to localPath: String, range: ClosedRange<Int64>? = nil,
                         progress: (@Sendable (Int64) -> Void)? = nil) async throws(FileServiceError) -> DownloadedRange
    {
        let (client, root, remote) = try target(account, path)
        return try await call(remote) { () throws(DAVError) in
            try await client.download(remote.href(under: root, folder: false), to: localPath, range: range, progress: progress)
        }
    }

    /// Streams `localPath` up to `path`: only when nothing is there (`createOnly`), only over
    /// the version `ifMatch` names, or over whatever is there, telling `progress` the bytes
    /// sent so far. Returns the file as it is now.
    public func upload(_ account: AccountRecord, path: String, from localPath: String, contentType: String? = nil, ifMatch: String? = nil,
                       createOnly: Bool = false, lock: String? = nil, progress: (@Sendable (Int64) -> Void)? = nil)
        async throws(FileServiceError) -> FileItem
    {
        let (client, root, remote) = try target(account, path)
        guard !remote.segments.isEmpty else { throw .invalidPath("the root is a folder") }
        let href = remote.href(under: root, folder: false)
        let type = contentType ?? Attachment.mediaType(forFileName: remote.name)
        let precondition: WritePrecondition = createOnly ? .ifNoneMatch : ifMatch.map(WritePrecondition.ifMatch) ?? .none
        let held = try lock.map { (token) throws(FileServiceError) in LockToken(href: href, token: try Self.lockToken(token)) }
        try await call(remote) { () throws(DAVError) in
            _ = try await client.upload(file: localPath, to: href, contentType: type, precondition: precondition, lock: held, progress: progress)
        }
        return try await item(account, path: path)
    }

    public func makeFolder(_ account: AccountRecord, path: String) async throws(FileServiceError) -> FileItem {
        let (client, root, remote) = try target(account, path)
        try await call(remote) { () throws(DAVError) in try await client.mkcol(remote.href(under: root, folder: true)) }
        return try await item(account, path: path)
    }

    /// Moves or copies `path` to `destination`, replacing what is there only when `overwrite`.
    public func transfer(_ method: DAVClient.TransferMethod, _ account: AccountRecord, path: String, to destination: String,
                         overwrite: Bool) async throws(FileServiceError) -> FileItem {
        let (client, root, remote) = try target(account, path)
        let target = try Self.path(destination)
        guard !remote.segments.isEmpty, !target.segments.isEmpty else { throw .invalidPath("the root cannot be moved or replaced") }
        let folder = try await item(account, path: path).isFolder
        try await call(target) { () throws(DAVError) in
            try await client.transfer(method, remote.href(under: root, folder: folder), to: target.href(under: root, folder: folder), overwrite: overwrite)
        }
        return try await item(account, path: destination)
    }

    /// Deletes a file or a folder with everything in it: only the version `ifMatch` names,
    /// when given; naming the lock `lock`, when it is locked.
    public func delete(_ account: AccountRecord, path: String, ifMatch: String? = nil, lock: String? = nil) async throws(FileServiceError) {
        let (client, root, remote) = try target(account, path)
        guard !remote.segments.isEmpty else { throw .invalidPath("the root cannot be deleted") }
        let token = try lock.map { (text) throws(FileServiceError) in try Self.lockToken(text) }
        let folder = try await item(account, path: path).isFolder
        let href = remote.href(under: root, folder: folder)
        let held = token.map { LockToken(href: href, token: $0) }
        try await call(remote) { () throws(DAVError) in
            if let held { try await client.delete(href, lock: held) } else { try await client.delete(href, etag: ifMatch) }
        }
    }

    /// Locks a file for writing by `owner` for `seconds`.
    public func lock(_ account: AccountRecord, path: String, owner: String, seconds: Int = 600) async throws(FileServiceError) -> FileLock {
        let (client, root, remote) = try target(account, path)
        let lock = try await call(remote) { () throws(DAVError) in
            try await client.lock(remote.href(under: root, folder: false), owner: owner, seconds: max(1, min(seconds, 86_400)))
        }
        return FileLock(path: remote.description, token: lock.token)
    }

    public func unlock(_ account: AccountRecord, path: String, token: String) async throws(FileServiceError) {
        let (client, root, remote) = try target(account, path)
        let held = LockToken(href: remote.href(under: root, folder: false), token: try Self.lockToken(token))
        try await call(remote) { () throws(DAVError) in try await client.unlock(held) }
    }

    // MARK: Helpers

    /// A lock token from outside, as it may go into `If` and `Lock-Token` headers: a URI
    /// (`opaquelocktoken:…`, `urn:uuid:…`) of at most 200 characters, without `<`, `>`,
    /// spaces or control characters that would end it or add a condition.
    static func lockToken(_ text: String) throws(FileServiceError) -> String {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%".unicodeScalars)
        guard !text.isEmpty, text.count <= 200, text.unicodeScalars.allSatisfy(allowed.contains) else {
            throw .invalidLockToken
        }
        return text
    }

    static func path(_ text: String) throws(FileServiceError) -> RemotePath {
        do { return try RemotePath(text) } catch { throw .invalidPath(error.description) }
    }

    /// The account's client, its files root as an href, and the checked path.
    private func target(_ account: AccountRecord, _ path: String) throws(FileServiceError) -> (DAVClient, String, RemotePath) {
        let (client, root) = try filesClient(account)
        return (client, root, try Self.path(path))
    }

    /// The account's client and its files root as an href.
    func filesClient(_ account: AccountRecord) throws(FileServiceError) -> (DAVClient, String) {
        guard let filesURL = account.filesURL, let root = URL(string: filesURL)?.path(percentEncoded: true) else { throw .noFiles(account.name) }
        do {
            return (try clients.client(for: account), root)
        } catch {
            throw .account(error)
        }
    }

    private func call<T>(_ path: RemotePath, _ body: () async throws(DAVError) -> T) async throws(FileServiceError) -> T {
        do {
            return try await body()
        } catch {
            switch error.code {
            case .notFound: throw .notFound(path.description)
            case .conflict: throw .preconditionFailed(path: path.description, currentETag: error.currentETag)
            case .locked: throw .locked(path.description)
            case .forbidden: throw .forbidden(path.description)
            default: throw .server(error)
            }
        }
    }
}
