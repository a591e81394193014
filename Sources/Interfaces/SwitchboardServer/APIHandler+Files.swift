import DAVClient
import Foundation
import NIOCore
import NIOFileSystem
import OpenAPIRuntime
import SwitchboardAPI
import SwitchboardCore
import SwitchboardStore

/// The tenant's accounts' files: folders listed, files streamed down and up (through a
/// temporary file, so memory stays bounded whatever their size), moved, copied, deleted,
/// locked.
extension APIHandler {
    func listRootFiles(_ input: Operations.ListRootFiles.Input) async throws -> Operations.ListRootFiles.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let account = try await account(input.path.accountId, of: try Principal.requiring(.read))
            let items = try await fileCall { () throws(FileServiceError) in try await files.list(account, path: "") }
            return .ok(.init(body: .json(.init(path: "", items: items.map(Self.fileItem)))))
        }
    }

    func getFile(_ input: Operations.GetFile.Input) async throws -> Operations.GetFile.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let account = try await account(input.path.accountId, of: try Principal.requiring(.read))
            let path = input.path.path
            let item = try await fileCall { () throws(FileServiceError) in try await files.item(account, path: path) }
            if item.isFolder {
                let items = try await fileCall { () throws(FileServiceError) in try await files.list(account, path: path) }
                return .ok(.init(body: .json(.init(path: item.path, items: items.map(Self.fileItem)))))
            }
            let range = try input.headers.range.map { (text) throws(Problem) in try Self.byteRange(text, size: item.size ?? 0) }
            let temporary = Self.temporaryFile()
            let downloaded: DownloadedRange
            do throws(Problem) {
                downloaded = try await fileCall { () throws(FileServiceError) in
                    try await files.download(account, path: path, to: temporary, range: range)
                }
            } catch {
                try? FileManager.default.removeItem(atPath: temporary)
                throw error
            }
            let size = Int64((try? FileManager.default.attributesOfItem(atPath: temporary)[.size] as? Int) ?? 0)
            let body = HTTPBody(TemporaryFileBytes(path: temporary, size: size), length: .known(size), iterationBehavior: .single)
            if let range, downloaded.partial {
                let total = downloaded.totalSize ?? item.size ?? 0
                return .partialContent(.init(headers: .init(contentRange: "bytes \(range.lowerBound)-\(range.lowerBound + size - 1)/\(total)",
                                                            eTag: downloaded.etag ?? item.etag), body: .binary(body)))
            }
            return .ok(.init(headers: .init(eTag: downloaded.etag ?? item.etag, contentDisposition: Self.attachmentDisposition(item.name, section: "")),
                             body: .binary(body)))
        }
    }

    func putFile(_ input: Operations.PutFile.Input) async throws -> Operations.PutFile.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.book)
            let account = try await account(input.path.accountId, of: principal)
            guard case .binary(let body) = input.body else { throw Problem.invalid("body", "send the file as application/octet-stream") }
            let temporary = Self.temporaryFile()
            defer { try? FileManager.default.removeItem(atPath: temporary) }
            try await Self.write(body, to: temporary, limit: maxFileBytes)
            let item = try await fileCall { () throws(FileServiceError) in
                try await files.upload(account, path: input.path.path, from: temporary, ifMatch: input.headers.ifMatch,
                                       createOnly: input.headers.ifNoneMatch == ._ast_, lock: input.query.lockToken)
            }
            audit("file.put", principal, target: "\(account.id):\(item.path)")
            return .ok(.init(headers: .init(eTag: item.etag), body: .json(Self.fileItem(item))))
        }
    }

    func deleteFile(_ input: Operations.DeleteFile.Input) async throws -> Operations.DeleteFile.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.book)
            let account = try await account(input.path.accountId, of: principal)
            try await fileCall { () throws(FileServiceError) in
                try await files.delete(account, path: input.path.path, ifMatch: input.headers.ifMatch, lock: input.query.lockToken)
            }
            audit("file.delete", principal, target: "\(account.id):\(input.path.path)")
            return .noContent(.init())
        }
    }

    func fileAction(_ input: Operations.FileAction.Input) async throws -> Operations.FileAction.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.book)
            let account = try await account(input.path.accountId, of: principal)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            let path = input.path.path
            var result = Components.Schemas.FileActionResult()
            switch body.action {
            case .move, .copy:
                guard let destination = body.destination else { throw Problem.invalid("destination", "move and copy need a destination") }
                let item = try await fileCall { () throws(FileServiceError) in
                    try await files.transfer(body.action == .move ? .move : .copy, account, path: path, to: destination, overwrite: body.overwrite ?? false)
                }
                result.item = Self.fileItem(item)
            case .mkdir:
                result.item = Self.fileItem(try await fileCall { () throws(FileServiceError) in try await files.makeFolder(account, path: path) })
            case .lock:
                let lock = try await fileCall { () throws(FileServiceError) in
                    try await files.lock(account, path: path, owner: body.owner ?? "switchboard key \(principal.keyID)", seconds: body.seconds ?? 600)
                }
                result.lock = .init(path: lock.path, token: lock.token)
            case .unlock:
                guard let token = body.token else { throw Problem.invalid("token", "unlock needs the lock's token") }
                try await fileCall { () throws(FileServiceError) in try await files.unlock(account, path: path, token: token) }
            }
            audit("file.\(body.action.rawValue)", principal, target: "\(account.id):\(path)")
            return .ok(.init(body: .json(result)))
        }
    }

    // MARK: Translation

    var files: FileService { hub.files }

    private func fileCall<T>(_ body: () async throws(FileServiceError) -> T) async throws(Problem) -> T {
        do { return try await body() } catch { throw Problem(error) }
    }

    static func fileItem(_ item: FileItem) -> Components.Schemas.FileItem {
        .init(path: item.path, name: item.name, isFolder: item.isFolder, size: item.size, etag: item.etag, modified: item.modified,
              contentType: item.contentType, fileId: item.fileID, permissions: item.permissions, favorite: item.favorite,
              quotaUsed: item.quotaUsed, quotaAvailable: item.quotaAvailable)
    }

    /// `bytes=FIRST-LAST` or `bytes=FIRST-` of a file of `size` bytes (LAST clamped to the end).
    static func byteRange(_ text: String, size: Int64) throws(Problem) -> ClosedRange<Int64> {
        let ends = text.dropFirst("bytes=".count).split(separator: "-", omittingEmptySubsequences: false)
        guard ends.count == 2, let first = Int64(ends[0]), first < max(size, 1) else {
            throw Problem(status: 416, code: "range_not_satisfiable", title: "Range not satisfiable", detail: "the file has \(size) bytes")
        }
        let last = ends[1].isEmpty ? size - 1 : min(Int64(ends[1]) ?? -1, size - 1)
        guard last >= first else { throw Problem.invalid("Range", "the last byte comes before the first") }
        return first...last
    }

    static func temporaryFile() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-file-\(UUID().uuidString)").path
    }

    /// Writes a request body to `path` as it arrives, refusing it (413) past `limit` bytes.
    static func write(_ body: HTTPBody, to path: String, limit: Int) async throws(Problem) {
        do {
            try await FileSystem.shared.withFileHandle(forWritingAt: FilePath(path), options: .newFile(replaceExisting: true)) { file in
                var offset: Int64 = 0
                for try await chunk in body {
                    offset += Int64(chunk.count)
                    guard offset <= limit else { throw Problem(status: 413, code: "too_large", title: "Too large", detail: "a file may have \(limit) bytes") }
                    try await file.write(contentsOf: chunk, toAbsoluteOffset: offset - Int64(chunk.count))
                }
            }
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem.invalid("body", "the upload could not be read: \(error)")
        }
    }
}

/// A temporary file's bytes read on demand, a chunk at a time (so a slow client holds back
/// the reads), and the file removed once read or abandoned.
struct TemporaryFileBytes: AsyncSequence, Sendable {
    typealias Element = ArraySlice<UInt8>
    let path: String
    let size: Int64

    func makeAsyncIterator() -> Iterator { Iterator(path: path, size: size) }

    final class Iterator: AsyncIteratorProtocol {
        let path: String
        let size: Int64
        private var offset: Int64 = 0

        init(path: String, size: Int64) {
            self.path = path
            self.size = size
        }

        func next() async throws -> ArraySlice<UInt8>? {
            guard offset < size else {
                try? await FileSystem.shared.removeItem(at: FilePath(path))
                return nil
            }
            let start = offset
            let chunk = try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { file in
                try await file.readChunk(fromAbsoluteOffset: start, length: .mebibytes(1))
            }
            guard chunk.readableBytes > 0 else { return nil }
            offset += Int64(chunk.readableBytes)
            return ArraySlice(chunk.readableBytesView)
        }

        deinit {
            // Abandoned midway (the client went away): the file goes all the same.
            let path = path
            if offset < size { Task { try? await FileSystem.shared.removeItem(at: FilePath(path)) } }
        }
    }
}

extension Problem {
    /// A file failure in terms the caller can act on.
    init(_ error: FileServiceError) {
        switch error {
        case .unknownAccount(let name): self = .notFound("no account \(name)")
        case .noFiles(let name): self.init(status: 404, code: "no_files", title: "No files", detail: "the account \(name) has no files")
        case .invalidPath(let why): self = .invalid("path", why)
        case .invalidLockToken: self = .invalid("lockToken", error.description)
        case .notFound(let path): self.init(status: 404, code: "file_not_found", title: "No such file", detail: "no file or folder \(path)")
        case .preconditionFailed: self.init(status: 412, code: "precondition_failed", title: "Precondition failed", detail: error.description)
        case .locked: self.init(status: 423, code: "locked", title: "Locked", detail: error.description)
        case .forbidden(let path): self = .forbidden("not allowed on \(path)")
        case .account, .server: self.init(status: 502, code: "upstream_failed", title: "The file server failed", detail: error.description)
        case .local(let why): self.init(status: 500, code: "local_failure", title: "Local failure", detail: why)
        }
    }
}
