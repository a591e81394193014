import Benchmark
import CLibical
import Foundation
import ICalendar

/// The benchmark input: `realworld_20k.ics` from the shared corpus (6.6 MB, 20,000 real
/// events). It is not copied into the repository (see the corpus README's licences).
let corpusFile = ProcessInfo.processInfo.environment["SWITCHBOARD_BENCH_ICS"]
    ?? URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("shared/corpus/big/realworld_20k.ics").path

let benchmarks: @Sendable () -> Void = {
    let bytes = Array(FileManager.default.contents(atPath: corpusFile) ?? Data())
    precondition(!bytes.isEmpty, "benchmark input not found at \(corpusFile)")
    let text = bytes + [0]  // libical wants a C string.

    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident, .throughput],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        scalingFactor: .one,
        maxDuration: .seconds(20),
        maxIterations: 15
    )

    // MARK: Switchboard

    Benchmark("Switchboard parse realworld_20k") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ICalendarParser().parse(bytes))
        }
    }

    Benchmark("Switchboard serialize realworld_20k") { benchmark, parsed in
        for _ in benchmark.scaledIterations {
            blackHole(ICalendarSerializer().serialize(parsed.components))
        }
    } setup: {
        try ICalendarParser().parse(bytes)
    }

    Benchmark("Switchboard parse+serialize realworld_20k") { benchmark in
        for _ in benchmark.scaledIterations {
            let parsed = try ICalendarParser().parse(bytes)
            blackHole(ICalendarSerializer().serialize(parsed.components))
        }
    }

    // MARK: libical (the reference)

    Benchmark("libical parse realworld_20k") { benchmark in
        for _ in benchmark.scaledIterations {
            text.withUnsafeBufferPointer { buffer in
                let component = icalparser_parse_string(UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self))
                blackHole(component)
                icalcomponent_free(component)
            }
        }
    }

    Benchmark("libical serialize realworld_20k") { benchmark, component in
        for _ in benchmark.scaledIterations {
            let string = icalcomponent_as_ical_string_r(component.pointer)
            blackHole(string)
            free(string)
        }
    } setup: {
        text.withUnsafeBufferPointer { buffer in
            LibicalComponent(pointer: icalparser_parse_string(UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)))
        }
    }

    Benchmark("libical parse+serialize realworld_20k") { benchmark in
        for _ in benchmark.scaledIterations {
            text.withUnsafeBufferPointer { buffer in
                let component = icalparser_parse_string(UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self))
                let string = icalcomponent_as_ical_string_r(component)
                blackHole(string)
                free(string)
                icalcomponent_free(component)
            }
        }
    }
}

/// A parsed libical tree handed from a benchmark's setup to its body.
struct LibicalComponent: @unchecked Sendable {
    // Sendable is safe here: the benchmark runner hands the value from setup to the one
    // body that uses it, on one thread at a time, and nothing else holds the pointer.
    let pointer: OpaquePointer?
}
