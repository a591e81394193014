import DAVXML
import FuzzerSupport

/// One fuzz input: whatever a server sends, the guarded parser returns or throws a typed
/// error within its limits, and every reader on top of it copes with the tree it gets.
func fuzz(_ bytes: [UInt8]) {
    let limits = XMLLimits(maxBodySize: 1 << 20, maxDepth: 32, maxElements: 50_000)
    if let multistatus = try? Multistatus(parsing: bytes, limits: limits) {
        for response in multistatus.responses {
            _ = CollectionProperties(response)
            _ = response.foundProperties
            _ = response.property(.dav("getetag"))
        }
    }
    _ = try? DAVErrorBody(parsing: bytes, limits: limits)
}

/// `DAVXMLFuzzer [libFuzzer options] [CORPUS…]` under libFuzzer, or `DAVXMLFuzzer FILE…` to replay.
@main
struct DAVXMLFuzzerMain {
    static func main() throws {
        try FuzzerMain.run { data, size in
            fuzz(Array(UnsafeBufferPointer(start: data, count: size)))
            return 0
        }
    }
}
