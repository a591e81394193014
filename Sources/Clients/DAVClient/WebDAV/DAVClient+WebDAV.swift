public import DAVXML
import Foundation
import HTTPTransport
import NIOCore
import NIOFileSystem
import NIOHTTP1

/// What a `PROPFIND` asks for.
public enum PropfindRequest: Sendable, Hashable {
    /// Named properties.
    case properties([QualifiedName])
    /// Every dead and live property the server lists, plus `include`.
    case all(include: [QualifiedName])
    /// Property names only.
    case names
}

/// The precondition a write carries.
public enum WritePrecondition: Sendable, Hashable {
    /// Unconditional: overwrite whatever is there. Avoid for objects other people edit.
    case none
    /// `If-Match`: only if the resource still has this ETag.
    case ifMatch(String)
    /// `If-None-Match: *`: only if nothing exists at the href (create, never overwrite).
    case ifNoneMatch
}

/// A resource's body with its validators.
public struct DAVResource: Sendable, Hashable {
    /// Its href.
    public var href: String
    /// Its ETag, when the server sent one.
    public var etag: String?
    /// Its media type.
    public var contentType: String?
    /// The body.
    public var body: [UInt8]

    /// Creates a resource value.
    public init(href: String, etag: String?, contentType: String?, body: [UInt8]) {
        self.href = href
        self.etag = etag
        self.contentType = contentType
        self.body = body
    }
}

/// An active WebDAV lock (RFC 4918 §6).
public struct LockToken: Sendable, Hashable {
    /// The locked resource.
    public var href: String
    /// The token (`urn:uuid:…` or `opaquelocktoken:…`).
    public var token: String

    /// A lock by its token, as a client that holds it names it again.
    public init(href: String, token: String) {
        self.href = href
        self.token = token
    }
}

extension DAVClient {
    // MARK: Properties

    /// `PROPFIND` at `depth`.
    public func propfind(_ href: String, depth: Depth, _ what: PropfindRequest) async throws(DAVError) -> Multistatus {
        let body =
            switch what {
            case .properties(let names): DAVRequestBody.propfind(names)
            case .all(let include): DAVRequestBody.propfindAll(include: include)
            case .names: DAVRequestBody.propfindNames()
            }
        return try await multistatus("PROPFIND", href, depth: depth, body: body)
    }

    /// `PROPPATCH`: sets and removes properties atomically (RFC 4918 §9.2). Throws when
    /// any property was refused, naming each with its status.
    public func proppatch(_ href: String, set: [XMLElement] = [], remove: [QualifiedName] = []) async throws(DAVError) {
        let result = try await multistatus("PROPPATCH", href, depth: nil, body: DAVRequestBody.proppatch(set: set, remove: remove))
        let refused = result.responses.flatMap(\.propstats).filter { !(200..<300).contains($0.status) }
        guard refused.isEmpty else {
            throw DAVError(
                .forbidden, method: "PROPPATCH", url: try url(href).absoluteString, status: refused[0].status,
                detail: refused.flatMap { propstat in propstat.properties.map { "\($0.name) → \(propstat.status)" } }
                    .joined(separator: ", "))
        }
    }

    // MARK: Collections

    /// `MKCOL`: a plain collection, or with `resourceTypes`/`properties` an extended MKCOL
    /// (RFC 5689) that makes, for example, an address book in one request.
    public func mkcol(_ href: String, resourceTypes: [QualifiedName] = [], properties: [XMLElement] = []) async throws(DAVError) {
        guard !resourceTypes.isEmpty || !properties.isEmpty else {
            try await request("MKCOL", href, expected: [201])
            return
        }
        let body = DAVRequestBody.extendedMkcol(resourceTypes: [.dav("collection")] + resourceTypes, properties: properties)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/xml; charset=utf-8")
        try await request("MKCOL", href, headers: headers, body: Array(body.utf8), expected: [201])
    }

    // MARK: Resources

    /// `GET`: the resource and its ETag.
    public func get(_ href: String) async throws(DAVError) -> DAVResource {
        let response = try await request("GET", href, expected: [200])
        return DAVResource(href: href, etag: response.etag, contentType: response.headers.first(name: "content-type"), body: response.body)
    }

    /// A conditional `GET` (`If-None-Match: etag`): `nil` when the resource still has
    /// `etag` (`304 Not Modified`, or a server that ignores the condition sending it again
    /// under the same ETag), else the resource as it is now.
    public func get(_ href: String, ifNoneMatch etag: String) async throws(DAVError) -> DAVResource? {
        var headers = HTTPHeaders()
        headers.add(name: "If-None-Match", value: etag)
        let response = try await request("GET", href, headers: headers, expected: [200, 304])
        guard response.status == 200, response.etag != etag else { return nil }
        return DAVResource(href: href, etag: response.etag, contentType: response.headers.first(name: "content-type"), body: response.body)
    }

    /// `PUT` under `precondition`; returns the new ETag when the server sends one. A failed
    /// precondition is a ``DAVError/Code/conflict`` carrying the server's current ETag.
    @discardableResult
    public func put(_ href: String, body: [UInt8], contentType: String, precondition: WritePrecondition) async throws(DAVError) -> String? {
        try await retryingJustWritten(precondition, href: href) { (precondition) throws(DAVError) -> String? in
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: contentType)
            add(precondition, to: &headers)
            do throws(DAVError) {
                return try await request("PUT", href, headers: headers, body: body, expected: [200, 201, 204]).etag
            } catch {
                throw await withCurrentETag(error, href: href)
            }
        }
    }

    /// Streams the resource into a new file at `path` (replacing one that is there) without
    /// holding it in memory; returns its ETag.
    @discardableResult
    public func download(_ href: String, to path: String) async throws(DAVError) -> String? {
        try await download(href, to: path, range: nil).etag
    }

    /// Streams the file at `path` to `href` under `precondition` (naming `lock` when the file
    /// is locked; telling `progress` the bytes sent so far); returns the new ETag when the
    /// server sends one.
    @discardableResult
    public func upload(file path: String, to href: String, contentType: String, precondition: WritePrecondition,
                       lock: LockToken? = nil, progress: (@Sendable (Int64) -> Void)? = nil) async throws(DAVError) -> String? {
        try await retryingJustWritten(precondition, href: href) { (precondition) throws(DAVError) -> String? in
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: contentType)
            add(precondition, to: &headers)
            if let lock { headers.add(name: "If", value: try ifHeader(naming: lock)) }
            var request = HTTPRequest(method: "PUT", url: try url(href), headers: headers, bodyFile: path)
            request.bodyProgress = progress
            let response = try await send(request)
            guard [200, 201, 204].contains(response.status) else {
                throw await withCurrentETag(Self.error(for: response, request: request), href: href)
            }
            return response.etag
        }
    }

    /// `DELETE`, with `If-Match` when `etag` is given.
    public func delete(_ href: String, etag: String? = nil) async throws(DAVError) {
        try await retryingJustWritten(etag.map(WritePrecondition.ifMatch) ?? .none, href: href) { (precondition) throws(DAVError) -> Void in
            var headers = HTTPHeaders()
            add(precondition, to: &headers)
            do throws(DAVError) {
                try await request("DELETE", href, headers: headers, expected: [200, 202, 204])
            } catch {
                throw await withCurrentETag(error, href: href)
            }
        }
    }

    /// `COPY` or `MOVE` to `destination` (an href), replacing it only when `overwrite`.
    public func transfer(_ method: TransferMethod, _ href: String, to destination: String, overwrite: Bool) async throws(DAVError) {
        var headers = HTTPHeaders()
        headers.add(name: "Destination", value: try url(destination).absoluteString)
        headers.add(name: "Overwrite", value: overwrite ? "T" : "F")
        if method == .move { headers.add(name: "Depth", value: "infinity") }
        try await request(method.rawValue, href, headers: headers, expected: [201, 204])
    }

    /// `COPY` or `MOVE`.
    public enum TransferMethod: String, Sendable { case copy = "COPY", move = "MOVE" }

    // MARK: Locks

    /// `LOCK`: an exclusive write lock for `seconds`.
    public func lock(_ href: String, owner: String, seconds: Int = 600) async throws(DAVError) -> LockToken {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/xml; charset=utf-8")
        headers.add(name: "Timeout", value: "Second-\(seconds)")
        headers.add(name: "Depth", value: "0")
        let response = try await request("LOCK", href, headers: headers, body: Array(DAVRequestBody.lockInfo(owner: owner).utf8), expected: [200, 201])
        guard let header = response.headers.first(name: "lock-token") else {
            throw DAVError(.malformedResponse, method: "LOCK", url: response.url.absoluteString, status: response.status, detail: "no Lock-Token header")
        }
        return LockToken(href: href, token: header.trimmingAngleBrackets)
    }

    /// `UNLOCK`.
    public func unlock(_ lock: LockToken) async throws(DAVError) {
        var headers = HTTPHeaders()
        headers.add(name: "Lock-Token", value: "<\(lock.token)>")
        try await request("UNLOCK", lock.href, headers: headers, expected: [200, 204])
    }

    /// `PUT` to a locked resource: the `If` header (RFC 4918 §10.4) names the lock.
    @discardableResult
    public func put(_ href: String, body: [UInt8], contentType: String, lock: LockToken) async throws(DAVError) -> String? {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "If", value: try ifHeader(naming: lock))
        return try await request("PUT", href, headers: headers, body: body, expected: [200, 201, 204]).etag
    }

    /// The `If` header naming a lock as a tagged list (`<url> (<token>)`, RFC 4918 §10.4.2):
    /// an untagged list applies to every resource the request touches, and a server checking
    /// the parent collection too (Apache, on DELETE) then fails the request with 424.
    func ifHeader(naming lock: LockToken) throws(DAVError) -> String {
        "<\(try url(lock.href).absoluteString)> (<\(lock.token)>)"
    }

    // MARK: Helpers

    private func add(_ precondition: WritePrecondition, to headers: inout HTTPHeaders) {
        switch precondition {
        case .none: break
        case .ifMatch(let etag): headers.add(name: "If-Match", value: etag)
        case .ifNoneMatch: headers.add(name: "If-None-Match", value: "*")
        }
    }

    /// Runs a conditional write, and once more when it was refused only because the ETag it
    /// named was the weak form of the current one or the current one is the weak form of
    /// it. Apache hands out a weak ETag for a second after a write (the file's time is too
    /// recent to vouch for its content) and compares `If-Match` strongly, so a precondition on
    /// a file written just now fails though nothing changed: the write waits until the tag is
    /// strong and names that.
    private func retryingJustWritten<Result>(
        _ precondition: WritePrecondition, href: String, _ write: (WritePrecondition) async throws(DAVError) -> Result
    ) async throws(DAVError) -> Result {
        do {
            return try await write(precondition)
        } catch {
            guard error.code == .conflict, case .ifMatch(let named) = precondition, let current = error.currentETag,
                EntityTag.same(current, named), EntityTag.isWeak(current) || EntityTag.isWeak(named)
            else { throw error }
            try? await Task.sleep(for: .milliseconds(1_100))
            guard let now = try await currentETag(href), !EntityTag.isWeak(now), EntityTag.same(now, named) else { throw error }
            return try await write(.ifMatch(now))
        }
    }

    /// A conflict learns the server's current ETag (412 bodies rarely carry it).
    private func withCurrentETag(_ error: DAVError, href: String) async -> DAVError {
        guard error.code == .conflict else { return error }
        var error = error
        error.currentETag = try? await currentETag(href)
        return error
    }

    /// The resource's ETag now, by `PROPFIND` depth 0 (works where `HEAD` is not served).
    public func currentETag(_ href: String) async throws(DAVError) -> String? {
        let result = try await propfind(href, depth: .zero, .properties([.dav("getetag")]))
        return result.responses.first?.property(.dav("getetag")).flatMap { $0.status == 200 ? $0.element.trimmedText : nil }
    }
}

extension String {
    /// `<urn:uuid:x>` → `urn:uuid:x`.
    var trimmingAngleBrackets: String {
        var text = Substring(self.trimmingCharacters(in: .whitespaces))
        if text.hasPrefix("<") { text.removeFirst() }
        if text.hasSuffix(">") { text.removeLast() }
        return String(text)
    }
}
