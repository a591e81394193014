import SwitchboardTestSupport
import SyncPlanning
import Testing

/// The planner's rules, one row per situation.
@Suite("Sync planner rules")
struct SyncPlannerRules {
    private static let item = SyncedItem(localID: "a", href: "/cal/a.ics", etag: "e1", contentHash: "h1")

    private func plan(_ remote: RemoteChange?, _ local: LocalChange?, _ policy: SyncPolicy = SyncPolicy(force: true)) -> [SyncAction] {
        SyncPlanner.plan(
            synced: [Self.item], remote: remote.map { [Self.item.href: $0] } ?? [:], local: local.map { [Self.item.localID: $0] } ?? [:],
            policy: policy
        ).actions
    }

    private static func state(_ hash: String, sequence: Int = 0) -> ItemState { ItemState(contentHash: hash, version: ItemVersion(sequence: sequence)) }

    @Test func nothingChangedIsNothingToDo() {
        #expect(plan(nil, nil).isEmpty)
    }

    @Test func serverRewriteIsNotAChange() {
        #expect(plan(.present(etag: "e2", Self.state("h1")), nil) == [.adopt(localID: "a", href: "/cal/a.ics", etag: "e2", contentHash: "h1")])
        // A local edit after a rewrite goes up against the rewritten ETag.
        #expect(plan(.present(etag: "e2", Self.state("h1")), .present(Self.state("h2"))) == [.upload(localID: "a", href: "/cal/a.ics", ifMatch: "e2")])
    }

    @Test func oneSideChanged() {
        #expect(plan(.present(etag: "e2", Self.state("h2")), nil) == [.download(href: "/cal/a.ics", localID: "a")])
        #expect(plan(nil, .present(Self.state("h2"))) == [.upload(localID: "a", href: "/cal/a.ics", ifMatch: "e1")])
        #expect(plan(.gone, nil) == [.deleteLocal(localID: "a")])
        #expect(plan(nil, .deleted) == [.deleteRemote(href: "/cal/a.ics", ifMatch: "e1")])
        #expect(plan(.gone, .deleted) == [.forget(localID: "a")])
    }

    @Test func bothChangedTheSameWayIsAdopted() {
        #expect(plan(.present(etag: "e2", Self.state("h2")), .present(Self.state("h2"))) == [.adopt(localID: "a", href: "/cal/a.ics", etag: "e2", contentHash: "h2")])
    }

    @Test("both changed: merge first, then the policy", arguments: ConflictPolicy.allCases)
    func conflicts(policy: ConflictPolicy) {
        let actions = plan(.present(etag: "e2", Self.state("h2", sequence: 3)), .present(Self.state("h3", sequence: 2)), SyncPolicy(conflicts: policy, force: true))
        let fallback: SyncAction =
            switch policy {
            case .remoteWins, .newestWins: .download(href: "/cal/a.ics", localID: "a")
            case .localWins: .upload(localID: "a", href: "/cal/a.ics", ifMatch: "e2")
            case .manual: .conflict(localID: "a", href: "/cal/a.ics")
            }
        #expect(actions == [.merge(localID: "a", href: "/cal/a.ics", remoteETag: "e2", fallback: fallback)])
    }

    @Test func newestWinsComparesSequenceThenLastModified() {
        let policy = SyncPolicy(conflicts: .newestWins, force: true)
        let newerHere = plan(.present(etag: "e2", ItemState(contentHash: "h2", version: ItemVersion(sequence: 1, lastModified: 100))),
                             .present(ItemState(contentHash: "h3", version: ItemVersion(sequence: 1, lastModified: 200))), policy)
        #expect(newerHere == [.merge(localID: "a", href: "/cal/a.ics", remoteETag: "e2", fallback: .upload(localID: "a", href: "/cal/a.ics", ifMatch: "e2"))])
        let tie = plan(.present(etag: "e2", Self.state("h2")), .present(Self.state("h3")), policy)
        #expect(tie == [.merge(localID: "a", href: "/cal/a.ics", remoteETag: "e2", fallback: .download(href: "/cal/a.ics", localID: "a"))])
    }

    @Test("edit against delete keeps the edit unless the deleting side wins outright", arguments: ConflictPolicy.allCases)
    func editAgainstDelete(policy: ConflictPolicy) {
        let policySettings = SyncPolicy(conflicts: policy, force: true)
        let editedThere = plan(.present(etag: "e2", Self.state("h2")), .deleted, policySettings)
        let deletedThere = plan(.gone, .present(Self.state("h2")), policySettings)
        switch policy {
        case .remoteWins:
            #expect(editedThere == [.download(href: "/cal/a.ics", localID: "a")])
            #expect(deletedThere == [.deleteLocal(localID: "a")])
        case .localWins:
            #expect(editedThere == [.deleteRemote(href: "/cal/a.ics", ifMatch: "e2")])
            #expect(deletedThere == [.upload(localID: "a", href: nil, ifMatch: nil)])
        case .newestWins:
            #expect(editedThere == [.download(href: "/cal/a.ics", localID: "a")])
            #expect(deletedThere == [.upload(localID: "a", href: nil, ifMatch: nil)])
        case .manual:
            #expect(editedThere == [.conflict(localID: "a", href: "/cal/a.ics")])
            #expect(deletedThere == [.conflict(localID: "a", href: "/cal/a.ics")])
        }
    }

    @Test func newItemsOnEitherSide() {
        let plan = SyncPlanner.plan(synced: [], remote: ["/cal/new.ics": .present(etag: "e", Self.state("x")), "/cal/gone.ics": .gone],
                                    local: ["n": .present(Self.state("y")), "t": .deleted], policy: SyncPolicy())
        #expect(plan.actions == [.download(href: "/cal/new.ics", localID: nil), .upload(localID: "n", href: nil, ifMatch: nil)])
    }

    @Test func massDeletionIsRefusedUnlessForced() {
        let synced = (0..<10).map { SyncedItem(localID: "l\($0)", href: "/cal/\($0).ics", etag: "e", contentHash: "h\($0)") }
        let emptied = Dictionary(uniqueKeysWithValues: synced.prefix(6).map { ($0.href, RemoteChange.gone) })
        let refused = SyncPlanner.plan(synced: synced, remote: emptied, local: [:], policy: SyncPolicy())
        #expect(refused.refusal == .massDelete(deletions: 6, synced: 10))
        #expect(refused.actions.isEmpty)
        #expect(SyncPlanner.plan(synced: synced, remote: emptied, local: [:], policy: SyncPolicy(force: true)).actions.count == 6)
        let half = Dictionary(uniqueKeysWithValues: synced.prefix(5).map { ($0.href, RemoteChange.gone) })
        #expect(SyncPlanner.plan(synced: synced, remote: half, local: [:], policy: SyncPolicy()).refusal == nil)
    }

    @Test func statedLocalDeletionsAreInstructionsNotSymptoms() {
        let synced = (0..<2).map { SyncedItem(localID: "l\($0)", href: "/cal/\($0).ics", etag: "e", contentHash: "h\($0)") }
        let deletedHere: [String: LocalChange] = ["l0": .deleted, "l1": .deleted]
        #expect(SyncPlanner.plan(synced: synced, remote: [:], local: deletedHere, policy: SyncPolicy()).refusal
            == .massDelete(deletions: 2, synced: 2), "files missing from a folder look like a wiped side")
        let stated = SyncPlanner.plan(synced: synced, remote: [:], local: deletedHere, policy: SyncPolicy(localDeletionsAreStated: true))
        #expect(stated.refusal == nil && stated.actions.count == 2, "an app marking its records deleted means it")
        let gone = Dictionary(uniqueKeysWithValues: synced.map { ($0.href, RemoteChange.gone) })
        #expect(SyncPlanner.plan(synced: synced, remote: gone, local: [:], policy: SyncPolicy(localDeletionsAreStated: true)).refusal
            != nil, "the server's side is still guarded")
    }

    @Test func deletionsComeLast() {
        let synced = [SyncedItem(localID: "a", href: "/a", etag: "e", contentHash: "1"), SyncedItem(localID: "b", href: "/b", etag: "e", contentHash: "2")]
        let actions = SyncPlanner.plan(synced: synced, remote: ["/a": .gone, "/b": .present(etag: "f", Self.state("3"))], local: [:],
                                       policy: SyncPolicy(force: true)).actions
        #expect(actions == [.download(href: "/b", localID: "b"), .deleteLocal(localID: "a")])
    }
}
