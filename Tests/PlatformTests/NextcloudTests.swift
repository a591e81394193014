import DAVClient
import HTTPTransport
import Foundation
import NextcloudOCS
import SwitchboardCore
import SwitchboardTestSupport
import Testing

@Suite struct CalendarReferenceTests {
    @Test func aReferenceNamesTheCalendarOfItsOwnerOnlyWhateverTheLayout() {
        let personal = CalendarReference(principalURI: "principals/users/anna", uri: "personal")
        #expect(personal.owner == "anna")
        #expect(personal.names(href: "/remote.php/dav/calendars/anna/personal/"))
        #expect(personal.names(href: "https://cloud.example.com/nextcloud/remote.php/dav/calendars/anna/personal"))
        #expect(personal.names(href: "/anna/personal/"))
        #expect(!personal.names(href: "/remote.php/dav/calendars/bob/personal/"))
        #expect(!personal.names(href: "/remote.php/dav/calendars/anna/personal-2/"))
        #expect(!personal.names(href: "/personal/"))
        #expect(CalendarReference(principalURI: "principals/users/j%C3%BCrgen", uri: "a b").names(href: "/calendars/j%C3%BCrgen/a%20b/") == false)
        #expect(CalendarReference(principalURI: "principals/users/jürgen", uri: "a b").names(href: "/calendars/j%C3%BCrgen/a%20b/"))
        // A group's or a room's principal is no user's: nothing is named.
        #expect(CalendarReference(principalURI: "principals/calendar-rooms/r1", uri: "personal").owner == nil)
        #expect(CalendarReference.owner(ofCalendarAt: "/remote.php/dav/calendars/anna/personal/") == "anna")
        #expect(CalendarReference.owner(ofCalendarAt: "/personal/") == nil)
    }

    @Test func theOCSRootIsWhatComesBeforeRemotePHP() {
        #expect(PushSubscriptions.ocsRoot(ofDAV: "https://cloud.example.com/remote.php/dav/")?.absoluteString == "https://cloud.example.com/")
        #expect(PushSubscriptions.ocsRoot(ofDAV: "https://example.com/nextcloud/remote.php/dav/calendars/anna/")?.absoluteString
            == "https://example.com/nextcloud/")
        #expect(PushSubscriptions.ocsRoot(ofDAV: "http://127.0.0.1:5232/anna/")?.absoluteString == "http://127.0.0.1:5232/")
        #expect(PushSubscriptions.ocsRoot(ofDAV: "not a url") == nil)
    }

    @Test func everyCalendarObjectEventIsRegisteredWithAFilterOnTheOwnersCalendars() throws {
        let registrations = CalendarObjectEvents.registrations(owner: "anna", uri: "https://sb.example.com/hooks/nextcloud/1",
                                                               headers: ["Authorization": "Bearer sbh_x"])
        #expect(registrations.count == 7)
        #expect(Set(registrations.map(\.event)) == Set(CalendarObjectEvents.singleCalendar + [CalendarObjectEvents.moved]))
        let moves = registrations.filter { $0.event == CalendarObjectEvents.moved }.map(\.eventFilter)
        #expect(moves == [["event.sourceCalendarData.principaluri": ["$e": "principals/users/anna"]],
                          ["event.targetCalendarData.principaluri": ["$e": "principals/users/anna"]]])
        let body = try JSONSerialization.jsonObject(with: JSONEncoder().encode(registrations[0])) as? [String: Any]
        #expect(body?["event"] as? String == #"OCP\Calendar\Events\CalendarObjectCreatedEvent"#)
        #expect(body?["httpMethod"] as? String == "POST")
        #expect(body?["authMethod"] as? String == "none")
        #expect((body?["headers"] as? [String: String])?["Authorization"] == "Bearer sbh_x")
    }
}

/// The OCS client against the stand-in for Nextcloud's webhook_listeners API, which checks
/// each request and its own answers against Nextcloud's OpenAPI document.
@Suite struct WebhookListenersClientTests {
    @Test func anAdministratorRegistersListsAndRemovesWebhooksAndOthersAreRefused() async throws {
        let fake = try await Peer.named("nextcloud-fake")
        let registration = WebhookRegistration(uri: "http://127.0.0.1:9/hooks/nextcloud/\(UUID())", event: CalendarObjectEvents.moved,
                                               equalities: ["event.targetCalendarData.principaluri": "principals/users/anna"],
                                               headers: ["Authorization": "Bearer sbh_test"])
        try await withOCS(fake, user: "admin", password: "admin-secret") { ocs in
            let registered = try await ocs.register(registration)
            #expect(registered.uri == registration.uri)
            #expect(registered.event == registration.event)
            #expect(try await ocs.webhookListeners().contains(registered))
            #expect(try await ocs.deleteWebhookListener(id: registered.id))
            #expect(try await !ocs.deleteWebhookListener(id: registered.id))
            #expect(try await !ocs.webhookListeners().contains(registered))
        }
        try await withOCS(fake, user: "anna", password: "secret") { ocs in
            let refusal = try await #require(throws: PlatformError.self) { try await ocs.register(registration) }
            #expect(refusal.code == .forbidden)
            #expect(refusal.detail.contains("admin"))
        }
        try await withOCS(fake, user: "admin", password: "wrong") { ocs in
            let refusal = try await #require(throws: PlatformError.self) { try await ocs.webhookListeners() }
            #expect(refusal.code == .unauthorized)
        }
        #expect(try await PlatformFake.violations(fake) == [])
    }

    func withOCS(_ fake: Peer, user: String, password: String, _ body: (OCSClient) async throws -> Void) async throws {
        var configuration = ClientConfiguration(credentials: .basic(user: user, password: password))
        configuration.retry = RetryPolicy(maxAttempts: 1)
        try await HTTPTransport.withTransport(configuration: configuration) { transport in
            try await body(OCSClient(baseURL: fake.baseURL, transport: transport))
        }
    }
}

@Suite struct FileNodeEventTests {
    @Test func nodePathsBecomePathsBelowTheUsersFiles() {
        #expect(FileNodeEvents.filesPath("/anna/files/Leitlinien/x.pdf") == "Leitlinien/x.pdf")
        #expect(FileNodeEvents.filesPath("/anna/files") == "")
        #expect(FileNodeEvents.filesPath("/anna/files_trashbin/files/x.pdf.d1") == nil)
        #expect(FileNodeEvents.filesPath("/appdata_x/preview/1") == nil)
    }

    @Test func everyFileEventOfTheUserIsRegistered() {
        let registrations = FileNodeEvents.registrations(owner: "anna", uri: "https://sb.example/hooks/nextcloud/1", headers: ["Authorization": "Bearer x"])
        #expect(registrations.count == 5)
        #expect(registrations.allSatisfy { $0.eventFilter == ["user.uid": ["$e": "anna"]] && $0.event.hasPrefix(#"OCP\Files\Events\Node\"#) })
    }
}
