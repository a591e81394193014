public import Foundation
public import SyncPlanning

/// What an account's server is: any CalDAV/CardDAV/WebDAV server, or a Nextcloud, whose OCS
/// API (users, groups, shares) is used too.
public enum AccountKind: String, Sendable, Hashable, Codable, CaseIterable {
    case dav
    case nextcloud
    /// An OpenProject server's API v3 (user `apikey`, the API key as password).
    case openproject
    /// A Zulip organisation's REST API (a bot's email and API key).
    case zulip

    /// Whether the account is reached over WebDAV (calendars, contacts, files).
    public var hasDAV: Bool { self == .dav || self == .nextcloud }
}

/// A groupware account: where the server is and how to sign in. The password is kept only
/// sealed (see ``SecretBox``).
public struct AccountRecord: Sendable, Hashable, Codable {
    /// A stable identifier (a UUID string).
    public var id: String
    /// The operator's name for the account, unique in a store.
    public var name: String
    /// The URL discovery started from.
    public var serverURL: String
    /// The user name to sign in with.
    public var username: String
    /// The password sealed with AES-GCM, or `nil` for an account without one.
    public var sealedPassword: [UInt8]?
    /// When the account was added.
    public var createdAt: Date
    /// The tenant the account (with its collections) belongs to; `nil` for the operator's
    /// own accounts, which the API does not show.
    public var tenantID: String?
    /// The WebDAV folder holding the user's files (Nextcloud's `remote.php/dav/files/USER/`,
    /// or a plain WebDAV server's root), when files were found; `nil` for calendars and
    /// contacts only.
    public var filesURL: String?
    /// What the server is.
    public var kind: AccountKind
    /// The secret the platform's own webhook calls are checked with (OpenProject's signature
    /// key, a Zulip outgoing-webhook bot's token), sealed like the password; `nil` until the
    /// operator gives one.
    public var sealedHookSecret: [UInt8]?

    public init(id: String = UUID().uuidString, name: String, serverURL: String, username: String,
                sealedPassword: [UInt8]?, createdAt: Date = Date(), tenantID: String? = nil, filesURL: String? = nil, kind: AccountKind = .dav) {
        self.filesURL = filesURL
        self.kind = kind
        self.id = id
        self.name = name
        self.serverURL = serverURL
        self.username = username
        self.sealedPassword = sealedPassword
        self.createdAt = createdAt
        self.tenantID = tenantID
    }
}

/// What a collection holds.
public enum CollectionKind: String, Sendable, Hashable, Codable, CaseIterable {
    case calendar
    case addressBook = "addressbook"
}

/// A calendar or address book of an account, with what the last sync learnt and how to sync it.
public struct CollectionRecord: Sendable, Hashable, Codable {
    public var id: String
    public var accountID: String
    /// The collection's path on the server (ends with `/`).
    public var href: String
    public var kind: CollectionKind
    public var displayName: String?
    public var color: String?
    /// The RFC 6578 token of the last complete sync.
    public var syncToken: String?
    /// The ctag seen at the last complete sync.
    public var ctag: String?
    /// How conflicts are settled.
    public var conflictPolicy: ConflictPolicy
    /// The share of the synced items one run may delete before it is refused.
    public var maxDeleteShare: Double
    /// Whether the scheduler syncs this collection.
    public var enabled: Bool
    /// Seconds between scheduled runs.
    public var syncInterval: Int
    /// When the last run that finished without a collection-level error ended.
    public var lastSyncedAt: Date?
    /// The local side the items' synced state refers to (`LocalReplica.identity`).
    public var localSide: String?

    public init(id: String = UUID().uuidString, accountID: String, href: String, kind: CollectionKind,
                displayName: String? = nil, color: String? = nil, syncToken: String? = nil, ctag: String? = nil,
                conflictPolicy: ConflictPolicy = .remoteWins, maxDeleteShare: Double = 0.5, enabled: Bool = true,
                syncInterval: Int = 300, lastSyncedAt: Date? = nil, localSide: String? = nil) {
        self.id = id
        self.accountID = accountID
        self.href = href
        self.kind = kind
        self.displayName = displayName
        self.color = color
        self.syncToken = syncToken
        self.ctag = ctag
        self.conflictPolicy = conflictPolicy
        self.maxDeleteShare = maxDeleteShare
        self.enabled = enabled
        self.syncInterval = syncInterval
        self.lastSyncedAt = lastSyncedAt
        self.localSide = localSide
    }
}

/// The fields of an item that queries use, extracted from its object.
public struct ItemFields: Sendable, Hashable, Codable {
    public var summary: String?
    /// The first instance's start, seconds since 1970 UTC (an all-day date reads as UTC midnight).
    public var startUTC: Int64?
    /// When the item's time ends: the first instance's end, or for a recurring item the
    /// last instance's (an upper bound) — `nil` when its series runs on without end.
    public var endUTC: Int64?
    public var allDay: Bool
    public var status: String?
    public var transparency: String?
    public var recurring: Bool
    /// LAST-MODIFIED or REV, seconds since 1970 UTC.
    public var lastModified: Int64?

    public init(summary: String? = nil, startUTC: Int64? = nil, endUTC: Int64? = nil, allDay: Bool = false,
                status: String? = nil, transparency: String? = nil, recurring: Bool = false, lastModified: Int64? = nil) {
        self.summary = summary
        self.startUTC = startUTC
        self.endUTC = endUTC
        self.allDay = allDay
        self.status = status
        self.transparency = transparency
        self.recurring = recurring
        self.lastModified = lastModified
    }
}

/// Which item, at which revision: enough to know whether what was read from it is current.
public struct ItemVersion: Sendable, Hashable {
    public var collectionID: String
    public var localID: String
    public var revision: Int64

    public init(collectionID: String, localID: String, revision: Int64) {
        self.collectionID = collectionID
        self.localID = localID
        self.revision = revision
    }
}

/// One calendar object or vCard of a collection: the copy last agreed with the server, and
/// a local change waiting to be synced, if any.
public struct ItemRecord: Sendable, Hashable, Codable {
    public var collectionID: String
    /// The item's identity on this side, stable across renames on the server.
    public var localID: String
    /// Where the item lives on the server; `nil` until it is first uploaded.
    public var href: String?
    public var uid: String?
    /// The ETag of the synced copy; `nil` until the server confirmed one.
    public var etag: String?
    /// The object exactly as last synced; `nil` for an item never synced.
    public var syncedData: String?
    /// The normalised content hash of the synced copy.
    public var contentHash: String?
    /// A local edit not yet on the server (the whole new object).
    public var pendingData: String?
    /// A local deletion not yet on the server.
    public var pendingDeletion: Bool
    /// The server's version kept when a `manual` conflict is waiting for a person (empty
    /// when the server deleted the item while it was edited here).
    public var conflictData: String?
    public var conflictETag: String?
    /// The local side's version of the item when it was last synced (see `LocalReplica`).
    public var localVersion: String?
    /// Extracted from the current local version (pending, else synced).
    public var fields: ItemFields
    /// The store's revision of the last write to this item (assigned by the store).
    public var revision: Int64

    public init(collectionID: String, localID: String, href: String? = nil, uid: String? = nil, etag: String? = nil,
                syncedData: String? = nil, contentHash: String? = nil, pendingData: String? = nil,
                pendingDeletion: Bool = false, conflictData: String? = nil, conflictETag: String? = nil,
                localVersion: String? = nil, fields: ItemFields = ItemFields(), revision: Int64 = 0) {
        self.collectionID = collectionID
        self.localID = localID
        self.href = href
        self.uid = uid
        self.etag = etag
        self.syncedData = syncedData
        self.contentHash = contentHash
        self.pendingData = pendingData
        self.pendingDeletion = pendingDeletion
        self.conflictData = conflictData
        self.conflictETag = conflictETag
        self.localVersion = localVersion
        self.fields = fields
        self.revision = revision
    }

    /// The version the local side sees: the pending edit, else the synced copy.
    public var currentData: String? { pendingDeletion ? nil : pendingData ?? syncedData }
}

/// The record that an item was deleted, kept so that the deletion can be synced and seen.
public struct Tombstone: Sendable, Hashable, Codable {
    public var collectionID: String
    public var localID: String
    public var href: String?
    public var uid: String?
    public var deletedAt: Date
    public var revision: Int64

    public init(collectionID: String, localID: String, href: String?, uid: String?, deletedAt: Date, revision: Int64 = 0) {
        self.collectionID = collectionID
        self.localID = localID
        self.href = href
        self.uid = uid
        self.deletedAt = deletedAt
        self.revision = revision
    }
}

/// One sync run of one collection, as the sync log shows it.
public struct SyncRunRecord: Sendable, Hashable, Codable {
    public var id: String
    public var collectionID: String
    public var startedAt: Date
    public var finishedAt: Date?
    public var counts: Counts
    /// How remote changes were learnt (sync-collection, ctag, listing…).
    public var method: String?
    /// A collection-level failure or refusal that stopped the run.
    public var failure: String?
    /// Items that could not be synced, with why.
    public var itemErrors: [ItemError]

    public init(id: String = UUID().uuidString, collectionID: String, startedAt: Date = Date(), finishedAt: Date? = nil,
                counts: Counts = Counts(), method: String? = nil, failure: String? = nil, itemErrors: [ItemError] = []) {
        self.id = id
        self.collectionID = collectionID
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.counts = counts
        self.method = method
        self.failure = failure
        self.itemErrors = itemErrors
    }

    /// What a run did.
    public struct Counts: Sendable, Hashable, Codable {
        public var downloaded = 0
        public var uploaded = 0
        public var deletedLocally = 0
        public var deletedRemotely = 0
        public var merged = 0
        public var conflicts = 0
        public var errors = 0
        /// HTTP requests sent to the server.
        public var requests = 0

        public init() {}
    }

    /// An item that failed, named by href and/or local id.
    public struct ItemError: Sendable, Hashable, Codable {
        public var href: String?
        public var localID: String?
        public var message: String

        public init(href: String?, localID: String?, message: String) {
            self.href = href
            self.localID = localID
            self.message = message
        }
    }
}
