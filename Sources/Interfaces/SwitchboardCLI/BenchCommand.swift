import Accounts
import ArgumentParser
import DAVClient
import Foundation
import Availability
import Crypto
import ICalendar
import Scheduling
import SQLiteStore
import SyncEngine
import SwitchboardStore

/// `switchboard bench …`: measurements against a live server, for comparison with other
/// clients (see scripts/bench-dav).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure Switchboard against a live server or a generated store.",
        subcommands: [Fetch.self, Slots.self, Book.self, Search.self, Quality.self])

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

    struct Book: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Book one resource from many tasks at once, through the configured store and its server.",
            discussion: """
                Makes ATTEMPTS booking attempts at once: hour slots from START, SLOTS of them in turn, every third \
                attempt half an hour later so that it overlaps two. Prints one JSON line: attempts, booked, refused \
                (overlapping another booking or event), failed (anything else), and the median and p99 latency of an \
                attempt in milliseconds. Several of these at once on one PostgreSQL store race across processes.
                """)

        @Argument var resource: String
        @Option(help: "The first slot's start.") var start: CommandLineDate
        @Option var slots = 10
        @Option var attempts = 100
        @Option(help: "A PEM file of extra trusted certificates.") var caFile: String?
        @OptionGroup var store: StoreOptions

        enum Outcome: Sendable {
            case booked, refused, failed(String)
        }

        func run() async throws {
            let first = Int64(start.date.timeIntervalSince1970)
            let outcomes = try await withBookingService(store, caFile: caFile) { service, _ in
                await withTaskGroup(of: (Outcome, Double).self) { group in
                    for index in 0..<attempts {
                        let slotStart = first + Int64(index % max(slots, 1)) * 3600 + (index % 3 == 0 ? 1800 : 0)
                        group.addTask {
                            let began = ContinuousClock.now
                            let outcome: Outcome
                            do throws(BookingError) {
                                _ = try await service.book(resource: resource, Interval(start: slotStart, end: slotStart + 3600),
                                                           summary: "Race \(index)")
                                outcome = .booked
                            } catch .refused {
                                outcome = .refused
                            } catch {
                                outcome = .failed("\(error)")
                            }
                            let elapsed = ContinuousClock.now - began
                            return (outcome, Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15)
                        }
                    }
                    return await group.reduce(into: [(Outcome, Double)]()) { $0.append($1) }
                }
            }
            let failures = outcomes.compactMap { if case .failed(let why) = $0.0 { why } else { nil } }
            for failure in Set(failures) { StandardError.write("failed: \(failure)") }
            let booked = outcomes.filter { if case .booked = $0.0 { true } else { false } }.count
            let latencies = outcomes.map { $0.1 }
            print(#"{"tool": "switchboard-book", "attempts": \#(attempts), "booked": \#(booked), "refused": \#(outcomes.count - booked - failures.count), "#
                + #""failed": \#(failures.count), "median_ms": \#(Slots.percentile(0.5, of: latencies)), "p99_ms": \#(Slots.percentile(0.99, of: latencies))}"#)
            if !failures.isEmpty { throw ExitCode(1) }
        }
    }

    struct Slots: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bookable slots for one month over generated calendars, through the store as the server answers them.",
            discussion: """
                Writes EVENTS events (a RECURRING share of them weekly or daily series) between 2022 and 2030 over \
                CALENDARS calendars into a temporary SQLite store, indexed as sync indexes them, then asks QUERIES \
                times for a resource's slots in one month — the months of 2026 in turn, each asked on its first \
                day. Prints one JSON line: the median, p99 and slowest query in milliseconds, and the median of \
                each month's first question (the objects read and parsed, not yet kept).
                """)

        @Option var events = 10_000
        @Option var calendars = 4
        @Option var recurring = 0.2
        @Option(help: "How many slot queries to time (after one untimed warm-up).") var queries = 200

        func run() async throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let store = try SQLiteDatabase.store(path: directory.appendingPathComponent("bench.sqlite").path)
            let account = AccountRecord(name: "bench", serverURL: "http://127.0.0.1/", username: "bench", sealedPassword: nil)
            try await store.saveAccount(account)
            var collectionIDs: [String] = []
            for index in 0..<calendars {
                let collection = CollectionRecord(accountID: account.id, href: "/bench/calendar-\(index)/", kind: .calendar,
                                                  lastSyncedAt: Date(timeIntervalSince1970: 1_767_225_600))
                try await store.saveCollection(collection)
                collectionIDs.append(collection.id)
            }
            var batch: [ItemRecord] = []
            for index in 0..<events {
                let data = Self.event(index, recurring: Double(index % 100) < recurring * 100)
                let content = try ItemContent(data, flavor: .calendar)
                batch.append(ItemRecord(collectionID: collectionIDs[index % calendars], localID: "bench-\(index)", href: "/bench/\(index).ics",
                                        uid: content.uid, etag: "\"\(index)\"", syncedData: data, contentHash: String(index), fields: content.fields))
                if batch.count == 500 {
                    try await store.saveItems(batch)
                    batch = []
                }
            }
            try await store.saveItems(batch)
            let rules = ResourceRules(timeZone: "Europe/Berlin", weeklyHours: try WeeklyHours.parse("mon-fri 09:00-17:00"),
                                      bufferBefore: 600, bufferAfter: 600, horizon: 90 * 86_400,
                                      maxDataAge: .max / 2)  // The data's age is not what is measured.
            try await store.saveResource(ResourceRecord(name: "bench", rules: String(decoding: try JSONEncoder().encode(rules), as: UTF8.self),
                                                        calendarIDs: collectionIDs, bookingCalendarID: collectionIDs[0]))
            let clients = AccountClients(secrets: try SecretBox(key: .init(size: .bits256)))
            let service = BookingService(store: store, clients: clients)
            var durations: [Double] = []
            // A month's first question reads and parses its objects; later ones find them kept.
            var firstQuestions: [Double] = []
            var slotCount = 0
            // Query -1 warms the process up (zone tables, database connections) on a month with no events.
            for query in -1..<queries {
                let monthStart = LocalDateTime(date: query < 0 ? CalendarDate(year: 2021, month: 1, day: 1)
                                                               : CalendarDate(year: 2026, month: 1 + query % 12, day: 1)).secondsSinceEpoch
                let window = Interval(start: monthStart, end: monthStart + 31 * 86_400)
                let start = ContinuousClock.now
                let slots = try await service.slots(resource: "bench", in: window, now: Date(timeIntervalSince1970: TimeInterval(monthStart)))
                let elapsed = ContinuousClock.now - start
                guard query >= 0 else { continue }
                let milliseconds = Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15
                durations.append(milliseconds)
                if query < 12 { firstQuestions.append(milliseconds) }
                slotCount += slots.count
            }
            await clients.shutdown()
            print(#"{"tool": "switchboard-slots", "queries": \#(queries), "median_ms": \#(Self.percentile(0.5, of: durations)), "#
                + #""p99_ms": \#(Self.percentile(0.99, of: durations)), "max_ms": \#(durations.max() ?? 0), "#
                + #""first_question_median_ms": \#(Self.percentile(0.5, of: firstQuestions)), "#
                + #""events": \#(events), "calendars": \#(calendars), "slots_per_query": \#(slotCount / max(queries, 1))}"#)
        }

        /// The value below which `share` of `values` lie (nearest rank).
        static func percentile(_ share: Double, of values: [Double]) -> Double {
            let sorted = values.sorted()
            guard !sorted.isEmpty else { return 0 }
            return sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * share).rounded(.up)) - 1))]
        }

        /// One generated event between 2022 and 2030 (Berlin time): a one-off, or a weekly
        /// (20 weeks) or daily (5 days) series — a busy person's decade of calendars. Days
        /// and hours are spread by multiplicative hashing, so every run measures the same data.
        static func event(_ index: Int, recurring: Bool) -> String {
            let day = (index &* 2_654_435_761) % (9 * 365)
            let hour = 7 + (index &* 40_503) % 12
            let date = CalendarDate(year: 2022, month: 1, day: 1).adding(days: day)
            let start = LocalDateTime(date: date, hour: hour)
            let end = LocalDateTime(secondsSinceEpoch: start.secondsSinceEpoch + Int64([1800, 3600, 5400][index % 3]))
            let rule = recurring ? (index % 10 == 0 ? "RRULE:FREQ=DAILY;COUNT=5\r\n" : "RRULE:FREQ=WEEKLY;COUNT=20\r\n") : ""
            return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:bench\r\nBEGIN:VEVENT\r\nUID:bench-\(index)\r\nDTSTAMP:20260101T000000Z\r\n"
                + "DTSTART;TZID=Europe/Berlin:\(start.icalendarText)\r\nDTEND;TZID=Europe/Berlin:\(end.icalendarText)\r\n\(rule)"
                + "SUMMARY:Event \(index)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        }
    }
}
