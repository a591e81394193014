import SwitchboardCore
import Foundation
import SwitchboardAPI
import SyncEngine
import SyncPlanning
import SwitchboardStore

/// Collections (the tenant's synced calendars and address books), their settings, and sync
/// runs on demand with the sync log.
extension APIHandler {
    func listCollections(_ input: Operations.ListCollections.Input) async throws -> Operations.ListCollections.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.read)
            let owned = try await collections(of: principal)
            return .ok(.init(body: .json(owned.map(Self.collection))))
        }
    }

    func updateCollection(_ input: Operations.UpdateCollection.Input) async throws -> Operations.UpdateCollection.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            var collection = try await collection(input.path.collectionId, of: try Principal.requiring(.admin))
            guard case .json(let change) = input.body else { throw Problem.invalid("body", "send application/json") }
            if let enabled = change.enabled { collection.enabled = enabled }
            if let interval = change.syncIntervalSeconds {
                guard (60...604_800).contains(interval) else { throw Problem.invalid("syncIntervalSeconds", "between 60 and 604800") }
                collection.syncInterval = interval
            }
            if let policy = change.conflictPolicy {
                guard let known = ConflictPolicy(rawValue: policy.rawValue) else { throw Problem.invalid("conflictPolicy", "unknown policy") }
                collection.conflictPolicy = known
            }
            try await call { [collection] () throws(StoreError) in try await store.saveCollection(collection) }
            return .ok(.init(body: .json(Self.collection(collection))))
        }
    }

    func syncCollection(_ input: Operations.SyncCollection.Input) async throws -> Operations.SyncCollection.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let collection = try await collection(input.path.collectionId, of: try Principal.requiring(.book))
            let run = await syncer.sync(collection)
            await hub.recordEvents(of: run)
            return .ok(.init(body: .json(Self.run(run))))
        }
    }

    func listSyncRuns(_ input: Operations.ListSyncRuns.Input) async throws -> Operations.ListSyncRuns.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let collection = try await collection(input.path.collectionId, of: try Principal.requiring(.read))
            let limit = input.query.limit ?? 20
            guard (1...200).contains(limit) else { throw Problem.invalid("limit", "between 1 and 200") }
            let runs = try await call { () throws(StoreError) in try await store.runs(collectionID: collection.id, limit: limit) }
            return .ok(.init(body: .json(runs.map(Self.run))))
        }
    }

    // MARK: Tenancy

    /// The collections of the principal's tenant's accounts.
    func collections(of principal: Principal) async throws(Problem) -> [CollectionRecord] {
        try await lookup { () throws(LookupError) in try await hub.tenant(principal.tenantID).collections() }
    }

    /// One of the principal's tenant's collections; another tenant's looks missing.
    func collection(_ id: String, of principal: Principal, kind: CollectionKind? = nil) async throws(Problem) -> CollectionRecord {
        try await lookup { () throws(LookupError) in try await hub.tenant(principal.tenantID).collection(id, kind: kind) }
    }

    // MARK: Rendering

    static func collection(_ collection: CollectionRecord) -> Components.Schemas.Collection {
        .init(id: collection.id, accountId: collection.accountID, kind: collection.kind == .calendar ? .calendar : .addressbook,
              href: collection.href, displayName: collection.displayName, color: collection.color, enabled: collection.enabled,
              syncIntervalSeconds: collection.syncInterval, conflictPolicy: .init(rawValue: collection.conflictPolicy.rawValue) ?? .remoteWins,
              lastSyncedAt: collection.lastSyncedAt)
    }

    static func run(_ run: SyncRunRecord) -> Components.Schemas.SyncRun {
        let counts = run.counts
        return .init(id: run.id, collectionId: run.collectionID, startedAt: run.startedAt, finishedAt: run.finishedAt, method: run.method,
                     failure: run.failure,
                     counts: .init(downloaded: counts.downloaded, uploaded: counts.uploaded, deletedLocally: counts.deletedLocally,
                                   deletedRemotely: counts.deletedRemotely, merged: counts.merged, conflicts: counts.conflicts, errors: counts.errors),
                     itemErrors: run.itemErrors.map { .init(href: $0.href, itemId: $0.localID, message: $0.message) })
    }
}
