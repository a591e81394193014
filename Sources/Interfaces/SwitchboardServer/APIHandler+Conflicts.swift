import Foundation
import SwitchboardAPI
import SyncEngine
import SwitchboardStore

/// Conflicts (items both sides changed, under the `manual` policy): listed with both
/// versions and the merged proposal, and resolved by a person's choice.
extension APIHandler {
    func listConflicts(_ input: Operations.ListConflicts.Input) async throws -> Operations.ListConflicts.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.read)
            var collections = try await collections(of: principal)
            if let only = input.query.collectionId { collections = [try await collection(only, of: principal)] }
            let conflicts = try await call { () throws(ConflictError) in try await resolver.conflicts(in: collections) }
            return .ok(.init(body: .json(conflicts.map {
                .init(id: $0.id, collectionId: $0.collectionID, href: $0.href, uid: $0.uid, local: $0.local, remote: $0.remote, proposal: $0.proposal)
            })))
        }
    }

    func resolveConflict(_ input: Operations.ResolveConflict.Input) async throws -> Operations.ResolveConflict.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let principal = try Principal.requiring(.book)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            let unknown = Problem.notFound("no conflict \(input.path.conflictId)")
            guard let (collectionID, localID) = ConflictResolver.item(named: input.path.conflictId) else { throw unknown }
            let owned: CollectionRecord
            do throws(Problem) {
                owned = try await collection(collectionID, of: principal)
            } catch {
                throw unknown
            }
            let choice: ConflictChoice
            switch body.keep {
            case .local: choice = .local
            case .remote: choice = .remote
            case .merged:
                guard let data = body.data else { throw Problem.invalid("data", "give the merged version with keep: merged") }
                choice = .merged(data)
            }
            let item = try await call { () throws(ConflictError) in try await resolver.resolve(localID, in: owned, keep: choice) }
            let state: Components.Schemas.ResolvedConflict.StatePayload = switch item.map(ItemWriter.state(of:)) {
            case nil: .deleted
            case .synced?: .synced
            case .pending?: .pending
            case .conflict?: .conflict
            }
            return .ok(.init(body: .json(.init(id: input.path.conflictId, collectionId: collectionID, state: state))))
        }
    }
}

extension Problem {
    init(_ error: ConflictError) {
        switch error.code {
        case .notFound: self = .notFound("no such conflict (resolved meanwhile?)")
        case .folderSide: self.init(status: 409, code: "folder_side", title: "Resolved in the folder", detail: error.detail)
        case .invalid: self = .invalid("data", error.detail)
        case .store: self.init(status: 503, code: "store_unavailable", title: "Store unavailable", detail: "the store could not answer")
        }
    }
}
