import IndexPlanning
import Testing

/// Plans of index runs: what to read, move and remove, and which folders to enter.
@Suite struct CrawlPlanTests {
    @Test func unchangedFilesCostNothingAndApachesWeakTagIsNoChange() {
        let known = [KnownFile(path: "a.pdf", etag: "W/\"1-aa\""), KnownFile(path: "b.md", etag: "\"2-bb\"")]
        let plan = CrawlPlan(known: known, listed: [ListedFile(path: "a.pdf", etag: "\"1-aa\""), ListedFile(path: "b.md", etag: "\"2-bb\"")])
        #expect(plan.isEmpty && plan.unchanged == 2)
        // No tag on either side is no evidence: read again.
        #expect(CrawlPlan(known: [KnownFile(path: "c.txt", etag: nil)], listed: [ListedFile(path: "c.txt", etag: nil)]).read.map(\.path) == ["c.txt"])
    }

    @Test func editsAddsDeletesAndLostPermissions() {
        let known = [KnownFile(path: "edited.md", etag: "\"1\""), KnownFile(path: "deleted.md", etag: "\"2\""),
                     KnownFile(path: "private.md", etag: "\"3\"")]
        let listed = [ListedFile(path: "edited.md", etag: "\"9\""), ListedFile(path: "new.md", etag: "\"4\""),
                      ListedFile(path: "private.md", etag: "\"3\"", readable: false)]
        let plan = CrawlPlan(known: known, listed: listed)
        #expect(plan.read.map(\.path) == ["edited.md", "new.md"])
        #expect(plan.remove == ["deleted.md", "private.md"])
        #expect(plan.moves.isEmpty)
    }

    @Test func aMoveByFileIDIsAMoveAndAnEditedMoveIsRead() {
        let known = [KnownFile(path: "Entwurf/plan.pdf", etag: "\"1\"", fileID: "42"), KnownFile(path: "alt.md", etag: "\"5\"", fileID: "43")]
        let listed = [ListedFile(path: "Final/plan.pdf", etag: "\"1\"", fileID: "42"), ListedFile(path: "neu.md", etag: "\"6\"", fileID: "43")]
        let plan = CrawlPlan(known: known, listed: listed)
        #expect(plan.moves.map { "\($0.from)→\($0.to)" } == ["Entwurf/plan.pdf→Final/plan.pdf"])
        #expect(plan.read.map(\.path) == ["neu.md"] && plan.remove == ["alt.md"])
        // Same path, another file id: a new file under an old name.
        let replaced = CrawlPlan(known: [KnownFile(path: "x.md", etag: "\"1\"", fileID: "1")], listed: [ListedFile(path: "x.md", etag: "\"1\"", fileID: "2")])
        #expect(replaced.read.map(\.path) == ["x.md"])
    }

    @Test func pathsNotCoveredByTheListingStay() {
        let known = [KnownFile(path: "Archiv/alt.pdf", etag: "\"1\""), KnownFile(path: "Aktuell/neu.pdf", etag: "\"2\"")]
        let plan = CrawlPlan(known: known, listed: [ListedFile(path: "Aktuell/neu.pdf", etag: "\"2\"")], covered: { $0.hasPrefix("Aktuell/") })
        #expect(plan.isEmpty)
    }

    @Test func onlyFoldersWhoseTagChangedAreEntered() {
        let descent = FolderDescent(known: ["/": "\"r1\"", "A/": "\"a1\"", "B/": "W/\"b1\"", "C/": "\"c1\""],
                                    listed: ["/": "\"r2\"", "A/": "\"a1\"", "B/": "\"b1\"", "D/": "\"d1\""])
        #expect(descent.enter == ["/", "D/"] && descent.skip == ["A/", "B/"] && descent.gone == ["C/"])
    }
}
