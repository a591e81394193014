/// What both sides agreed on after the last sync, for one item.
public struct SyncedItem: Sendable, Hashable {
    /// The item's identity on the local side (an app's record id, a file name).
    public var localID: String
    /// Its href on the server.
    public var href: String
    /// The server's ETag when it was last synced.
    public var etag: String
    /// The normalised content hash both sides had (what servers rewrite left out).
    public var contentHash: String

    /// Creates a record.
    public init(localID: String, href: String, etag: String, contentHash: String) {
        self.localID = localID
        self.href = href
        self.etag = etag
        self.contentHash = contentHash
    }
}

/// What decides `newest-wins`: SEQUENCE first, then LAST-MODIFIED (seconds since 1970).
public struct ItemVersion: Sendable, Hashable, Comparable {
    /// iCalendar `SEQUENCE` (0 when absent).
    public var sequence: Int
    /// `LAST-MODIFIED` (or vCard `REV`), when known.
    public var lastModified: Int64?

    /// Creates a version.
    public init(sequence: Int = 0, lastModified: Int64? = nil) {
        self.sequence = sequence
        self.lastModified = lastModified
    }

    public static func < (a: ItemVersion, b: ItemVersion) -> Bool {
        if a.sequence != b.sequence { return a.sequence < b.sequence }
        return (a.lastModified ?? .min) < (b.lastModified ?? .min)
    }
}

/// One item as a side holds it now.
public struct ItemState: Sendable, Hashable {
    /// Its normalised content hash.
    public var contentHash: String
    /// Its version, for `newest-wins`.
    public var version: ItemVersion

    /// Creates a state.
    public init(contentHash: String, version: ItemVersion = ItemVersion()) {
        self.contentHash = contentHash
        self.version = version
    }
}

/// A change on the server since the last sync (already downloaded, so its content hash is known).
public enum RemoteChange: Sendable, Hashable {
    /// The item exists with this ETag and content.
    case present(etag: String, ItemState)
    /// The item was confirmed gone (reported deleted, 404/410, or absent from a complete listing).
    case gone
}

/// A change on the local side since the last sync.
public enum LocalChange: Sendable, Hashable {
    /// The item exists with this content.
    case present(ItemState)
    /// The item was deleted locally (a tombstone).
    case deleted
}

/// How a collection resolves an item both sides changed.
public enum ConflictPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// The server's version wins (the default: the groupware is the source of truth).
    case remoteWins = "remote-wins"
    /// The local version wins.
    case localWins = "local-wins"
    /// The higher SEQUENCE, then the later LAST-MODIFIED, wins; a tie goes to the server.
    case newestWins = "newest-wins"
    /// Both versions are kept and the conflict is listed for a person.
    case manual
}

/// The rules a run follows.
public struct SyncPolicy: Sendable, Hashable {
    /// How conflicts are resolved.
    public var conflicts: ConflictPolicy
    /// The largest share of the synced items a run may delete (on either side) unless forced.
    public var maxDeleteShare: Double
    /// Whether to go ahead past ``maxDeleteShare``.
    public var force: Bool
    /// Whether the local side states its deletions (an app marking records deleted) rather
    /// than the engine inferring them from absence (a missing file): stated deletions are
    /// instructions, and the guard does not count them.
    public var localDeletionsAreStated: Bool

    /// Creates a policy; by default the server wins and a run may delete at most half.
    public init(conflicts: ConflictPolicy = .remoteWins, maxDeleteShare: Double = 0.5, force: Bool = false,
                localDeletionsAreStated: Bool = false) {
        self.conflicts = conflicts
        self.maxDeleteShare = maxDeleteShare
        self.force = force
        self.localDeletionsAreStated = localDeletionsAreStated
    }
}

/// One step of a run, performed by the executor with conditional requests.
public enum SyncAction: Sendable, Hashable {
    /// Write the server's version locally (a new local item when `localID` is nil).
    case download(href: String, localID: String?)
    /// Send the local version: create a new object (`href` nil, `If-None-Match: *`) or
    /// replace one if it still has `ifMatch`.
    case upload(localID: String, href: String?, ifMatch: String?)
    /// Delete on the server if it still has `ifMatch`.
    case deleteRemote(href: String, ifMatch: String)
    /// Delete locally.
    case deleteLocal(localID: String)
    /// Both sides hold the same content: record the new ETag and hash, move nothing.
    case adopt(localID: String, href: String, etag: String, contentHash: String)
    /// Both sides deleted it: drop the record.
    case forget(localID: String)
    /// Both sides changed it: merge property by property against the last synced version,
    /// and apply `fallback` (one of the other actions, or `conflict`) when the same
    /// property changed on both sides.
    indirect case merge(localID: String, href: String, remoteETag: String, fallback: SyncAction)
    /// Keep both versions and list the conflict (manual policy).
    case conflict(localID: String, href: String)
}

/// The outcome of planning.
public struct SyncPlan: Sendable, Hashable {
    /// The actions, in a safe order: downloads and adoptions, uploads, then deletions.
    public var actions: [SyncAction]
    /// Why the run was refused (then `actions` is empty).
    public var refusal: Refusal?

    /// A refused run.
    public enum Refusal: Sendable, Hashable {
        /// The run would delete `deletions` of `synced` items, more than the policy allows.
        case massDelete(deletions: Int, synced: Int)
    }
}
