public import Accounts
import Caching
public import Scheduling
public import SyncEngine
public import SwitchboardStore
public import Webhooks

/// Everything the application keeps: the sync store with bookings, access, webhooks, push
/// subscriptions, mail accounts, knowledge indexes and workspaces.
public typealias AppStore = BookingStore & AccessStore & WebhookStore & PushStore & MailAccountStore & FileIndexStore & WorkspaceStore

/// The application: every use case of Switchboard over one store, for the HTTP server and
/// the CLI alike. Interfaces translate a request or a command into calls on a tenant's view
/// (``tenant(_:)``: the records it may reach, looked up once) or on the services below, and
/// the answers back; no use case lives in an interface.
public final class Hub: Sendable {
    public let store: any AppStore
    /// The clients of the store's accounts (one pool each).
    public var clients: AccountClients { bookings.clients }
    /// Availability and bookings of resources.
    public let bookings: BookingService
    /// Events of synced calendars.
    public let events: EventService
    /// Contacts of synced address books.
    public let contacts: ContactService
    /// Syncs of single collections, on demand.
    public let syncer: StoreSyncer
    /// Manual conflicts, listed and resolved.
    public let resolver: ConflictResolver
    /// Webhook subscriptions and the delivery of the outbox's events.
    public let webhooks: WebhookService
    /// Nextcloud push subscriptions of accounts.
    public let push: PushSubscriptions
    /// Mail accounts: reading, sending, watching.
    public let mail: MailService
    /// The accounts' files (WebDAV).
    public let files: FileService
    /// Knowledge indexes over the accounts' files.
    public let indexes: IndexService
    /// Nextcloud's users, groups and shares.
    public let nextcloud: NextcloudService
    /// OpenProject's API v3 for accounts of kind `openproject`.
    public let openProject: OpenProjectService
    /// Zulip's REST API for accounts of kind `zulip`.
    public let zulip: ZulipService
    /// Workspaces across Nextcloud, OpenProject and Zulip.
    public let workspaces: WorkspaceService
    /// OpenProject's and Zulip's webhook calls, passed on as the tenants' events.
    public let platformHooks: PlatformHooks

    let directory = Directory.Cache()
    /// Feeds' calendars as last made, while the store is unchanged (a minute at most: other
    /// processes' writes).
    let publishedFeeds = Memo<String, PublishedFeed>(capacity: 1_000, lifetime: .seconds(60))

    /// The application over `store`, its bookings made by `bookings` (whose account clients
    /// every other service shares) and its events delivered by `webhooks`.
    public init(store: any AppStore, bookings: BookingService, webhooks: WebhookService) {
        self.store = store
        self.bookings = bookings
        self.webhooks = webhooks
        events = EventService(store: store, clients: bookings.clients)
        contacts = ContactService(store: store, clients: bookings.clients)
        syncer = StoreSyncer(store: store, clients: bookings.clients)
        resolver = ConflictResolver(store: store, clients: bookings.clients)
        push = PushSubscriptions(store: store, clients: bookings.clients)
        mail = MailService(store: store, accounts: bookings.clients.mailAccounts)
        files = FileService(clients: bookings.clients)
        indexes = IndexService(store: store, files: files)
        nextcloud = NextcloudService(clients: bookings.clients)
        openProject = OpenProjectService(clients: bookings.clients)
        zulip = ZulipService(clients: bookings.clients)
        platformHooks = PlatformHooks(store: store, clients: bookings.clients, webhooks: webhooks)
        workspaces = WorkspaceService(store: store, nextcloud: nextcloud, openProject: openProject, zulip: zulip, files: files)
    }

    /// One tenant's view: what its API keys and tokens may reach.
    public func tenant(_ id: String) -> Tenant { Tenant(id: id, hub: self) }

    /// The store's accounts, collections and resources (kept while the store is unchanged).
    public func currentDirectory() async throws(LookupError) -> Directory {
        try await stored { () throws(StoreError) in try await directory.current(store) }
    }
}

/// Why a record a request names cannot be used: it is not there, or it is another tenant's
/// (the two look the same), or the store failed.
public enum LookupError: Error, Sendable, CustomStringConvertible {
    case unknownAccount(String)
    case unknownCollection(String)
    case unknownCalendar(String)
    case unknownAddressBook(String)
    case unknownResource(String)
    case unknownBooking(String)
    case unknownFeed(String)
    case store(StoreError)

    public var description: String {
        switch self {
        case .unknownAccount(let id): "no account \(id)"
        case .unknownCollection(let id): "no collection \(id)"
        case .unknownCalendar(let id): "no calendar \(id)"
        case .unknownAddressBook(let id): "no address book \(id)"
        case .unknownResource(let name): "no resource named \(name)"
        case .unknownBooking(let id): "no booking \(id)"
        case .unknownFeed(let id): "no feed \(id)"
        case .store(let error): error.description
        }
    }
}
