/// Nextcloud's file events (`OCP\Files\Events\Node`) as webhook_listeners delivers them, and
/// the paths they name.
public enum FileNodeEvents {
    /// The event classes that name one file or folder (in `event.node`).
    public static let singleNode = [
        #"OCP\Files\Events\Node\NodeCreatedEvent"#,
        #"OCP\Files\Events\Node\NodeWrittenEvent"#,
        #"OCP\Files\Events\Node\NodeDeletedEvent"#,
    ]
    /// Renames and copies name two (`event.source`, `event.target`).
    public static let twoNodes = [
        #"OCP\Files\Events\Node\NodeRenamedEvent"#,
        #"OCP\Files\Events\Node\NodeCopiedEvent"#,
    ]

    /// The registrations that report `owner`'s own changes to files (those the user makes;
    /// changes others make to files shared with the user are read by the indexes' periodic
    /// runs) to `uri` with `headers`.
    public static func registrations(owner: String, uri: String, headers: [String: String]) -> [WebhookRegistration] {
        (singleNode + twoNodes).map { event in WebhookRegistration(uri: uri, event: event, equalities: ["user.uid": owner], headers: headers) }
    }

    /// The path below the user's files of a node path as events give it
    /// (`/anna/files/Leitlinien/x.pdf` → `Leitlinien/x.pdf`); `nil` for paths outside a
    /// user's files (trash, versions, app data).
    public static func filesPath(_ nodePath: String) -> String? {
        let segments = nodePath.split(separator: "/", omittingEmptySubsequences: true)
        guard segments.count >= 2, segments[1] == "files" else { return nil }
        return segments.dropFirst(2).joined(separator: "/")
    }
}
