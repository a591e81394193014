import ArgumentParser
import DAVClient
import Foundation
import ICalendar

/// `switchboard bench …`: measurements against a live server, for comparison with other
/// clients (see scripts/bench-dav).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure Switchboard against a live server.", subcommands: [Fetch.self])

    struct Fetch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch every object of a calendar, once per run.",
            discussion: "Prints one JSON line per run: seconds, objects and characters fetched.")

        @OptionGroup var server: ServerOptions
        @Option(help: "The calendar's href.") var calendar: String
        @Option(help: "How many runs.") var runs = 5
        @Option(help: "Hrefs per multiget request.") var batch = 250
        @Option(help: "Multiget requests in flight.") var concurrency = 4
        @Flag(help: "Also parse each object (as python's icalendar_instance does).") var parse = false
        @Option(help: "query: one calendar-query REPORT; multiget: an ETag listing, then batched multigets.")
        var strategy: Strategy = .query

        enum Strategy: String, ExpressibleByArgument { case query, multiget }

        func run() async throws {
            for _ in 0..<runs {
                let start = ContinuousClock.now
                // A new client per run: connection set-up is part of each measurement.
                let objects = try await server.withClient { client in
                    switch strategy {
                    case .query:
                        return try await client.allObjects(.calendar, in: calendar)
                    case .multiget:
                        let hrefs = try await client.etags(in: calendar).keys.sorted()
                        return try await client.multiget(.calendar, in: calendar, hrefs: hrefs, batchSize: batch, concurrency: concurrency).objects
                    }
                }
                let characters = objects.reduce(0) { $0 + ($1.data?.unicodeScalars.count ?? 0) }
                if parse {
                    for object in objects { _ = try? ICalendarParser().parse(Array((object.data ?? "").utf8)) }
                }
                let elapsed = ContinuousClock.now - start
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                print(#"{"tool": "switchboard-\#(strategy.rawValue)", "seconds": \#(seconds), "objects": \#(objects.count), "characters": \#(characters)}"#)
            }
        }
    }
}
