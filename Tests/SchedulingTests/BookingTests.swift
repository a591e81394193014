import Accounts
import Availability
import CalendarEditing
import Crypto
import DAVClient
import HTTPTransport
import Foundation
import Scheduling
import SwitchboardTestSupport
import SyncEngine
import SwitchboardStore
import Testing

@Suite struct BookingEventTests {
    @Test func pendingRequestAndCancelMessages() {
        let event = BookingEvent(bookingID: "b1", start: 1_773_219_600, end: 1_773_223_200, summary: "REQUEST: Consultation",
                                 organizer: "mailto:anna@example.org", attendees: ["mailto:client@example.org"])
        let stored = event.calendarObject(stamp: 1_773_000_000)
        #expect(stored.contains("UID:b1@switchboard") && stored.contains("STATUS:TENTATIVE") && stored.contains("SUMMARY:REQUEST: Consultation"))
        #expect(stored.contains("DTSTART:20260311T090000Z") && !stored.contains("METHOD"))
        let request = event.request(stamp: 1_773_000_000).replacingOccurrences(of: "\r\n ", with: "")
        #expect(request.contains("METHOD:REQUEST") && request.contains("ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:client@example.org"))
        let cancel = event.cancel(stamp: 1_773_000_000)
        #expect(cancel.contains("METHOD:CANCEL") && cancel.contains("STATUS:CANCELLED") && cancel.contains("SEQUENCE:1"))
        #expect(cancel.contains("UID:b1@switchboard"))
    }
}

/// A resource on a fresh Radicale calendar, tracked in a store of one driver.
struct BookingHarness {
    let peer: Peer
    let store: SQLStore
    let service: BookingService
    let calendar: CollectionRecord
    let resource: ResourceRecord

    /// Monday 9 March 2026, 08:00 UTC (09:00 in Berlin): "now" for every test.
    static let now = Date(timeIntervalSince1970: 1_773_043_200)

    static func with(_ driver: StoreDriver, hours: String = "mon-fri 09:00-17:00", _ body: (BookingHarness) async throws -> Void) async throws {
        let peer = try await Peer.named("radicale")
        try await driver.withStore { store in
            let secrets = try SecretBox(key: SymmetricKey(size: .bits256))
            let account = AccountRecord(name: Fixtures.unique("booking"), serverURL: peer.baseURL.absoluteString, username: "anna",
                                        sealedPassword: try secrets.seal("secret"))
            try await store.saveAccount(account)
            let href = peer.annaCalendarHome + Fixtures.unique("bookings") + "/"
            try await peer.withClient { client in try await client.makeCalendar(href, displayName: "Bookings") }
            let calendar = CollectionRecord(accountID: account.id, href: href, kind: .calendar)
            try await store.saveCollection(calendar)
            let rules = ResourceRules(timeZone: "Europe/Berlin", weeklyHours: try WeeklyHours.parse(hours), horizon: 30 * 86_400,
                                      slotLength: 3600, slotStep: 3600, maxDataAge: 3600)
            let resource = ResourceRecord(name: Fixtures.unique("anna"), rules: String(decoding: try JSONEncoder().encode(rules), as: UTF8.self),
                                          calendarIDs: [calendar.id], bookingCalendarID: calendar.id)
            try await store.saveResource(resource)
            let clients = AccountClients(secrets: secrets)
            let service = BookingService(store: store, clients: clients)
            let harness = BookingHarness(peer: peer, store: store, service: service, calendar: calendar, resource: resource)
            do {
                // The first look syncs the calendar (it was never synced).
                _ = try await service.slots(resource: resource.name, in: Interval(start: 1_773_043_200, end: 1_773_129_600), now: now)
                try await body(harness)
                await clients.shutdown()
            } catch {
                await clients.shutdown()
                throw error
            }
        }
    }

    /// Changes the resource's stored rules.
    func changeRules(_ change: (inout ResourceRules) -> Void) async throws {
        var resource = try #require(try await store.resources().first { $0.id == self.resource.id })
        var rules = try JSONDecoder().decode(ResourceRules.self, from: Data(resource.rules.utf8))
        change(&rules)
        resource.rules = String(decoding: try JSONEncoder().encode(rules), as: UTF8.self)
        try await store.saveResource(resource)
    }

    /// The calendar's objects on the server now.
    func serverObjects() async throws -> [String] {
        try await peer.withClient { client in
            let etags = try await client.etags(in: calendar.href)
            return try await client.multiget(.calendar, in: calendar.href, hrefs: Array(etags.keys)).objects.compactMap(\.data)
        }
    }

    /// An hour starting `hours` after Monday 9 March 2026 09:00 UTC.
    static func hour(_ hours: Int64) -> Interval {
        Interval(start: 1_773_046_800 + hours * 3600, end: 1_773_046_800 + hours * 3600 + 3600)
    }
}

@Suite struct BookingFlowTests {
    @Test(arguments: StoreDriver.allCases)
    func pendingThenConfirmedThenCancelledShowOnTheServer(driver: StoreDriver) async throws {
        try await BookingHarness.with(driver) { harness in
            let slot = BookingHarness.hour(1)
            let booking = try await harness.service.book(resource: harness.resource.name, slot, summary: "Consultation",
                                                         attendees: ["mailto:client@example.org"], now: BookingHarness.now)
            var objects = try await harness.serverObjects()
            #expect(objects.count == 1)
            #expect(objects[0].contains("SUMMARY:REQUEST: Consultation") && objects[0].contains("STATUS:TENTATIVE"))
            #expect(try await harness.service.check(resource: harness.resource.name, slot, now: BookingHarness.now) == .alreadyBooked)

            let confirmed = try await harness.service.confirm(booking.id, now: BookingHarness.now)
            #expect(confirmed.status == .confirmed)
            objects = try await harness.serverObjects()
            #expect(objects.first?.contains("SUMMARY:Consultation") == true && objects.first?.contains("STATUS:CONFIRMED") == true)
            #expect(objects.first?.contains("SEQUENCE:1") == true)

            _ = try await harness.service.cancel(booking.id, now: BookingHarness.now)
            #expect(try await harness.serverObjects().isEmpty)
            let after = try await harness.service.check(resource: harness.resource.name, slot, now: BookingHarness.now)
            #expect(after == nil, "\(String(describing: after))")
        }
    }

    /// Data safety: the store's copy is fresh enough by the resource's rules, but the server
    /// has an event the store has not seen: the booking asks the server for its hour first.
    @Test(arguments: StoreDriver.allCases)
    func aBookingAsksTheServerForItsHourBeforePlacingTheEvent(driver: StoreDriver) async throws {
        try await BookingHarness.with(driver) { harness in
            let phone = Fixtures.event(uid: "phone-early", summary: "Dentist", start: "20260309T113000Z", end: "20260309T123000Z")
            try await harness.peer.withClient { client in
                _ = try await client.createObject(.calendar, in: harness.calendar.href, data: phone, uid: "phone-early")
            }
            let error = await thrownError(BookingError.self) {
                _ = try await harness.service.book(resource: harness.resource.name, BookingHarness.hour(2), summary: "Tattoo", now: BookingHarness.now)
            }
            guard case .refused(.busy(let event))? = error else { Issue.record("expected busy, got \(String(describing: error))"); return }
            #expect(event.uid == "phone-early")
            #expect(try await harness.serverObjects().count == 1, "no pending event placed")
            // Another hour is booked as usual.
            _ = try await harness.service.book(resource: harness.resource.name, BookingHarness.hour(5), summary: "Later", now: BookingHarness.now)
        }
    }

    @Test func anEventAddedOnThePhoneBlocksTheSlotAndIsAConflictAtConfirmation() async throws {
        try await BookingHarness.with(.sqlite) { harness in
            let booking = try await harness.service.book(resource: harness.resource.name, BookingHarness.hour(2), summary: "Tattoo",
                                                         now: BookingHarness.now)
            // Another client puts an event over the booking and the next hour.
            let phone = Fixtures.event(uid: "phone", summary: "Dentist", start: "20260309T113000Z", end: "20260309T123000Z")
            try await harness.peer.withClient { client in _ = try await client.createObject(.calendar, in: harness.calendar.href, data: phone, uid: "phone") }
            let error = await thrownError(BookingError.self) { _ = try await harness.service.confirm(booking.id, now: BookingHarness.now) }
            guard case .conflict(let event)? = error else { Issue.record("expected a conflict, got \(String(describing: error))"); return }
            #expect(event.uid == "phone")
            #expect(try await harness.store.booking(id: booking.id)?.status == .pending)
            // The phone's event now blocks the next hour too (synced at the confirmation).
            #expect(try await harness.service.check(resource: harness.resource.name, BookingHarness.hour(3), now: BookingHarness.now)
                == .busy(EventReference(calendar: harness.calendar.id, uid: "phone")))
        }
    }

    @Test func allDayEventsCanBeFreeForOneCalendar() async throws {
        try await BookingHarness.with(.sqlite) { harness in
            let holiday = Fixtures.event(uid: "school-holiday", start: "20260310", end: "20260311")
                .replacingOccurrences(of: "DTSTART:", with: "DTSTART;VALUE=DATE:").replacingOccurrences(of: "DTEND:", with: "DTEND;VALUE=DATE:")
            try await harness.peer.withClient { client in
                _ = try await client.createObject(.calendar, in: harness.calendar.href, data: holiday, uid: "school-holiday")
            }
            let tuesday = Interval(start: 1_773_136_800, end: 1_773_140_400)  // 10 March, 10:00 UTC
            let later = BookingHarness.now.addingTimeInterval(7200)
            try await harness.changeRules { $0.maxDataAge = 0 }
            let name = harness.resource.name
            // Asked at the real time, data is older than 0 s: this syncs the holiday into the store.
            _ = try await harness.service.freeBusy(resource: name, in: tuesday, now: Date())
            guard case .busy? = try await harness.service.check(resource: name, tuesday, now: later) else {
                Issue.record("the all-day event blocks by default")
                return
            }
            try await harness.changeRules { rules in
                var relaxed = rules.busy
                relaxed.allDayBlocks = false
                rules.calendarBusy[harness.calendar.id] = relaxed
            }
            #expect(try await harness.service.check(resource: name, tuesday, now: later) == nil)
        }
    }

    @Test func publishedAvailabilityDecidesWorkingTimeAndFollowsTheServer() async throws {
        try await BookingHarness.with(.sqlite) { harness in
            let afternoons = """
                BEGIN:VCALENDAR\r
                VERSION:2.0\r
                PRODID:-//test//EN\r
                BEGIN:VAVAILABILITY\r
                UID:afternoons\r
                DTSTAMP:20260101T000000Z\r
                DTSTART:20260301T000000Z\r
                BEGIN:AVAILABLE\r
                UID:weekday-afternoons\r
                DTSTAMP:20260101T000000Z\r
                DTSTART;TZID=Europe/Berlin:20260302T130000\r
                DTEND;TZID=Europe/Berlin:20260302T150000\r
                RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\r
                END:AVAILABLE\r
                END:VAVAILABILITY\r
                END:VCALENDAR\r

                """
            let monday = Interval(start: 1_773_014_400, end: 1_773_100_800)  // 9 March 2026, UTC
            func mondaySlots() async throws -> [Int64] {
                try await harness.service.slots(resource: harness.resource.name, in: monday, now: BookingHarness.now).map(\.start)
            }
            // Given (from a file): 13:00 and 14:00 in Berlin; the weekly 09:00–17:00 no longer applies.
            try await harness.changeRules { $0.publishedAvailability = afternoons }
            #expect(try await mondaySlots() == [1_773_057_600, 1_773_061_200])

            // Followed on the server, which publishes none (Radicale keeps no calendar-availability):
            // the next refresh takes the server's word, and the weekly hours are back.
            #expect(try await harness.peer.withClient { client in try await client.calendarAvailability(of: harness.calendar.href) } == nil)
            try await harness.changeRules {
                $0.availabilityCalendar = harness.calendar.id
                $0.maxDataAge = 0
            }
            // Asked at the real time, the data is older than 0 s: a refresh (that Monday is long past: no slots).
            #expect(try await harness.service.slots(resource: harness.resource.name, in: monday, now: Date()).isEmpty)
            #expect(try await mondaySlots().count == 8, "09:00 to 16:00 in Berlin")
        }
    }

    @Test func reschedulingKeepsTheEventAndItsUID() async throws {
        try await BookingHarness.with(.sqlite) { harness in
            let booking = try await harness.service.book(resource: harness.resource.name, BookingHarness.hour(1), summary: "Moving",
                                                         now: BookingHarness.now)
            let other = try await harness.service.book(resource: harness.resource.name, BookingHarness.hour(4), summary: "Other",
                                                       now: BookingHarness.now)
            let refused = await thrownError(BookingError.self) {
                _ = try await harness.service.reschedule(booking.id, to: BookingHarness.hour(4), now: BookingHarness.now)
            }
            #expect(refused.map { "\($0)" } == "not bookable: already booked")
            _ = try await harness.service.reschedule(booking.id, to: BookingHarness.hour(5), now: BookingHarness.now)
            let objects = try await harness.serverObjects()
            let moved = try #require(objects.first { $0.contains("UID:\(booking.id)@switchboard") })
            #expect(moved.contains("DTSTART:20260309T140000Z") && moved.contains("SEQUENCE:1"))
            #expect(objects.count == 2)
            _ = other
        }
    }

    @Test("200 concurrent attempts on overlapping slots give exactly one booking per slot", arguments: StoreDriver.allCases)
    func concurrentBookings(driver: StoreDriver) async throws {
        try await BookingHarness.with(driver) { harness in
            // Ten hour slots; attempts at each slot and at half-hour offsets that overlap two.
            let attempts: [Interval] = (0..<200).map { index in
                let slot = BookingHarness.hour(Int64(index % 10))
                return index % 3 == 0 ? Interval(start: slot.start + 1800, end: slot.end + 1800) : slot
            }
            let results = await withTaskGroup(of: BookingRecord?.self) { group in
                for attempt in attempts {
                    group.addTask {
                        try? await harness.service.book(resource: harness.resource.name, attempt, summary: "Rush", now: BookingHarness.now)
                    }
                }
                return await group.reduce(into: [BookingRecord]()) { if let booking = $1 { $0.append(booking) } }
            }
            let intervals = results.map { Interval(start: $0.start, end: $0.end) }.sorted()
            for (first, second) in zip(intervals, intervals.dropFirst()) {
                #expect(!first.overlaps(second), "\(first) and \(second) overlap")
            }
            let stored = try await harness.store.bookings(resourceID: harness.resource.id, from: 0, to: .max).filter { $0.status != .cancelled }
            #expect(stored.count == results.count)
            #expect(results.count >= 5, "some slots were booked: \(results.count)")
        }
    }
}

@Suite(.serialized) struct BookingProcessTests {
    @Test func stalenessIsRefusedWhenTheServerIsGone() async throws {
        let peer = try Peer.dedicated("radicale")
        defer { try? peer.stop() }
        let secrets = try SecretBox(key: SymmetricKey(size: .bits256))
        try await StoreDriver.sqlite.withStore { store in
            let account = AccountRecord(name: "stale", serverURL: peer.baseURL.absoluteString, username: "anna", sealedPassword: try secrets.seal("secret"))
            try await store.saveAccount(account)
            let calendar = CollectionRecord(accountID: account.id, href: "/anna/def-calendar/", kind: .calendar)
            try await store.saveCollection(calendar)
            let rules = ResourceRules(timeZone: "Europe/Berlin", weeklyHours: try WeeklyHours.parse("mon-fri 09:00-17:00"), maxDataAge: 60)
            try await store.saveResource(ResourceRecord(name: "stale", rules: String(decoding: try JSONEncoder().encode(rules), as: UTF8.self),
                                                        calendarIDs: [calendar.id], bookingCalendarID: calendar.id))
            var configuration = ClientConfiguration()
            configuration.retry.maxAttempts = 1
            let clients = AccountClients(secrets: secrets, configuration: configuration)
            let service = BookingService(store: store, clients: clients)
            let week = Interval(start: 1_773_043_200, end: 1_773_648_000)
            let fresh = try? await service.slots(resource: "stale", in: week, now: BookingHarness.now)
            #expect(fresh?.isEmpty == false, "fresh: synced first")
            try peer.kill()
            // The sync just now stamped the calendar with the real clock: an hour after that.
            let later = Date().addingTimeInterval(3600)
            let error = await thrownError(BookingError.self) { _ = try await service.slots(resource: "stale", in: week, now: later) }
            // Busy time is still answered, with its age.
            let busy = try? await service.freeBusy(resource: "stale", in: week, now: later)
            await clients.shutdown()
            #expect((busy?.staleSeconds ?? 0) >= 3600)
            guard case .staleData(let age, _)? = error else { Issue.record("expected stale data, got \(String(describing: error))"); return }
            #expect(age >= 3600)
        }
    }

    @Test("200 attempts from two processes, then twelve processes, on one PostgreSQL store never double-book")
    func bookersInSeveralProcessesSharingPostgreSQLNeverDoubleBook() async throws {
        let peer = try await Peer.named("radicale")
        let database = try await Peer.named("postgres").baseURL.absoluteString
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-book-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        try Data("secret\n".utf8).write(to: home.appendingPathComponent("password"))
        let environment = ["SWITCHBOARD_HOME": home.path, "SWITCHBOARD_DATABASE_URL": database]
        let binary = Bundle.main.bundleURL.appendingPathComponent("switchboard").path
        func run(_ arguments: [String]) throws -> ChildProcess.Result {
            try ChildProcess.run([binary] + arguments, environment: environment, unset: ["SWITCHBOARD_PASSWORD"])
        }
        let href = peer.annaCalendarHome + Fixtures.unique("race") + "/"
        try await peer.withClient { client in try await client.makeCalendar(href, displayName: "Race") }
        let account = Fixtures.unique("race")
        #expect(try run(["account", "add", account, "--server", peer.baseURL.absoluteString, "--user", "anna",
                         "--password-file", home.appendingPathComponent("password").path]).status == 0)
        defer { _ = try? run(["account", "remove", account]) }
        #expect(try run(["sync", "--account", account, "--collection", href]).status == 0)
        let resource = Fixtures.unique("chair")
        let added = try run(["resources", "add", resource, "--calendar", href, "--tz", "UTC", "--hours", "mon-sun 00:00-24:00",
                             "--horizon", "3650d", "--max-age", "1h"])
        #expect(added.status == 0, "\(added.stderr)")
        // Two processes of 100 attempts each, at once, on ten hour slots two years ahead.
        let racers = try (0..<2).map { _ in
            try ChildProcess.spawn([binary, "bench", "book", resource, "--start", "2028-03-13T08:00:00Z", "--slots", "10", "--attempts", "100"],
                                   environment: environment, unset: ["SWITCHBOARD_PASSWORD"])
        }.map { $0.wait() }
        #expect(racers.allSatisfy { $0.status == 0 }, "\(racers.map(\.stderr))")
        let reports = try racers.map { try #require(try JSONSerialization.jsonObject(with: Data($0.stdout.utf8)) as? [String: Any]) }
        let raced = reports.map { $0["booked"] as? Int ?? -1 }.reduce(0, +)
        #expect((5...10).contains(raced), "ten hours, some taken by the overlapping half-hour attempts: \(reports)")
        try expectNoOverlap(from: "2028-03-13", to: "2028-03-14", count: raced)

        // Twelve processes at once: three each for four overlapping hours two years ahead.
        let starts = ["2028-03-06T10:00:00Z", "2028-03-06T10:30:00Z", "2028-03-06T11:00:00Z", "2028-03-06T11:30:00Z"]
        let processes = try (0..<12).map { index in
            let start = starts[index % 4]
            let end = ISO8601DateFormatter().string(from: ISO8601DateFormatter().date(from: start)!.addingTimeInterval(3600))
            return try ChildProcess.spawn([binary, "book", resource, "--start", start, "--end", end, "--summary", "Race \(index)"],
                                          environment: environment, unset: ["SWITCHBOARD_PASSWORD"])
        }
        let results = processes.map { $0.wait() }
        let booked = results.filter { $0.status == 0 }
        #expect(booked.count >= 1 && booked.count <= 2, "at most two of the overlapping hours fit: \(results.map(\.stderr))")
        #expect(results.filter { $0.status != 0 }.allSatisfy { $0.stderr.contains("not bookable") }, "\(results.map(\.stderr))")
        try expectNoOverlap(from: "2028-03-06", to: "2028-03-07", count: booked.count)

        /// The bookings listed for a day: `count` of them, none overlapping another.
        func expectNoOverlap(from: String, to: String, count: Int) throws {
            let listed = try run(["bookings", "list", resource, "--from", from, "--to", to, "--json"])
            let bookings = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
            let intervals = bookings.compactMap { booking -> (String, String)? in
                guard let start = booking["start"] as? String, let end = booking["end"] as? String else { return nil }
                return (start, end)
            }.sorted { $0.0 < $1.0 }
            #expect(intervals.count == count)
            for (first, second) in zip(intervals, intervals.dropFirst()) {
                #expect(first.1 <= second.0, "\(first) and \(second) overlap")
            }
        }
    }
}
