import DAVClient
import Foundation
import SyncPlanning
public import SwitchboardStore

/// What committing one item's edit came to.
public enum WriteOutcome: Sendable {
    /// The server holds the edit: the item as stored now, its `etag` the server's.
    case uploaded(ItemRecord)
    /// The server had changed the item too; it now holds the merge of both edits.
    case merged(ItemRecord)
    /// The server holds another version: the collection's policy kept the server's (the
    /// item as stored now, `nil` when the server had deleted it) or, `manual`, both.
    case conflict(current: ItemRecord?)
    /// The item is deleted, on the server and here.
    case deleted
    /// The edit waits in the store, for the sync service: the server could not be reached
    /// or refused it for now, or another run held the collection. Why, typed.
    case pending(ItemRecord?, SyncError)
}

extension CollectionSynchronizer {
    /// The item as the server holds it now, by one conditional `GET` of that item (no
    /// listing): a newer server version replaces the store's synced copy — compare-and-swap,
    /// and only while the item has no local edit of its own, which the commit's condition
    /// then meets. `nil` when the item is gone; the store's copy when the server cannot say.
    public func refresh(_ localID: String, in collection: CollectionRecord) async throws(SyncError) -> ItemRecord? {
        var run = SyncRun(synchronizer: self, collection: collection, record: SyncRunRecord(collectionID: collection.id),
                          leaseOwner: options.leaseOwner, progress: { _ in })
        guard let item = try await run.load(localID) else { return nil }
        guard let href = item.href, let etag = item.etag, !etag.isEmpty,
              item.pendingData == nil, !item.pendingDeletion, item.conflictData == nil
        else { return item }
        let resource: DAVResource?
        do {
            resource = try await client.get(href, ifNoneMatch: etag)
        } catch where error.code == .notFound {
            try await run.forget(localID)
            return run.items[localID]
        } catch {
            throw SyncError(error, href: href, localID: localID)
        }
        guard let resource else { return item }
        let object = DAVObject(href: href, etag: resource.etag, data: String(decoding: resource.body, as: UTF8.self))
        switch SyncRun.analyse(object, flavor: run.flavor) {
        case .success(let content): run.remoteObjects[href] = (object, content)
        case .failure(let error): throw error
        }
        try await run.download(href, into: localID)
        try await run.commitDownloads()
        return run.items[localID]
    }

    /// Carries one item's edit, pending in the store, to the server: the one way an edit
    /// reaches it. Under the collection's lease, with a conditional request for that item
    /// only (`If-Match` the version last synced, `If-None-Match: *` for a new item); a
    /// refused condition fetches the server's version and decides with ``SyncPlanner`` and
    /// the collection's policy (merge, one side, or both kept), as a sync run does — both
    /// carry out their actions with the same executor. `written`, the edit's content as
    /// the caller parsed it, spares parsing it again.
    ///
    /// A create whose first attempt landed but whose answer was lost meets its own content
    /// on the retry's refusal and is adopted, not reported as a conflict.
    public func commit(_ localID: String, in collection: CollectionRecord, written: (data: String, content: ItemContent)? = nil) async
        -> WriteOutcome
    {
        guard collection.localSide == replica.identity else {
            // Not yet bound to this local side: a whole run binds it and uploads the edit.
            let run = await sync(collection)
            let item = try? await store.item(in: collection.id, localID: localID)
            return run.failure.map { .pending(item, SyncError(.server, detail: $0, isTransient: true)) } ?? Self.outcome(settled: item)
        }
        let record = SyncRunRecord(collectionID: collection.id)
        let owner = leaseOwner(of: record)
        do {
            guard try await acquireLease(collection, owner: owner) else {
                let item = try? await store.item(in: collection.id, localID: localID)
                return .pending(item, SyncError(.busy, localID: localID, detail: "another run holds \(collection.href); the edit is uploaded by the next",
                                                isTransient: true))
            }
        } catch {
            return .pending(nil, SyncError(store: error))
        }
        var run = SyncRun(synchronizer: self, collection: collection, record: record, leaseOwner: owner, progress: { _ in })
        let outcome = await run.commit(localID, written: written)
        if !run.record.itemErrors.isEmpty {
            // What the policy settled, or why the edit waits, is in the sync log too.
            run.record.method = "commit"
            run.record.finishedAt = Date()
            try? await store.saveRun(run.record)
        }
        try? await store.releaseLease(collectionID: collection.id, owner: owner)
        return outcome
    }

    /// The outcome an item's state tells, once nothing of it is pending.
    static func outcome(settled item: ItemRecord?) -> WriteOutcome {
        guard let item else { return .deleted }
        if item.conflictData != nil { return .conflict(current: item) }
        if item.pendingData != nil || item.pendingDeletion {
            return .pending(item, SyncError(.busy, localID: item.localID, detail: "the edit waits for the next sync", isTransient: true))
        }
        return .uploaded(item)
    }
}

extension SyncRun {
    /// Reads one item into the run's records.
    mutating func load(_ localID: String) async throws(SyncError) -> ItemRecord? {
        let collectionID = collection.id
        let item = try await storeCall { store throws(StoreError) in try await store.item(in: collectionID, localID: localID) }
        items[localID] = item
        return item
    }

    /// Commits one item's pending edit (see ``CollectionSynchronizer/commit(_:in:written:)``).
    mutating func commit(_ localID: String, written: (data: String, content: ItemContent)?) async -> WriteOutcome {
        let item: ItemRecord
        do {
            guard let loaded = try await load(localID) else { return .deleted }
            item = loaded
        } catch {
            return .pending(nil, error)
        }
        if let written, item.pendingData == written.data {
            localObjects[localID] = (written.data, StoreReplica.version(of: item), written.content)
        }
        do {
            switch (item.pendingData, item.pendingDeletion, item.href, item.etag ?? "") {
            case (_, true, nil, _):
                // Never uploaded: nothing to delete there.
                try await forget(localID)
            case (_, true, let href?, ""):
                // An upload whose outcome is unknown: what is there decides.
                try await reconsider(localID, href: href, local: .deleted, retries: 1)
            case (_, true, let href?, let etag):
                try await execute(.deleteRemote(href: href, ifMatch: etag), retries: 1)
            case (nil, false, _, _):
                // Nothing pending: uploaded meanwhile (by a run), or in conflict.
                return CollectionSynchronizer.outcome(settled: item)
            case (_, false, let href, let etag):
                // A new item creates (`If-None-Match: *`), a known one replaces its version.
                try await execute(.upload(localID: localID, href: href, ifMatch: etag.isEmpty ? nil : etag), retries: 1)
            }
            try await commitDownloads()
        } catch {
            note(error)
            return .pending(items[localID], error)
        }
        let current = items[localID]
        let counts = record.counts
        if counts.conflicts > 0 || current?.conflictData != nil || counts.deletedLocally > 0 || counts.downloaded > 0 {
            return .conflict(current: current)
        }
        if counts.merged > 0, let current { return .merged(current) }
        if counts.deletedRemotely > 0 || current == nil { return .deleted }
        if let current, current.pendingData == nil, !current.pendingDeletion { return .uploaded(current) }
        return .pending(current, record.itemErrors.last.map { SyncError(.server, localID: localID, detail: $0.message, isTransient: true) }
            ?? SyncError(.busy, localID: localID, detail: "the item changed while it was committed; the next sync uploads it", isTransient: true))
    }
}
