import SwitchboardTestSupport
import SyncPlanning
import Testing

/// A model of a server and a local store, edited at random on both sides (with server
/// rewrites and flaky ETags) and synced in between through the planner and a small
/// executor that honours the conditional-request rules. After the edits stop, a few runs
/// must converge: both sides hold the same items, and no item whose deletion nobody asked
/// for is gone.
@Suite("Sync planner model")
struct SyncModelTests {
    /// An item's content: a logical identity, a version, and server noise (a rewrite
    /// counter standing for DTSTAMP/PRODID churn) that the content hash leaves out.
    struct Content: Hashable {
        var identity: Int
        var version: Int
        var noise = 0
        var hash: String { "\(identity).\(version)" }
    }

    struct World {
        var server: [String: (etag: Int, content: Content)] = [:]
        var local: [String: Content] = [:]
        var tombstones: Set<String> = []
        var synced: [String: SyncedItem] = [:]  // by local id
        var counter = 0
        var deletionsAsked: Set<Int> = []
        var created: Set<Int> = []

        mutating func next() -> Int {
            counter += 1
            return counter
        }

        // MARK: Random edits

        mutating func edit(_ random: inout SeededGenerator) {
            switch Int.random(in: 0..<9, using: &random) {
            case 0:
                let identity = next()
                created.insert(identity)
                server["/cal/\(identity).ics"] = (next(), Content(identity: identity, version: 0))
            case 1:
                guard let href = server.keys.sorted().randomElement(using: &random), let old = server[href] else { return }
                server[href] = (next(), Content(identity: old.content.identity, version: old.content.version + 1 + next()))
            case 2:
                guard let href = server.keys.sorted().randomElement(using: &random), let old = server[href] else { return }
                deletionsAsked.insert(old.content.identity)
                server[href] = nil
            case 3:
                // A server rewrite, or a flaky ETag: new ETag, same meaning.
                guard let href = server.keys.sorted().randomElement(using: &random), var old = server[href] else { return }
                old.content.noise += 1
                server[href] = (next(), old.content)
            case 4:
                let identity = next()
                created.insert(identity)
                local["L\(identity)"] = Content(identity: identity, version: 0)
            case 5, 6:
                guard let id = local.keys.sorted().randomElement(using: &random), let old = local[id] else { return }
                local[id] = Content(identity: old.identity, version: old.version + 1 + next())
            default:
                guard let id = local.keys.sorted().randomElement(using: &random), let old = local[id] else { return }
                deletionsAsked.insert(old.identity)
                local[id] = nil
                if synced[id] != nil { tombstones.insert(id) }
            }
        }

        // MARK: A run

        /// Plans and executes one run; returns the number of actions.
        @discardableResult
        mutating func sync(_ policy: ConflictPolicy) -> Int {
            var remote: [String: RemoteChange] = [:]
            let knownHrefs = Set(synced.values.map(\.href))
            for item in synced.values {
                if let now = server[item.href] {
                    if String(now.etag) != item.etag { remote[item.href] = .present(etag: String(now.etag), state(now.content)) }
                } else {
                    remote[item.href] = .gone
                }
            }
            for (href, now) in server where !knownHrefs.contains(href) {
                remote[href] = .present(etag: String(now.etag), state(now.content))
            }
            var localChanges: [String: LocalChange] = [:]
            for id in tombstones { localChanges[id] = .deleted }
            for (id, content) in local where synced[id]?.contentHash != content.hash {
                localChanges[id] = .present(state(content))
            }
            let plan = SyncPlanner.plan(
                synced: synced.values.sorted { $0.localID < $1.localID }, remote: remote, local: localChanges,
                policy: SyncPolicy(conflicts: policy, force: true))
            for action in plan.actions { execute(action) }
            return plan.actions.count
        }

        private func state(_ content: Content) -> ItemState {
            ItemState(contentHash: content.hash, version: ItemVersion(sequence: content.version))
        }

        private mutating func execute(_ action: SyncAction) {
            switch action {
            case .download(let href, let localID):
                guard let now = server[href] else { return }
                let id = localID ?? "R\(next())"
                local[id] = now.content
                tombstones.remove(id)
                synced[id] = SyncedItem(localID: id, href: href, etag: String(now.etag), contentHash: now.content.hash)
            case .upload(let id, let href, let ifMatch):
                guard let content = local[id] else { return }
                let target = href ?? "/cal/new-\(next()).ics"
                if let ifMatch {
                    guard let now = server[target], String(now.etag) == ifMatch else { return }  // 412: next run decides
                } else if server[target] != nil {
                    return  // If-None-Match: * refused
                }
                let etag = next()
                server[target] = (etag, content)
                synced[id] = SyncedItem(localID: id, href: target, etag: String(etag), contentHash: content.hash)
            case .deleteRemote(let href, let ifMatch):
                guard let now = server[href], String(now.etag) == ifMatch else { return }
                server[href] = nil
                if let id = synced.first(where: { $0.value.href == href })?.key {
                    synced[id] = nil
                    tombstones.remove(id)
                }
            case .deleteLocal(let id):
                local[id] = nil
                synced[id] = nil
            case .adopt(let id, let href, let etag, let hash):
                synced[id] = SyncedItem(localID: id, href: href, etag: etag, contentHash: hash)
            case .forget(let id):
                synced[id] = nil
                tombstones.remove(id)
            case .merge(_, _, _, let fallback):
                // The model's items have one property: every merge falls back to the policy.
                execute(fallback)
            case .conflict:
                break
            }
        }
    }

    @Test("random edits on both sides converge without losing items", arguments: [ConflictPolicy.remoteWins, .localWins, .newestWins])
    func convergence(policy: ConflictPolicy) {
        for seed in 1...200 {
            var random = SeededGenerator(seed: UInt64(seed))
            var world = World()
            for _ in 0..<Int.random(in: 5...40, using: &random) {
                world.edit(&random)
                if Int.random(in: 0..<4, using: &random) == 0 { world.sync(policy) }
            }
            var runs = 0
            while world.sync(policy) > 0, runs < 6 { runs += 1 }
            #expect(world.sync(policy) == 0, "seed \(seed): no quiet run after \(runs) runs")

            let serverItems = Set(world.server.values.map(\.content.hash))
            let localItems = Set(world.local.values.map(\.hash))
            #expect(serverItems == localItems, "seed \(seed): sides differ")
            #expect(world.server.count == world.local.count, "seed \(seed): duplicates on one side")
            let alive = Set(world.server.values.map(\.content.identity))
            let mustLive = world.created.subtracting(world.deletionsAsked)
            #expect(mustLive.isSubset(of: alive), "seed \(seed): lost \(mustLive.subtracting(alive).sorted())")
        }
    }
}
