/// Decides a sync run: from the last synced state, the changes on both sides and the
/// policy, the list of actions. Pure: no I/O, no clock, so every rule is tested as values.
public enum SyncPlanner {
    /// The plan for one collection.
    ///
    /// - Parameters:
    ///   - synced: what both sides agreed on after the last run.
    ///   - remote: server changes by href (items not listed are unchanged).
    ///   - local: local changes by local id (items not listed are unchanged).
    ///   - policy: conflict resolution and the mass-delete guard.
    public static func plan(
        synced: [SyncedItem], remote: [String: RemoteChange], local: [String: LocalChange], policy: SyncPolicy
    ) -> SyncPlan {
        var actions: [SyncAction] = []
        var knownHrefs: Set<String> = []
        var knownLocalIDs: Set<String> = []
        for item in synced {
            knownHrefs.insert(item.href)
            knownLocalIDs.insert(item.localID)
            if let action = decide(item, remote: remote[item.href], local: local[item.localID], policy: policy) {
                actions.append(action)
            }
        }
        for (href, change) in remote.sorted(by: { $0.key < $1.key }) where !knownHrefs.contains(href) {
            if case .present = change { actions.append(.download(href: href, localID: nil)) }
        }
        for (localID, change) in local.sorted(by: { $0.key < $1.key }) where !knownLocalIDs.contains(localID) {
            if case .present = change { actions.append(.upload(localID: localID, href: nil, ifMatch: nil)) }
        }

        let deletions = actions.filter { action in
            action.deletes && !(policy.localDeletionsAreStated && action.deletesRemotely)
        }.count
        if !policy.force, !synced.isEmpty, Double(deletions) > policy.maxDeleteShare * Double(synced.count) {
            return SyncPlan(actions: [], refusal: .massDelete(deletions: deletions, synced: synced.count))
        }
        // A stable sort: within a phase, the order above (known items, then new ones) stays.
        let ordered = actions.enumerated().sorted { ($0.element.phase, $0.offset) < ($1.element.phase, $1.offset) }.map(\.element)
        return SyncPlan(actions: ordered, refusal: nil)
    }

    /// The action for one item both sides knew; also what an executor asks again when the
    /// server rejected a conditional write and it has fetched the server's current version.
    public static func decide(_ item: SyncedItem, remote: RemoteChange?, local: LocalChange?, policy: SyncPolicy) -> SyncAction? {
        let remoteNow = RemoteSide(item: item, change: remote)
        let localNow = LocalSide(item: item, change: local)
        switch (remoteNow, localNow) {
        case (.unchanged(let etag), .unchanged):
            return etag == item.etag ? nil : .adopt(localID: item.localID, href: item.href, etag: etag, contentHash: item.contentHash)
        case (.changed, .unchanged):
            return .download(href: item.href, localID: item.localID)
        case (.unchanged(let etag), .changed):
            return .upload(localID: item.localID, href: item.href, ifMatch: etag)
        case (.gone, .unchanged):
            return .deleteLocal(localID: item.localID)
        case (.unchanged(let etag), .deleted):
            return .deleteRemote(href: item.href, ifMatch: etag)
        case (.gone, .deleted):
            return .forget(localID: item.localID)
        case (.changed(let etag, let theirs), .changed(let ours)):
            if theirs.contentHash == ours.contentHash {
                return .adopt(localID: item.localID, href: item.href, etag: etag, contentHash: ours.contentHash)
            }
            return .merge(localID: item.localID, href: item.href, remoteETag: etag,
                          fallback: resolve(item, remoteETag: etag, theirs: theirs, ours: ours, policy: policy.conflicts))
        case (.changed(let etag, _), .deleted):
            // Edited there, deleted here: a deletion only wins when local wins outright.
            switch policy.conflicts {
            case .localWins: return .deleteRemote(href: item.href, ifMatch: etag)
            case .manual: return .conflict(localID: item.localID, href: item.href)
            case .remoteWins, .newestWins: return .download(href: item.href, localID: item.localID)
            }
        case (.gone, .changed):
            // Deleted there, edited here: the edit survives unless the server wins outright.
            switch policy.conflicts {
            case .remoteWins: return .deleteLocal(localID: item.localID)
            case .manual: return .conflict(localID: item.localID, href: item.href)
            case .localWins, .newestWins: return .upload(localID: item.localID, href: nil, ifMatch: nil)
            }
        }
    }

    /// The fallback when a merge finds the same property changed on both sides.
    static func resolve(_ item: SyncedItem, remoteETag: String, theirs: ItemState, ours: ItemState, policy: ConflictPolicy) -> SyncAction {
        switch policy {
        case .remoteWins: .download(href: item.href, localID: item.localID)
        case .localWins: .upload(localID: item.localID, href: item.href, ifMatch: remoteETag)
        case .newestWins:
            ours.version > theirs.version
                ? .upload(localID: item.localID, href: item.href, ifMatch: remoteETag)
                : .download(href: item.href, localID: item.localID)
        case .manual: .conflict(localID: item.localID, href: item.href)
        }
    }
}

/// The server side of one known item, relative to the last sync.
private enum RemoteSide {
    case unchanged(etag: String)
    case changed(etag: String, ItemState)
    case gone

    init(item: SyncedItem, change: RemoteChange?) {
        switch change {
        case nil: self = .unchanged(etag: item.etag)
        case .gone: self = .gone
        case .present(let etag, let state):
            // Same content under a new ETag is a server rewrite, not a change.
            self = state.contentHash == item.contentHash ? .unchanged(etag: etag) : .changed(etag: etag, state)
        }
    }
}

/// The local side of one known item, relative to the last sync.
private enum LocalSide {
    case unchanged
    case changed(ItemState)
    case deleted

    init(item: SyncedItem, change: LocalChange?) {
        switch change {
        case nil: self = .unchanged
        case .deleted: self = .deleted
        case .present(let state): self = state.contentHash == item.contentHash ? .unchanged : .changed(state)
        }
    }
}

extension SyncAction {
    /// Whether the action deletes an item on the server because the local side deleted it.
    var deletesRemotely: Bool {
        switch self {
        case .deleteRemote: true
        case .merge(_, _, _, let fallback): fallback.deletesRemotely
        default: false
        }
    }

    /// Whether the action deletes an item on either side.
    var deletes: Bool {
        switch self {
        case .deleteLocal, .deleteRemote: true
        case .merge(_, _, _, let fallback): fallback.deletes
        default: false
        }
    }

    /// Execution order: reads and bookkeeping first, then writes, deletions last, so an
    /// interrupted run has lost nothing.
    var phase: Int {
        switch self {
        case .adopt, .forget, .download, .conflict: 0
        case .merge, .upload: 1
        case .deleteLocal, .deleteRemote: 2
        }
    }
}
