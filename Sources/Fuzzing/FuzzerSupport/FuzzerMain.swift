import CLibFuzzer
import Foundation

/// The `main` of every fuzzer target. Built with `-sanitize=fuzzer -DFUZZING`
/// (scripts/fuzz) it hands control to libFuzzer; otherwise it replays the files named
/// on the command line (crash reproducers) through the same entry point.
public enum FuzzerMain {
    /// Runs `testOneInput` under libFuzzer, or over each file argument.
    public static func run(_ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) throws -> Never {
        #if FUZZING
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
        #else
        for path in CommandLine.arguments.dropFirst() {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            _ = bytes.withUnsafeBufferPointer { testOneInput($0.baseAddress, $0.count) }
            print("ok \(path)")
        }
        exit(0)
        #endif
    }
}
