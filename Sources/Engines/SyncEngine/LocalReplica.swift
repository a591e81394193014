import FileStamps
public import Foundation
public import SwitchboardStore

/// The local side of a sync: where an app's or a person's copy of a collection lives. The
/// engine keeps the last-synced state in the store and asks the replica only what changed.
public protocol LocalReplica: Sendable {
    /// Which local side this is (`store`, or `folder:` and a path): a collection's synced
    /// state belongs to one local side, and a run on another starts that side afresh.
    var identity: String { get }
    /// Every item present locally, local id → a version that changes whenever the item's
    /// content may have (a file's size, time and inode; a row's revision).
    func versions() async throws(SyncError) -> [String: String]
    /// An item's content and its version now.
    func read(_ localID: String) async throws(SyncError) -> (data: String, version: String)
    /// Creates or replaces an item with the server's version; returns its new version.
    func write(_ localID: String, data: String) async throws(SyncError) -> String
    /// Removes an item (no error when it is already gone).
    func remove(_ localID: String) async throws(SyncError)
    /// The version to remember after `version` was uploaded as it was read.
    func uploaded(_ localID: String, version: String) -> String
    /// Whether deletions are stated (records marked deleted) rather than inferred from
    /// absence (a missing file); the mass-delete guard counts only inferred ones.
    var statesDeletions: Bool { get }
}

/// A folder of `.ics` or `.vcf` files, one per item, named by local id: a vdir, as
/// vdirsyncer and khal use, that a person or a script can edit.
public struct DirectoryReplica: LocalReplica {
    /// The folder.
    public let directory: URL
    /// `ics` or `vcf`.
    public let fileExtension: String

    /// A replica in `directory` (created if needed) for files ending in `.fileExtension`.
    public init(directory: URL, fileExtension: String) throws(SyncError) {
        self.directory = directory
        self.fileExtension = fileExtension
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw SyncError(.local, detail: "cannot create \(directory.path): \(error)")
        }
    }

    public func versions() async throws(SyncError) -> [String: String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw SyncError(.local, detail: "cannot list \(directory.path): \(error)")
        }
        var versions: [String: String] = [:]
        for name in names where name.hasSuffix("." + fileExtension) && !name.hasPrefix(".") {
            let localID = String(name.dropLast(fileExtension.count + 1))
            if let version = FileStamp.of(file(localID)) { versions[localID] = version }
        }
        return versions
    }

    public func read(_ localID: String) async throws(SyncError) -> (data: String, version: String) {
        let path = file(localID)
        do {
            let version = try version(of: path)
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let text = String(data: data, encoding: .utf8) else {
                throw SyncError(.malformedItem, localID: localID, detail: "\(path) is not UTF-8")
            }
            return (text, version)
        } catch let error as SyncError {
            throw error
        } catch {
            throw SyncError(.local, localID: localID, detail: "cannot read \(path): \(error)")
        }
    }

    public func write(_ localID: String, data: String) async throws(SyncError) -> String {
        let path = file(localID)
        // A temporary file renamed into place: a reader never sees half an item. No fsync:
        // a killed process loses nothing written; after a power cut the next run re-syncs.
        // One writer per collection (the lease), so a fixed temporary name per item will do;
        // one left by a killed run is overwritten.
        let temporary = directory.path + "/." + localID + ".switchboard.tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure("cannot create", temporary, localID) }
        guard writeAll(Array(data.utf8), to: descriptor) else {
            let error = failure("cannot write", temporary, localID)
            close(descriptor)
            unlink(temporary)
            throw error
        }
        guard close(descriptor) == 0, rename(temporary, path) == 0 else {
            let error = failure("cannot write", path, localID)
            unlink(temporary)
            throw error
        }
        do {
            return try version(of: path)
        } catch {
            throw SyncError(.local, localID: localID, detail: "cannot read back \(path): \(error)")
        }
    }

    private func failure(_ what: String, _ path: String, _ localID: String) -> SyncError {
        SyncError(.local, localID: localID, detail: "\(what) \(path): \(String(cString: strerror(errno)))")
    }

    public func remove(_ localID: String) async throws(SyncError) {
        let path = file(localID)
        guard FileManager.default.fileExists(atPath: path) else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw SyncError(.local, localID: localID, detail: "cannot remove \(path): \(error)")
        }
    }

    public func uploaded(_ localID: String, version: String) -> String { version }

    public var identity: String { "folder:" + directory.standardizedFileURL.path }

    public var statesDeletions: Bool { false }

    private func file(_ localID: String) -> String {
        directory.path + "/" + localID + "." + fileExtension
    }

    /// The version to remember for a file just read or written (see ``FileStamp/remembered(_:)``).
    private func version(of path: String) throws -> String {
        guard let stamp = FileStamp.remembered(path) else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ENOENT) }
        return stamp
    }
}

/// Writes all of `bytes` to a file descriptor; `false` with `errno` set on failure.
private func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
        if written < 0, errno == EINTR { continue }
        guard written > 0 else { return false }
        offset += written
    }
    return true
}

/// The store itself as the local side: an app writes its edits as pending changes on the
/// collection's items (``SyncStore`` `pendingData`/`pendingDeletion`, or a new item without
/// href), and sync sends them. Synced items report the version `synced`.
public struct StoreReplica: LocalReplica {
    let store: any SyncStore
    let collectionID: String

    /// The local side kept in `store` for `collectionID`.
    public init(store: any SyncStore, collectionID: String) {
        self.store = store
        self.collectionID = collectionID
    }

    static let synced = "synced"

    /// The identity of the store as a local side.
    public static let identity = "store"

    public var identity: String { Self.identity }

    public var statesDeletions: Bool { true }

    public func versions() async throws(SyncError) -> [String: String] {
        var versions: [String: String] = [:]
        for item in try await items() where item.currentData != nil {
            versions[item.localID] = Self.version(of: item)
        }
        return versions
    }

    public func read(_ localID: String) async throws(SyncError) -> (data: String, version: String) {
        guard let item = try await item(localID), let data = item.currentData else {
            throw SyncError(.local, localID: localID, detail: "no such item in the store")
        }
        return (data, Self.version(of: item))
    }

    /// The engine commits the server's version to the item's record itself.
    public func write(_ localID: String, data: String) async throws(SyncError) -> String { Self.synced }

    /// The engine deletes the item's record (leaving a tombstone) itself.
    public func remove(_ localID: String) async throws(SyncError) {}

    public func uploaded(_ localID: String, version: String) -> String { Self.synced }

    static func version(of item: ItemRecord) -> String {
        item.pendingData == nil ? synced : "pending-\(item.revision)"
    }

    private func items() async throws(SyncError) -> [ItemRecord] {
        do { return try await store.items(in: collectionID) } catch { throw SyncError(store: error) }
    }

    private func item(_ localID: String) async throws(SyncError) -> ItemRecord? {
        do { return try await store.item(in: collectionID, localID: localID) } catch { throw SyncError(store: error) }
    }
}
