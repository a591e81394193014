import Foundation

/// What a `PROPFIND` says about a file or folder on a WebDAV server (RFC 4918 §15, RFC 4331
/// quotas) and the properties ownCloud and Nextcloud add (`oc:fileid`, `oc:permissions`,
/// `oc:size`, `oc:favorite`, `nc:has-preview`). Properties a server does not have are `nil`.
public struct FileProperties: Sendable, Hashable {
    /// The properties a listing asks for; plain servers answer 404 for the vendor ones.
    public static let requested: [QualifiedName] = [
        .dav("resourcetype"), .dav("getcontentlength"), .dav("getetag"), .dav("getlastmodified"), .dav("getcontenttype"),
        .dav("quota-used-bytes"), .dav("quota-available-bytes"), .owncloud("fileid"), .owncloud("permissions"), .owncloud("size"),
        .owncloud("favorite"), .nextcloud("has-preview"),
    ]

    /// The href as the server wrote it.
    public var href: String
    public var isFolder: Bool
    /// Bytes: `getcontentlength` for a file, `oc:size` (the tree's total) for a folder.
    public var size: Int64?
    /// `getetag` as written (weak ones keep their `W/`).
    public var etag: String?
    /// `getlastmodified`, seconds since 1970 UTC.
    public var lastModified: Int64?
    public var contentType: String?
    /// RFC 4331, for folders that report it.
    public var quotaUsed: Int64?
    /// RFC 4331; negative values (Nextcloud's "unknown" and "unlimited") are `nil`.
    public var quotaAvailable: Int64?
    /// ownCloud/Nextcloud's stable id: it survives a move or rename.
    public var fileID: String?
    /// ownCloud/Nextcloud's permission letters (`RGDNVCK`: read-share, …, `W` write, `D` delete).
    public var permissions: String?
    public var favorite: Bool
    public var hasPreview: Bool?

    /// Reads one response of a PROPFIND that asked for ``requested``.
    public init(_ response: Response) {
        func found(_ name: QualifiedName) -> XMLElement? {
            guard let (element, status) = response.property(name), status == 200 else { return nil }
            return element
        }
        func number(_ name: QualifiedName) -> Int64? { found(name).flatMap { Int64($0.trimmedText) } }
        href = response.href
        isFolder = found(.dav("resourcetype"))?.child(.dav("collection")) != nil
        size = isFolder ? number(.owncloud("size")) : number(.dav("getcontentlength")) ?? number(.owncloud("size"))
        etag = found(.dav("getetag")).map(\.trimmedText).flatMap { $0.isEmpty ? nil : $0 }
        lastModified = found(.dav("getlastmodified")).flatMap { HTTPDate.seconds($0.trimmedText) }
        contentType = found(.dav("getcontenttype")).map(\.trimmedText).flatMap { $0.isEmpty ? nil : $0 }
        quotaUsed = number(.dav("quota-used-bytes"))
        quotaAvailable = number(.dav("quota-available-bytes")).flatMap { $0 >= 0 ? $0 : nil }
        fileID = found(.owncloud("fileid")).map(\.trimmedText).flatMap { $0.isEmpty ? nil : $0 }
        permissions = found(.owncloud("permissions")).map(\.trimmedText)
        favorite = found(.owncloud("favorite"))?.trimmedText == "1"
        hasPreview = found(.nextcloud("has-preview")).map { $0.trimmedText == "true" }
    }

    /// Whether the permissions (when the server states them) allow writing the file.
    public var isWritable: Bool { permissions.map { $0.contains("W") || $0.contains("C") || $0.contains("K") } ?? true }
}

extension QualifiedName {
    /// `{http://owncloud.org/ns}name`, which Nextcloud keeps.
    public static func owncloud(_ name: String) -> QualifiedName { QualifiedName("http://owncloud.org/ns", name) }
    /// `{http://nextcloud.org/ns}name`.
    public static func nextcloud(_ name: String) -> QualifiedName { QualifiedName("http://nextcloud.org/ns", name) }
}

/// HTTP dates (RFC 9110 §5.6.7): the preferred IMF-fixdate form, which WebDAV servers write
/// in `getlastmodified` (`Sun, 06 Nov 1994 08:49:37 GMT`).
enum HTTPDate {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Seconds since 1970 UTC; `nil` for anything but an IMF-fixdate.
    static func seconds(_ text: String) -> Int64? {
        let fields = text.split(separator: " ")
        guard fields.count == 6, fields[5] == "GMT", let day = Int(fields[1]), let month = months.firstIndex(of: String(fields[2])),
            let year = Int(fields[3])
        else { return nil }
        let time = fields[4].split(separator: ":").compactMap { Int($0) }
        guard time.count == 3, (1...31).contains(day), (0...23).contains(time[0]), (0...59).contains(time[1]), (0...60).contains(time[2])
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        let components = DateComponents(year: year, month: month + 1, day: day, hour: time[0], minute: time[1], second: time[2])
        guard let date = calendar.date(from: components) else { return nil }
        return Int64(date.timeIntervalSince1970)
    }
}
