import Foundation
public import SwitchboardStore
import Webhooks

extension Hub {
    /// Records a finished sync run's domain event in the outbox, for the collection's tenant:
    /// `calendar.changed` when the run brought changes from the server, `sync.failed` when it
    /// failed (nothing for an operator's collection, or a run that changed nothing here).
    /// Whoever ran it (the server's sync service, an API call, the CLI), the event is the same.
    public func recordEvents(of run: SyncRunRecord) async {
        let counts = run.counts
        let changed = counts.downloaded + counts.deletedLocally + counts.merged
        guard run.failure != nil || changed > 0,
              let collection = try? await store.collection(id: run.collectionID),
              let tenantID = try? await store.account(id: collection.accountID)?.tenantID
        else { return }
        if let failure = run.failure {
            await webhooks.emit(tenantID: tenantID, type: "sync.failed",
                                data: SyncFailed(collectionId: run.collectionID, runId: run.id, kind: collection.kind.rawValue, failure: failure))
        } else {
            await webhooks.emit(tenantID: tenantID, type: "calendar.changed",
                                data: CollectionChanged(collectionId: run.collectionID, runId: run.id, kind: collection.kind.rawValue,
                                                        downloaded: counts.downloaded, deleted: counts.deletedLocally, merged: counts.merged))
        }
    }

    /// The `data` of a `sync.failed` event.
    struct SyncFailed: Encodable, Sendable {
        var collectionId: String
        var runId: String
        var kind: String
        var failure: String
    }

    /// The `data` of a `calendar.changed` event: what the run brought from the server.
    struct CollectionChanged: Encodable, Sendable {
        var collectionId: String
        var runId: String
        var kind: String
        var downloaded: Int
        var deleted: Int
        var merged: Int
    }
}
