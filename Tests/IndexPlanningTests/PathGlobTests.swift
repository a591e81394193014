import IndexPlanning
import Testing

@Suite struct PathGlobTests {
    @Test(arguments: [
        ("*.pdf", "guide.pdf", true), ("*.pdf", "a/b/GUIDE.PDF", true), ("*.pdf", "guide.pdf.txt", false),
        ("guides/*.md", "guides/intro.md", true), ("guides/*.md", "guides/old/intro.md", false),
        ("guides/**/*.md", "guides/intro.md", true), ("guides/**/*.md", "guides/a/b/intro.md", true), ("guides/**/*.md", "other/intro.md", false),
        ("**/x*y", "a/x1/xzy", true), ("**/x*y", "a/x1/z", false), ("/drafts/**", "drafts/a/b.txt", true), ("/drafts/**", "final/drafts/b.txt", false),
        ("report-????.pdf", "report-2026.pdf", true), ("report-????.pdf", "report-26.pdf", false), ("a?b", "a/b", false),
        ("*", "anything", true), ("**", "any/depth/at/all", true),
    ])
    func globsMatchAsWritten(glob: String, path: String, expected: Bool) throws {
        let glob = try #require(PathGlob(glob))
        #expect(glob.matches(path) == expected, "\(glob) on \(path)")
    }

    @Test func longOrEmptyGlobsAreRefused() {
        #expect(PathGlob("") == nil)
        #expect(PathGlob(String(repeating: "*", count: PathGlob.maxLength + 1)) == nil)
    }

    @Test func manyStarsStayCheap() throws {
        // Exponential backtracking would take ages on this; the table takes pattern × path steps.
        let glob = try #require(PathGlob(String(repeating: "*a", count: 200) + "b"))
        #expect(!glob.matches(String(repeating: "a", count: 4000)))
    }

    @Test func excludesComeBeforeIncludes() throws {
        let selection = FileSelection(includes: [try #require(PathGlob("*.pdf")), try #require(PathGlob("*.md"))],
                                      excludes: [try #require(PathGlob("archive/**"))])
        #expect(selection.selects("guides/a.pdf"))
        #expect(!selection.selects("archive/a.pdf"))
        #expect(!selection.selects("guides/a.docx"))
        #expect(FileSelection().selects("anything.bin"))
    }
}

@Suite struct ETagPropagationTests {
    @Test func aServerThatChangesEveryFolderAboveAChangePropagates() {
        let judged = ETagPropagation.judge(root: "", rootBefore: "\"r1\"", rootNow: "\"r2\"", foldersBefore: ["a": "\"a1\"", "a/b": "\"b1\""],
                                           foldersNow: ["a": "\"a2\"", "a/b": "\"b2\""], changedFiles: ["a/b/c.txt"])
        #expect(judged == true)
    }

    @Test func aServerThatChangesOnlyTheFilesFolderDoesNot() {
        // Apache mod_dav: the folder the file is in changes, the ones above do not.
        let judged = ETagPropagation.judge(root: "", rootBefore: "\"r1\"", rootNow: "\"r1\"", foldersBefore: ["a": "\"a1\"", "a/b": "\"b1\""],
                                           foldersNow: ["a": "\"a1\"", "a/b": "\"b2\""], changedFiles: ["a/b/c.txt"])
        #expect(judged == false)
    }

    @Test func foldersWithoutETagsDoNot() {
        #expect(ETagPropagation.judge(root: "", rootBefore: nil, rootNow: nil, foldersBefore: [:], foldersNow: ["a": nil], changedFiles: ["a/x"]) == false)
    }

    @Test func aChangeInTheRootOnlyOrNoEarlierRunCannotTell() {
        #expect(ETagPropagation.judge(root: "", rootBefore: "\"r1\"", rootNow: "\"r2\"", foldersBefore: [:], foldersNow: [:], changedFiles: ["x.txt"]) == nil)
        #expect(ETagPropagation.judge(root: "", rootBefore: nil, rootNow: "\"r2\"", foldersBefore: [:], foldersNow: ["a": "\"a\""],
                                      changedFiles: ["a/x.txt"]) == nil)
        // Below an index root `docs`: `docs/a/x` has one folder between.
        #expect(ETagPropagation.judge(root: "docs", rootBefore: "\"r1\"", rootNow: "\"r2\"", foldersBefore: ["docs/a": "\"1\""],
                                      foldersNow: ["docs/a": "\"2\""], changedFiles: ["docs/a/x"]) == true)
        #expect(ETagPropagation.judge(root: "docs", rootBefore: "\"r1\"", rootNow: "\"r2\"", foldersBefore: [:], foldersNow: [:],
                                      changedFiles: ["docs/x"]) == nil)
    }

    @Test func weakAndStrongFormsOfOneTagAreNoChange() {
        // Apache: W/"x" just after a write, "x" later: the same folder version.
        let judged = ETagPropagation.judge(root: "", rootBefore: "W/\"r1\"", rootNow: "\"r1\"", foldersBefore: ["a": "\"a1\""],
                                           foldersNow: ["a": "\"a2\""], changedFiles: ["a/c.txt"])
        #expect(judged == false)
    }
}
