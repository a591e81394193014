import ContentLines
public import DAVClient
public import Foundation
import SyncContent
import SyncPlanning
public import SwitchboardStore
import HTTPTransport

/// How a run behaves beyond the collection's own policy.
public struct SyncOptions: Sendable {
    /// Carry out a plan the mass-delete guard refused.
    public var force: Bool
    /// Who holds the collection's lease while the run lasts.
    public var leaseOwner: String
    /// How long a lease lasts without renewal (a killed run's lease expires after it).
    public var leaseDuration: TimeInterval
    /// How long a run waits for another run of the collection (in this process or another)
    /// to give the lease back before it gives up as busy.
    public var leaseWait: Duration
    public init(force: Bool = false, leaseOwner: String = SyncOptions.defaultOwner, leaseDuration: TimeInterval = 300,
                leaseWait: Duration = .zero) {
        self.force = force
        self.leaseOwner = leaseOwner
        self.leaseDuration = leaseDuration
        self.leaseWait = leaseWait
    }

    /// This process: `host/pid/random`; each run holds the lease as this plus a run id.
    public static let defaultOwner = LeaseOwner.current
}

/// Where a run is, for progress displays.
public struct SyncProgress: Sendable, Hashable {
    /// The stage of a run.
    public enum Phase: String, Sendable, Hashable {
        case listing, fetching, applying, finished
    }

    public var collectionID: String
    public var phase: Phase
    /// Actions done and planned, while applying.
    public var done: Int
    public var total: Int
}

/// Syncs one collection both ways: learns the server's changes (sync-collection, ctag and
/// ETag listing, or a full listing on an invalid token) and the local side's, plans with
/// ``SyncPlanner``, and carries the plan out with conditional requests, committing the
/// store after every item so that a run killed anywhere resumes without loss or duplicates.
public struct CollectionSynchronizer: Sendable {
    public let client: DAVClient
    public let store: any SyncStore
    public let replica: any LocalReplica
    public let options: SyncOptions

    public init(client: DAVClient, store: any SyncStore, replica: any LocalReplica, options: SyncOptions = SyncOptions()) {
        self.client = client
        self.store = store
        self.replica = replica
        self.options = options
    }

    /// Syncs `collection` once and returns the run as logged. Errors end up in the run:
    /// `failure` for the collection, `itemErrors` for single items.
    public func sync(_ collection: CollectionRecord, progress: @escaping @Sendable (SyncProgress) -> Void = { _ in }) async -> SyncRunRecord {
        let requestsBefore = client.transport.requestsSent
        var record = SyncRunRecord(collectionID: collection.id)
        // The lease is the run's, not the process's: two runs of one collection exclude each
        // other in one process as in two.
        let owner = leaseOwner(of: record)
        func finish(_ record: inout SyncRunRecord) async {
            record.finishedAt = Date()
            record.counts.requests = client.transport.requestsSent - requestsBefore
            try? await store.saveRun(record)
            progress(SyncProgress(collectionID: collection.id, phase: .finished, done: 0, total: 0))
        }
        do {
            guard try await acquireLease(collection, owner: owner) else {
                record.failure = SyncError(.busy, detail: "another run holds \(collection.href)").description
                await finish(&record)
                return record
            }
        } catch {
            record.failure = SyncError(store: error).description
            await finish(&record)
            return record
        }
        try? await store.saveRun(record)
        var run = SyncRun(synchronizer: self, collection: collection, record: record, leaseOwner: owner, progress: progress)
        do {
            try await run.perform()
        } catch {
            run.record.failure = error.description
        }
        record = run.record
        await finish(&record)
        try? await store.releaseLease(collectionID: collection.id, owner: owner)
        return record
    }
}

extension CollectionSynchronizer {
    /// Who holds the lease during `record`'s run (or commit): this process and the run.
    func leaseOwner(of record: SyncRunRecord) -> String {
        options.leaseOwner + "/" + String(record.id.prefix(8))
    }

    /// Takes the collection's lease for `owner`, waiting up to ``SyncOptions/leaseWait`` for
    /// another run to give it back; a lease left by a process of this host that has died (a
    /// killed CLI) is broken rather than waited out.
    func acquireLease(_ collection: CollectionRecord, owner: String) async throws(StoreError) -> Bool {
        let deadline = ContinuousClock.now + options.leaseWait
        var pause = Duration.milliseconds(20)
        while true {
            let now = Date()
            if try await store.acquireLease(collectionID: collection.id, owner: owner, now: now, expiry: now + options.leaseDuration) {
                return true
            }
            if let holder = try await store.leaseHolder(collectionID: collection.id, now: now), LeaseOwner.isDeadLocalProcess(holder) {
                try await store.releaseLease(collectionID: collection.id, owner: holder)
                continue
            }
            guard ContinuousClock.now + pause < deadline else { return false }
            do { try await Task.sleep(for: pause) } catch { return false }
            pause = min(pause * 2, .milliseconds(500))
        }
    }
}

/// Lease owner names: `host/pid/random` (and a run's id after it), so that a lease held by
/// a dead process of this host can be recognised.
public enum LeaseOwner {
    /// This process.
    public static let current = "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)/\(UUID().uuidString.prefix(8))"

    /// Whether `owner` names a process of this host that no longer runs.
    public static func isDeadLocalProcess(_ owner: String) -> Bool {
        let parts = owner.split(separator: "/")
        guard parts.count >= 3, parts[0] == ProcessInfo.processInfo.hostName, let pid = Int32(parts[1]) else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}

/// One run's working state.
struct SyncRun {
    let synchronizer: CollectionSynchronizer
    var collection: CollectionRecord
    var record: SyncRunRecord
    /// Who holds the collection's lease: this run.
    let leaseOwner: String
    let progress: @Sendable (SyncProgress) -> Void
    let flavor: ObjectFlavor

    /// The store's records by local id, kept current as the run commits.
    var items: [String: ItemRecord] = [:]
    /// Server objects fetched this run, by href, with their analysis.
    var remoteObjects: [String: (object: DAVObject, content: ItemContent)] = [:]
    /// Local items read this run, by local id.
    var localObjects: [String: (data: String, version: String, content: ItemContent)] = [:]
    /// The versions of local items read this run and found to be their synced copy still.
    var unchangedVersions: [String: String] = [:]
    /// Whether a failure that may pass (network, 5xx) happened: then the sync token stays.
    var transientFailure = false
    /// Downloads written locally, waiting to be committed together.
    var downloads: [ItemRecord] = []
    var leaseRenewedAt = Date()

    var client: DAVClient { synchronizer.client }
    var store: any SyncStore { synchronizer.store }
    var replica: any LocalReplica { synchronizer.replica }

    init(synchronizer: CollectionSynchronizer, collection: CollectionRecord, record: SyncRunRecord, leaseOwner: String,
         progress: @escaping @Sendable (SyncProgress) -> Void) {
        self.synchronizer = synchronizer
        self.collection = collection
        self.record = record
        self.leaseOwner = leaseOwner
        self.progress = progress
        flavor = collection.kind == .calendar ? .calendar : .addressBook
    }

    mutating func perform() async throws(SyncError) {
        progress(SyncProgress(collectionID: collection.id, phase: .listing, done: 0, total: 0))
        let collectionID = collection.id
        for item in try await storeCall({ store throws(StoreError) in try await store.items(in: collectionID) }) {
            items[item.localID] = item
        }
        if collection.localSide != replica.identity { try await bindLocalSide() }
        let confirmed = items.values.filter { $0.href != nil && $0.etag != nil }

        let (remote, remoteState) = try await remoteChanges(confirmed: confirmed)
        let local = try await localChanges(confirmed: confirmed)
        let synced = syncedItems(confirmed: confirmed, remote: remote, local: local)
        let newLocal = withoutDuplicateUIDs(local, synced: synced)

        let plan = SyncPlanner.plan(
            synced: synced, remote: remote, local: newLocal,
            policy: SyncPolicy(conflicts: collection.conflictPolicy, maxDeleteShare: collection.maxDeleteShare,
                               force: synchronizer.options.force, localDeletionsAreStated: replica.statesDeletions))
        if case .massDelete(let deletions, let total)? = plan.refusal {
            throw SyncError(.massDeleteRefused, href: collection.href,
                            detail: "the run would delete \(deletions) of \(total) items, over the limit of \(Int(collection.maxDeleteShare * 100))%; nothing was done (force it if this is intended)")
        }

        for (index, action) in plan.actions.enumerated() {
            if index % 64 == 0 {
                progress(SyncProgress(collectionID: collection.id, phase: .applying, done: index, total: plan.actions.count))
            }
            do {
                if case .download = action {} else { try await commitDownloads() }
                try await execute(action, retries: 1)
            } catch {
                note(error)
            }
            try await renewLeaseIfDue()
        }
        do {
            try await commitDownloads()
            try await rememberUnchangedVersions()
        } catch {
            note(error)
        }

        if !transientFailure {
            collection.syncToken = remoteState.syncToken
            collection.ctag = remoteState.ctag
            collection.lastSyncedAt = Date()
            try await storeCall { [collection] store throws(StoreError) in try await store.saveCollection(collection) }
        }
    }

    /// A run on a local side other than the one the synced state refers to: forget that
    /// state (the server's items are then new, and local items with the same names pair up
    /// with them) rather than read every missing item as deleted. Refused while the store
    /// holds edits not yet synced, which forgetting would lose.
    ///
    /// Items the server has never seen (no href) are new edits written into the store: when
    /// the store itself becomes the local side they are its own and are kept for upload.
    mutating func bindLocalSide() async throws(SyncError) {
        let keepsNewItems = replica.identity == StoreReplica.identity
        let bound = items.values.filter { $0.href != nil || !keepsNewItems }
        if let pending = bound.first(where: { $0.pendingData != nil || $0.pendingDeletion }) {
            throw SyncError(.local, localID: pending.localID,
                            detail: "the store holds local edits not yet synced from \(collection.localSide ?? "the store"); sync them there first")
        }
        for localID in bound.map(\.localID).sorted() { try await forget(localID) }
        collection.syncToken = nil
        collection.ctag = nil
        collection.localSide = replica.identity
        try await storeCall { [collection] store throws(StoreError) in try await store.saveCollection(collection) }
    }

    // MARK: Learning the changes

    /// The server's changes, the changed objects fetched and analysed, and the state to
    /// keep: a first sync takes a snapshot (token, then every object in one query), later
    /// ones ask for changes since the token or ctag and multiget what changed. An object
    /// that does not parse is logged and left out (its item stays as it was).
    mutating func remoteChanges(confirmed: [ItemRecord]) async throws(SyncError) -> ([String: RemoteChange], SyncState) {
        if confirmed.isEmpty, collection.syncToken == nil, collection.ctag == nil {
            do {
                let snapshot = try await client.snapshot(flavor, of: collection.href)
                record.method = "snapshot"
                progress(SyncProgress(collectionID: collection.id, phase: .fetching, done: 0, total: snapshot.objects.count))
                var remote: [String: RemoteChange] = [:]
                await analyse(snapshot.objects, into: &remote)
                return (remote, snapshot.state)
            } catch where [.tooLarge, .forbidden, .status].contains(error.code) {
                // Too big for one response, or no query REPORT here: list and multiget.
            } catch {
                throw SyncError(error)
            }
        }
        let changes: ChangeSet
        do {
            let known = Dictionary(confirmed.map { ($0.href!, $0.etag!) }, uniquingKeysWith: { first, _ in first })
            changes = try await client.changes(
                in: collection.href, since: SyncState(syncToken: collection.syncToken, ctag: collection.ctag, etags: known))
        } catch {
            throw SyncError(error)
        }
        record.method = changes.method.rawValue
        let wanted = (changes.added + changes.changed).map(\.href)
        progress(SyncProgress(collectionID: collection.id, phase: .fetching, done: 0, total: wanted.count))
        var remote: [String: RemoteChange] = [:]
        for href in changes.deleted { remote[href] = .gone }
        if !wanted.isEmpty {
            let fetched: MultigetResult
            do {
                fetched = try await client.multiget(flavor, in: collection.href, hrefs: wanted)
            } catch {
                throw SyncError(error)
            }
            for href in fetched.missing { remote[href] = .gone }
            await analyse(fetched.objects, into: &remote)
        }
        return (remote, changes.state)
    }

    /// One server object's content, or why it cannot be used.
    static func analyse(_ object: DAVObject, flavor: ObjectFlavor) -> Result<ItemContent, SyncError> {
        guard let data = object.data, object.etag != nil else {
            return .failure(SyncError(.malformedItem, href: object.href, detail: "the server sent no data or ETag"))
        }
        do {
            return .success(try ItemContent(data, flavor: flavor))
        } catch {
            return .failure(SyncError(.malformedItem, href: object.href, detail: error.description))
        }
    }

    /// Parses server objects (on every core: a first sync parses thousands) into `remote`.
    mutating func analyse(_ objects: [DAVObject], into remote: inout [String: RemoteChange]) async {
        let flavor = flavor
        let chunkSize = max(64, objects.count / max(1, ProcessInfo.processInfo.activeProcessorCount * 2) + 1)
        let chunks = stride(from: 0, to: objects.count, by: chunkSize).map { Array(objects[$0..<min($0 + chunkSize, objects.count)]) }
        let analysed = await withTaskGroup(of: [(DAVObject, Result<ItemContent, SyncError>)].self) { group in
            for chunk in chunks {
                group.addTask { chunk.map { ($0, Self.analyse($0, flavor: flavor)) } }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        for (object, result) in analysed {
            switch result {
            case .success(let content):
                remoteObjects[object.href] = (object, content)
                remote[object.href] = .present(etag: object.etag ?? "", content.state)
            case .failure(let error):
                note(error)
            }
        }
    }

    /// The local side's changes against the confirmed items: unchanged versions are not read.
    mutating func localChanges(confirmed: [ItemRecord]) async throws(SyncError) -> [String: LocalChange] {
        let versions = try await replica.versions()
        var local: [String: LocalChange] = [:]
        let confirmedIDs = Set(confirmed.map(\.localID))
        for item in confirmed {
            guard let version = versions[item.localID] else {
                local[item.localID] = .deleted
                continue
            }
            if version != item.localVersion, let content = await readLocal(item.localID, unlessStill: item.syncedData) {
                local[item.localID] = .present(content.state)
            }
        }
        for localID in versions.keys.sorted() where !confirmedIDs.contains(localID) {
            if let content = await readLocal(localID) { local[localID] = .present(content.state) }
        }
        return local
    }

    /// Reads and analyses a local item; one that cannot be read or parsed is logged and
    /// skipped. One whose bytes are still `synced` is unchanged, whatever its version says
    /// (touched, or read again because its remembered version was not trusted): it is not
    /// parsed, and its new version is remembered at the end of the run.
    mutating func readLocal(_ localID: String, unlessStill synced: String? = nil) async -> ItemContent? {
        do throws(SyncError) {
            let (data, version) = try await replica.read(localID)
            if let synced, data == synced {
                unchangedVersions[localID] = version
                return nil
            }
            do {
                let content = try ItemContent(data, flavor: flavor)
                localObjects[localID] = (data, version, content)
                return content
            } catch {
                throw SyncError(.malformedItem, localID: localID, detail: error.description)
            }
        } catch {
            note(error)
            return nil
        }
    }

    /// What the planner compares against: the confirmed items, plus a stand-in (empty ETag
    /// and hash) for each item whose upload was started but not confirmed, and for a local
    /// item that already carries the local id a new server item would get (a download
    /// interrupted before its commit). The planner then pairs both sides instead of
    /// duplicating the item.
    func syncedItems(confirmed: [ItemRecord], remote: [String: RemoteChange], local: [String: LocalChange]) -> [SyncedItem] {
        var synced = confirmed.map { SyncedItem(localID: $0.localID, href: $0.href!, etag: $0.etag!, contentHash: $0.contentHash ?? "") }
        var pairedIDs = Set(synced.map(\.localID))
        var pairedHrefs = Set(synced.map(\.href))
        for item in items.values.sorted(by: { $0.localID < $1.localID }) where item.etag == nil {
            guard let href = item.href, !pairedHrefs.contains(href) else { continue }
            synced.append(SyncedItem(localID: item.localID, href: href, etag: "", contentHash: ""))
            pairedIDs.insert(item.localID)
            pairedHrefs.insert(href)
        }
        for href in remote.keys.sorted() where !pairedHrefs.contains(href) {
            let localID = localID(forNew: href)
            if local[localID] != nil, !pairedIDs.contains(localID) {
                synced.append(SyncedItem(localID: localID, href: href, etag: "", contentHash: ""))
                pairedIDs.insert(localID)
                pairedHrefs.insert(href)
            }
        }
        return synced
    }

    /// Reports UIDs held by more than one item, and leaves out a new local item whose UID the
    /// collection already has (uploading it would make a second copy).
    mutating func withoutDuplicateUIDs(_ local: [String: LocalChange], synced: [SyncedItem]) -> [String: LocalChange] {
        let syncedIDs = Set(synced.map(\.localID))
        var holders: [String: [String]] = [:]
        for item in items.values { if let uid = item.uid, let href = item.href { holders[uid, default: []].append(href) } }
        let knownHrefs = Set(items.values.compactMap(\.href))
        for (href, remote) in remoteObjects where !knownHrefs.contains(href) {
            if let uid = remote.content.uid { holders[uid, default: []].append(href) }
        }
        for (uid, hrefs) in holders where Set(hrefs).count > 1 {
            note(SyncError(.duplicateUID, href: hrefs.sorted().first,
                           detail: "UID \(uid) is held by \(Set(hrefs).sorted().joined(separator: ", ")); kept apart, not merged"))
        }
        var result = local
        for (localID, change) in local where !syncedIDs.contains(localID) {
            guard case .present = change, let uid = localObjects[localID]?.content.uid, let hrefs = holders[uid] else { continue }
            note(SyncError(.duplicateUID, href: hrefs.first, localID: localID,
                           detail: "new local item has UID \(uid), which the collection already holds; not uploaded"))
            result.removeValue(forKey: localID)
        }
        return result
    }

    /// The local id for an item first seen at `href`: its file name without extension,
    /// restricted to characters safe in a file name, unless another item holds that id.
    func localID(forNew href: String) -> String {
        var name = String(href.split(separator: "/").last ?? "")
        if name.contains("%") { name = name.removingPercentEncoding ?? name }
        if let dot = name.lastIndex(of: "."), ["ics", "vcf"].contains(name[name.index(after: dot)...].lowercased()) {
            name = String(name[..<dot])
        }
        var safe = String(name.unicodeScalars.map { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_@".unicodeScalars.contains(scalar))
                ? Character(scalar) : "_"
        })
        if safe.isEmpty || safe.count > 200 { safe = ContentHash.hex(of: href) }
        if let holder = items[safe], holder.href != href { safe += "-" + ContentHash.hex(of: href).prefix(12) }
        return safe
    }

    // MARK: Carrying out the plan

    mutating func execute(_ action: SyncAction, retries: Int) async throws(SyncError) {
        switch action {
        case .download(let href, let localID):
            try await download(href, into: localID ?? self.localID(forNew: href))
        case .upload(let localID, let href, let ifMatch):
            try await upload(localID, to: href, ifMatch: ifMatch, retries: retries)
        case .deleteRemote(let href, let ifMatch):
            try await deleteRemote(href, ifMatch: ifMatch, retries: retries)
        case .deleteLocal(let localID):
            try await replica.remove(localID)
            try await forget(localID)
            record.counts.deletedLocally += 1
        case .adopt(let localID, let href, let etag, _):
            try await adopt(localID, href: href, etag: etag)
        case .forget(let localID):
            try await forget(localID)
        case .merge(let localID, let href, let remoteETag, let fallback):
            if try await !merge(localID, href: href, remoteETag: remoteETag, retries: retries) {
                try await execute(fallback, retries: retries)
                // The policy chose a side: never silently. (`manual` records its own.)
                if case .conflict = fallback {} else {
                    record.counts.conflicts += 1
                    note(SyncError(.conflict, href: href, localID: localID,
                                   detail: "both sides changed the same properties; the \(collection.conflictPolicy.rawValue) policy kept "
                                       + (Self.keepsLocal(fallback) ? "the local version" : "the server's version")))
                }
            }
        case .conflict(let localID, let href):
            try await keepConflict(localID, href: href)
        }
    }

    /// Whether a conflict policy's choice keeps the local side.
    static func keepsLocal(_ action: SyncAction) -> Bool {
        if case .upload = action { return true }
        return false
    }

    mutating func download(_ href: String, into localID: String) async throws(SyncError) {
        let (object, content) = try await remoteObject(href)
        let version = try await replica.write(localID, data: object.data ?? "")
        var item = items[localID] ?? ItemRecord(collectionID: collection.id, localID: localID)
        item.href = href
        item.etag = object.etag
        item.uid = content.uid
        item.syncedData = object.data
        item.contentHash = content.state.contentHash
        item.pendingData = nil
        item.pendingDeletion = false
        item.conflictData = nil
        item.conflictETag = nil
        item.localVersion = version
        item.fields = content.fields
        items[localID] = item
        downloads.append(item)
        if downloads.count >= 256 { try await commitDownloads() }
    }

    /// Local items read this run that turned out unchanged — touched, or read again because
    /// their remembered version was not to be trusted — get the version read, so that the
    /// next run need not read them again.
    mutating func rememberUnchangedVersions() async throws(SyncError) {
        var versions = unchangedVersions
        for (localID, read) in localObjects where read.content.state.contentHash == items[localID]?.contentHash {
            versions[localID] = read.version
        }
        var refreshed: [ItemRecord] = []
        for (localID, version) in versions {
            guard var item = items[localID], item.href != nil, item.pendingData == nil, item.localVersion != version else { continue }
            item.localVersion = version
            items[localID] = item
            refreshed.append(item)
        }
        guard !refreshed.isEmpty else { return }
        // A version is only worth keeping on the record it was read from.
        let revisions = try await storeCall { [refreshed] store throws(StoreError) in try await store.replaceItems(refreshed) }
        for (item, revision) in zip(refreshed, revisions) {
            guard let revision else { continue }
            items[item.localID]?.revision = revision
        }
    }

    /// Commits the downloads written so far in one transaction. Safe to defer: a download
    /// lost with its batch is seen again next run (the token has not moved) and pairs with
    /// the file already written, so it is adopted, not duplicated.
    ///
    /// Each download replaces only the record this run read (compare-and-swap): an item
    /// edited here meanwhile (an API edit, a booking) keeps its edit, and the server's change
    /// is decided again, against it, next run (the token stays where it was).
    mutating func commitDownloads() async throws(SyncError) {
        guard !downloads.isEmpty else { return }
        let batch = downloads
        downloads = []
        let revisions: [Int64?]
        do {
            revisions = try await store.replaceItems(batch)
        } catch {
            transientFailure = true
            throw SyncError(.store, detail: "\(batch.count) downloads not recorded: \(error)")
        }
        for (item, revision) in zip(batch, revisions) {
            if let revision {
                items[item.localID]?.revision = revision
                record.counts.downloaded += 1
            } else {
                transientFailure = true
                items[item.localID] = try await storeCall { store throws(StoreError) in
                    try await store.item(in: item.collectionID, localID: item.localID)
                }
            }
        }
    }

    mutating func upload(_ localID: String, to href: String?, ifMatch: String?, retries: Int) async throws(SyncError) {
        let local = try await localObject(localID)
        var item = items[localID] ?? ItemRecord(collectionID: collection.id, localID: localID)
        let target: String
        if let href {
            target = href
        } else {
            guard let uid = local.content.uid else {
                throw SyncError(.malformedItem, localID: localID, detail: "the item has no UID")
            }
            target = DAVClient.newHref(flavor, in: collection.href, uid: uid)
            // The intent first: a run killed after the PUT finds the item paired, not new.
            item.href = target
            item.etag = nil
            item.uid = uid
            try await save(item)
        }
        let written: DAVObject
        do {
            if let ifMatch, !ifMatch.isEmpty {
                written = try await client.updateObject(flavor, at: target, data: local.data, etag: ifMatch)
            } else {
                written = try await client.createObject(flavor, at: target, data: local.data)
            }
        } catch where error.code == .conflict && retries > 0 {
            try await reconsider(localID, href: target, local: .present(local.content.state), retries: retries - 1)
            return
        } catch {
            throw SyncError(error, href: target, localID: localID)
        }
        item.href = target
        item.etag = written.etag ?? ""
        item.uid = local.content.uid
        item.syncedData = local.data
        item.contentHash = local.content.state.contentHash
        item.pendingData = nil
        item.pendingDeletion = false
        item.conflictData = nil
        item.conflictETag = nil
        item.localVersion = replica.uploaded(localID, version: local.version)
        item.fields = local.content.fields
        try await save(item, resolving: local.data)
        record.counts.uploaded += 1
    }

    mutating func deleteRemote(_ href: String, ifMatch: String, retries: Int) async throws(SyncError) {
        guard let item = items.values.first(where: { $0.href == href }) else { return }
        if !ifMatch.isEmpty {
            do {
                try await client.delete(href, etag: ifMatch)
            } catch where error.code == .notFound {
                // Already gone: the goal is reached.
            } catch where error.code == .conflict && retries > 0 {
                try await reconsider(item.localID, href: href, local: .deleted, retries: retries - 1)
                return
            } catch {
                throw SyncError(error, href: href, localID: item.localID)
            }
        }
        try await forget(item.localID)
        record.counts.deletedRemotely += 1
    }

    /// A conditional write was refused (412): fetch the server's version and decide again.
    mutating func reconsider(_ localID: String, href: String, local: LocalChange, retries: Int) async throws(SyncError) {
        remoteObjects.removeValue(forKey: href)
        let remote: RemoteChange
        do {
            let (object, content) = try await remoteObject(href)
            remote = .present(etag: object.etag ?? "", content.state)
        } catch where error.serverCode == .notFound {
            remote = .gone
        }
        let base = items[localID].flatMap { item -> SyncedItem? in
            guard let href = item.href, let etag = item.etag else { return nil }
            return SyncedItem(localID: localID, href: href, etag: etag, contentHash: item.contentHash ?? "")
        } ?? SyncedItem(localID: localID, href: href, etag: "", contentHash: "")
        let policy = SyncPolicy(conflicts: collection.conflictPolicy, maxDeleteShare: 1, force: true)
        if let action = SyncPlanner.decide(base, remote: remote, local: local, policy: policy) {
            try await execute(action, retries: retries)
        }
    }

    mutating func adopt(_ localID: String, href: String, etag: String) async throws(SyncError) {
        guard var item = items[localID] else { return }
        item.href = href
        item.etag = etag
        if let remote = remoteObjects[href] {
            item.syncedData = remote.object.data
            item.contentHash = remote.content.state.contentHash
            item.uid = remote.content.uid
            item.fields = remote.content.fields
        }
        var resolved: String?
        if let local = localObjects[localID] {
            // Both sides hold the same content: the local version is the synced one now.
            item.localVersion = replica.uploaded(localID, version: local.version)
            item.pendingData = nil
            resolved = local.data
            if item.syncedData == nil {
                item.syncedData = local.data
                item.contentHash = local.content.state.contentHash
                item.fields = local.content.fields
            }
        }
        try await save(item, resolving: resolved)
    }

    /// Merges both edits; `false` when they collide (the fallback decides then).
    mutating func merge(_ localID: String, href: String, remoteETag: String, retries: Int) async throws(SyncError) -> Bool {
        let local = try await localObject(localID)
        guard let base = items[localID]?.syncedData, let theirs = try await remoteObject(href).object.data else { return false }
        let merged: [UInt8]? = switch flavor {
        case .calendar: ThreeWayMerge.calendarObject(base: Array(base.utf8), ours: Array(local.data.utf8), theirs: Array(theirs.utf8))
        case .addressBook: ThreeWayMerge.vCard(base: Array(base.utf8), ours: Array(local.data.utf8), theirs: Array(theirs.utf8))
        }
        guard let merged, let content = try? ItemContent(String(decoding: merged, as: UTF8.self), flavor: flavor) else { return false }
        let data = String(decoding: merged, as: UTF8.self)
        let written: DAVObject
        do {
            written = try await client.updateObject(flavor, at: href, data: data, etag: remoteETag)
        } catch where error.code == .conflict && retries > 0 {
            try await reconsider(localID, href: href, local: .present(local.content.state), retries: retries - 1)
            return true
        } catch {
            throw SyncError(error, href: href, localID: localID)
        }
        let version = try await replica.write(localID, data: data)
        var item = items[localID] ?? ItemRecord(collectionID: collection.id, localID: localID)
        item.etag = written.etag ?? ""
        item.syncedData = data
        item.contentHash = content.state.contentHash
        item.pendingData = nil
        item.localVersion = version
        item.fields = content.fields
        // An edit made here meanwhile was not part of this merge: it is merged next run,
        // against the same base (the merged version is on the server; its ETag is new).
        try await save(item, resolving: local.data, otherwise: .decideNextRun)
        record.counts.merged += 1
        return true
    }

    /// `manual`: both versions are kept — the local one in place, the server's beside it in
    /// the store — and the conflict is listed in the log.
    /// A server deletion of an item edited here is kept the same way, as an empty server
    /// version. A conflict already kept is noted once, not again every run.
    mutating func keepConflict(_ localID: String, href: String) async throws(SyncError) {
        var serverVersion = ""
        var serverETag: String?
        do {
            let remote = try await remoteObject(href)
            serverVersion = remote.object.data ?? ""
            serverETag = remote.object.etag
        } catch where error.serverCode == .notFound {
            // Deleted there: "keep mine" uploads it again, "accept the deletion" removes it here.
        }
        guard var item = items[localID] else { return }
        // The server's version is known by its ETag (a listing and a GET may differ in line
        // endings); a deletion by the empty version.
        let known = serverETag.map { item.conflictETag == $0 && item.conflictData != nil } ?? (item.conflictData == "")
        item.conflictData = serverVersion
        item.conflictETag = serverETag
        try await save(item)
        guard !known else { return }
        record.counts.conflicts += 1
        note(SyncError(.conflict, href: href, localID: localID,
                       detail: serverVersion.isEmpty ? "deleted on the server and edited here; both are kept for a person to choose"
                           : "both sides changed the item; the server's version is kept beside the local one"))
    }

    // MARK: Helpers

    mutating func remoteObject(_ href: String) async throws(SyncError) -> (object: DAVObject, content: ItemContent) {
        if let cached = remoteObjects[href] { return cached }
        do {
            let resource = try await client.get(href)
            let data = String(decoding: resource.body, as: UTF8.self)
            let content: ItemContent
            do {
                content = try ItemContent(data, flavor: flavor)
            } catch {
                throw SyncError(.malformedItem, href: href, detail: error.description)
            }
            let object = DAVObject(href: href, etag: resource.etag, data: data)
            remoteObjects[href] = (object, content)
            return (object, content)
        } catch let error as SyncError {
            throw error
        } catch let error as DAVError {
            throw SyncError(error, href: href)
        } catch {
            throw SyncError(.server, href: href, detail: "\(error)")
        }
    }

    mutating func localObject(_ localID: String) async throws(SyncError) -> (data: String, version: String, content: ItemContent) {
        if let cached = localObjects[localID] { return cached }
        guard await readLocal(localID) != nil, let read = localObjects[localID] else {
            throw SyncError(.local, localID: localID, detail: "the local item could not be read")
        }
        return read
    }

    /// What to do when another writer changed an item while the run decided it.
    enum OnConcurrentEdit {
        /// Write what the run learned of the server onto the newer record (see ``save(_:resolving:otherwise:)``).
        case rebase
        /// Write nothing now; the item is decided again next run (the token stays).
        case decideNextRun
    }

    /// Writes what the run decided for an item, compare-and-swap against the revision the
    /// run read. When another writer (an API edit, a booking) got there first, what the run
    /// learned of the server — href, ETag, the synced copy, a kept conflict — is written
    /// onto the newer record, whose own local edit stays pending unless it is the very
    /// content this run put on the server (`resolving`): a pending edit is cleared only by
    /// the upload of that content.
    mutating func save(_ item: ItemRecord, resolving uploaded: String? = nil, otherwise: OnConcurrentEdit = .rebase) async throws(SyncError) {
        // The decision is written onto the record as last read (the decision may have been
        // made from an older copy): its server-side facts, and the local edit it resolved.
        var latest = items[item.localID]
        for _ in 0..<8 {
            var record = latest.map { Self.rebase(item, onto: $0, resolving: uploaded) } ?? item
            record.revision = latest?.revision ?? 0
            let written = try await storeCall { [record] store throws(StoreError) in try await store.replaceItems([record]) }
            if let revision = written.first ?? nil {
                record.revision = revision
                items[item.localID] = record
                return
            }
            latest = try await storeCall { store throws(StoreError) in try await store.item(in: item.collectionID, localID: item.localID) }
            guard let current = latest else {
                items.removeValue(forKey: item.localID)
                return
            }
            items[item.localID] = current
            guard otherwise == .rebase else {
                transientFailure = true
                return
            }
        }
        throw SyncError(.store, localID: item.localID, detail: "the item kept changing while the run wrote it")
    }

    /// The server-side facts of `decided` on top of `current`, the record as last read: its
    /// local edit is cleared (with the local version and fields of what was uploaded) only
    /// when it is the content the run resolved.
    static func rebase(_ decided: ItemRecord, onto current: ItemRecord, resolving uploaded: String?) -> ItemRecord {
        var rebased = current
        rebased.href = decided.href
        rebased.etag = decided.etag
        rebased.uid = current.uid ?? decided.uid
        rebased.syncedData = decided.syncedData
        rebased.contentHash = decided.contentHash
        rebased.conflictData = decided.conflictData
        rebased.conflictETag = decided.conflictETag
        let pendingIsResolved = uploaded != nil && (current.pendingData == uploaded || current.pendingData == nil) && !current.pendingDeletion
        if pendingIsResolved {
            rebased.pendingData = nil
            rebased.localVersion = decided.localVersion
            rebased.fields = decided.fields
        }
        return rebased
    }

    /// Removes an item's record (leaving a tombstone), compare-and-swap: an item edited here
    /// meanwhile is kept, as a new item (the server's copy is gone) that the next run uploads.
    mutating func forget(_ localID: String) async throws(SyncError) {
        for _ in 0..<8 {
            let revision = items[localID]?.revision ?? 0
            let deleted = try await storeCall { [collection] store throws(StoreError) in
                try await store.deleteItem(in: collection.id, localID: localID, ifRevision: revision, at: Date())
            }
            if deleted {
                items.removeValue(forKey: localID)
                return
            }
            guard var current = try await storeCall({ [collection] store throws(StoreError) in
                try await store.item(in: collection.id, localID: localID)
            }) else {
                items.removeValue(forKey: localID)
                return
            }
            items[localID] = current
            guard current.pendingData != nil, !current.pendingDeletion else { continue }
            current.href = nil
            current.etag = nil
            current.syncedData = nil
            current.contentHash = nil
            current.conflictData = nil
            current.conflictETag = nil
            let kept = try await storeCall { [current] store throws(StoreError) in try await store.replaceItems([current]) }
            if let revision = kept.first ?? nil {
                current.revision = revision
                items[localID] = current
                note(SyncError(.conflict, href: nil, localID: localID,
                               detail: "the item was edited here while the run removed it; it is kept and uploaded again"))
                return
            }
        }
        throw SyncError(.store, localID: localID, detail: "the item kept changing while the run removed it")
    }

    mutating func renewLeaseIfDue() async throws(SyncError) {
        let now = Date()
        let options = synchronizer.options
        guard now.timeIntervalSince(leaseRenewedAt) > options.leaseDuration / 3 else { return }
        let renewed = try await storeCall { [collection, leaseOwner] store throws(StoreError) in
            try await store.acquireLease(collectionID: collection.id, owner: leaseOwner, now: now, expiry: now + options.leaseDuration)
        }
        guard renewed else { throw SyncError(.busy, detail: "the lease on \(collection.href) was lost") }
        leaseRenewedAt = now
    }

    mutating func note(_ error: SyncError) {
        if error.isTransient { transientFailure = true }
        if error.code != .conflict { record.counts.errors += 1 }
        record.itemErrors.append(SyncRunRecord.ItemError(href: error.href, localID: error.localID, message: error.description))
    }

    func storeCall<T>(_ body: (any SyncStore) async throws(StoreError) -> T) async throws(SyncError) -> T {
        do { return try await body(store) } catch { throw SyncError(store: error) }
    }
}
