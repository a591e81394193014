import DAVClient
import HTTPTransport
import DAVXML
public import Foundation
import NextcloudOCS
import OpenProjectAPI
import ZulipAPI
public import SyncPlanning
public import SwitchboardStore

/// A request to connect a groupware account.
public struct AccountConnection: Sendable {
    public var name: String
    public var serverURL: URL
    public var username: String
    public var password: String
    /// The tenant it belongs to (its server must then be allowed by the tenant policy).
    public var tenantID: String?
    /// Seconds between scheduled syncs of each collection.
    public var syncInterval: Int
    public var conflictPolicy: ConflictPolicy
    public var kind: AccountKind

    public init(name: String, serverURL: URL, username: String, password: String, tenantID: String? = nil, syncInterval: Int = 300,
                conflictPolicy: ConflictPolicy = .remoteWins, kind: AccountKind = .dav) {
        self.kind = kind
        self.name = name
        self.serverURL = serverURL
        self.username = username
        self.password = password
        self.tenantID = tenantID
        self.syncInterval = syncInterval
        self.conflictPolicy = conflictPolicy
    }
}

extension AccountClients {
    /// Connects an account: signs in and discovers its calendars and address books (RFC 6764)
    /// and where its files are (Nextcloud's files folder, or, on a server with no calendars
    /// and contacts, the URL itself when it is a WebDAV collection), then stores the account
    /// — its password sealed — with them. Nothing is stored when the server cannot be
    /// reached, refuses the credentials, offers neither collections nor files, or is not
    /// allowed; an account of that name already there is ``AccountError/Code/nameTaken``.
    ///
    /// A Nextcloud account (``AccountKind/nextcloud``, its URL the server's root or any URL
    /// below `/remote.php/`) must first give its version (capabilities) and sign in to the
    /// OCS API (the current user); its
    /// calendars, contacts and files are then discovered below `remote.php/dav/`, and an
    /// account whose DAV part finds nothing is kept for the OCS API alone. An OpenProject or
    /// Zulip account is signed in to its API and kept with no collections.
    public func connect(_ request: AccountConnection, in store: any SyncStore) async throws(AccountError) -> (AccountRecord, [CollectionRecord]) {
        var configuration = baseConfiguration
        configuration.credentials = .basic(user: request.username, password: request.password)
        if request.tenantID != nil { configuration.networkPolicy = tenantPolicy }
        let transport = HTTPTransport(configuration: configuration)
        if !request.kind.hasDAV {
            let root: URL
            do throws(PlatformError) {
                root = try await Self.checkPlatform(request, transport: transport)
                await transport.shutdown()
            } catch {
                await transport.shutdown()
                throw AccountError(.server, detail: "not a \(request.kind.rawValue) server that takes these credentials: \(error)")
            }
            return (try await save(request, serverURL: root.absoluteString, filesURL: nil, in: store), [])
        }
        var davURL = request.serverURL
        if request.kind == .nextcloud {
            let root = Self.nextcloudRoot(of: request.serverURL)
            do throws(PlatformError) {
                let ocs = OCSClient(baseURL: root, transport: transport)
                _ = try await ocs.capabilities()
                _ = try await ocs.currentUser()
            } catch {
                await transport.shutdown()
                throw AccountError(.server, detail: "not a Nextcloud that takes these credentials: \(error)")
            }
            if !request.serverURL.path(percentEncoded: true).contains("/remote.php/") { davURL = root.appending(path: "remote.php/dav/") }
        }
        let client = DAVClient(baseURL: davURL, transport: transport)
        var contextURL = davURL
        var found: [CollectionProperties] = []
        var filesRoot: String?
        do throws(DAVError) {
            do throws(DAVError) {
                let discovery = try await client.discover()
                contextURL = discovery.contextURL
                found = try await client.collections(of: discovery, state: false)
                filesRoot = try await client.filesRoot(user: request.username, orServerURL: false)
            } catch where error.code == .notFound || error.code == .malformedResponse {
                // No calendars or contacts here: a plain file server is kept for its files.
                guard let root = try await client.filesRoot(user: request.username, orServerURL: true) else { throw error }
                filesRoot = root
            }
            await transport.shutdown()
        } catch where request.kind == .nextcloud {
            // Signed in to the OCS API already: kept for it, with no collections or files.
            await transport.shutdown()
            filesRoot = nil
        } catch {
            await transport.shutdown()
            throw AccountError(error)
        }
        let account = try await save(request, serverURL: contextURL.absoluteString,
                                     filesURL: filesRoot.flatMap { URL(string: $0, relativeTo: davURL)?.absoluteURL.absoluteString }, in: store)
        var collections: [CollectionRecord] = []
        for properties in found {
            let kind: CollectionKind
            if properties.kind.contains(.calendar) {
                kind = .calendar
            } else if properties.kind.contains(.addressBook) {
                kind = .addressBook
            } else {
                continue
            }
            let collection = CollectionRecord(accountID: account.id, href: properties.href, kind: kind, displayName: properties.displayName,
                                              color: properties.color, conflictPolicy: request.conflictPolicy, syncInterval: request.syncInterval)
            try await storeCall(store) { store throws(StoreError) in try await store.saveCollection(collection) }
            collections.append(collection)
        }
        return (account, collections)
    }

    /// Stores the account, its password sealed, unless one of that name is there.
    private func save(_ request: AccountConnection, serverURL: String, filesURL: String?, in store: any SyncStore) async throws(AccountError) -> AccountRecord {
        let existing = try await storeCall(store) { store throws(StoreError) in try await store.accounts() }
        guard !existing.contains(where: { $0.name == request.name }) else {
            throw AccountError(.nameTaken, detail: "there is already an account named \(request.name)")
        }
        let account = AccountRecord(name: request.name, serverURL: serverURL, username: request.username, sealedPassword: try seal(request.password),
                                    tenantID: request.tenantID, filesURL: filesURL, kind: request.kind)
        try await storeCall(store) { store throws(StoreError) in try await store.saveAccount(account) }
        return account
    }

    /// Signs in to a platform's API and reads who the account is (OpenProject: the API root
    /// and the current user; Zulip: the server's version and the bot); answers the root kept
    /// as the account's URL.
    private static func checkPlatform(_ request: AccountConnection, transport: HTTPTransport) async throws(PlatformError) -> URL {
        let root = request.serverURL.hasDirectoryPath ? request.serverURL : request.serverURL.appending(path: "", directoryHint: .isDirectory)
        switch request.kind {
        case .openproject:
            let client = OpenProjectClient(baseURL: root, transport: transport)
            _ = try await client.root()
            _ = try await client.currentUser()
        case .zulip:
            let client = ZulipClient(baseURL: root, transport: transport)
            _ = try await client.serverSettings()
            _ = try await client.currentUser()
        case .dav, .nextcloud:
            preconditionFailure("\(request.kind) accounts are discovered over DAV, not checked here")
        }
        return root
    }

    private func storeCall<T>(_ store: any SyncStore, _ body: (any SyncStore) async throws(StoreError) -> T) async throws(AccountError) -> T {
        do { return try await body(store) } catch { throw AccountError(store: error) }
    }
}

extension AccountClients {
    /// A Nextcloud's root (where `ocs/v2.php` is): what comes before `/remote.php/` in `url`,
    /// or `url` itself as a folder (the root the operator typed).
    static func nextcloudRoot(of url: URL) -> URL {
        OCSClient.root(before: url) ?? (url.hasDirectoryPath ? url : url.appending(path: "", directoryHint: .isDirectory))
    }
}
