@testable import SwitchboardCLI
import Testing

/// A part's file name from a hostile message never leaves the `--save-parts` folder.
@Suite struct SafeFileNameTests {
    @Test(arguments: [
        ("../../.bashrc", "bashrc"), ("/etc/passwd", "passwd"), ("..\\..\\win.ini", "win.ini"), ("..", "part-2"),
        ("a\u{0}b\r\nc.txt", "abc.txt"), ("Befund März.pdf", "Befund März.pdf"), (nil, "part-2"),
    ] as [(String?, String)])
    func namesStayInTheFolder(_ name: String?, _ expected: String) {
        #expect(SafeFileName.make(name, section: "2") == expected)
    }
}
