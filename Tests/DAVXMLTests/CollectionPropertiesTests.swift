import DAVXML
import Testing

@Suite struct CollectionPropertiesDecoding {
    /// A depth-1 PROPFIND answer in the shape Nextcloud sends for a calendar home.
    static let home = """
        <?xml version="1.0"?>
        <d:multistatus xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns" xmlns:cal="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/" xmlns:oc="http://owncloud.org/ns" xmlns:x1="http://apple.com/ns/ical/">
         <d:response><d:href>/remote.php/dav/calendars/anna/</d:href>
          <d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>
          <d:propstat><d:prop><d:displayname/><cs:getctag/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>
         </d:response>
         <d:response><d:href>/remote.php/dav/calendars/anna/personal/</d:href>
          <d:propstat><d:prop>
            <d:resourcetype><d:collection/><cal:calendar/></d:resourcetype>
            <d:displayname>Personal</d:displayname>
            <x1:calendar-color>#0082c9</x1:calendar-color>
            <cs:getctag>http://sabre.io/ns/sync/42</cs:getctag>
            <d:sync-token>http://sabre.io/ns/sync/42</d:sync-token>
            <cal:supported-calendar-component-set><cal:comp name="VEVENT"/><cal:comp name="VTODO"/></cal:supported-calendar-component-set>
            <d:current-user-privilege-set><d:privilege><d:read/></d:privilege><d:privilege><d:write/></d:privilege></d:current-user-privilege-set>
          </d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>
         </d:response>
         <d:response><d:href>/remote.php/dav/calendars/anna/inbox/</d:href>
          <d:propstat><d:prop><d:resourcetype><d:collection/><cal:schedule-inbox/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>
         </d:response>
        </d:multistatus>
        """

    @Test func calendarsAreToldApartFromTheHomeAndTheInbox() throws {
        let collections = try Multistatus(parsing: Array(Self.home.utf8)).responses.map(CollectionProperties.init)
        #expect(collections.map(\.kind) == [[.collection], [.collection, .calendar], [.collection, .scheduling]])
        let personal = collections[1]
        #expect(personal.displayName == "Personal")
        #expect(personal.color == "#0082c9")
        #expect(personal.ctag == "http://sabre.io/ns/sync/42")
        #expect(personal.syncToken == "http://sabre.io/ns/sync/42")
        #expect(personal.supportedComponents == ["VEVENT", "VTODO"])
        #expect(personal.isWritable)
        // A property reported with 404 is absent, not empty.
        #expect(collections[0].displayName == nil && collections[0].ctag == nil)
    }
}
