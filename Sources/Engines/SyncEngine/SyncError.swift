public import Accounts
public import DAVClient
import SwitchboardStore

/// Why a sync run, or one item of it, failed.
public struct SyncError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// The server failed or refused (see the `DAVError` in `detail`).
        case server
        /// The store failed.
        case store
        /// The local side (a folder) failed.
        case local
        /// An item's content does not parse.
        case malformedItem
        /// Two items share a UID.
        case duplicateUID
        /// Both sides changed an item and the policy keeps both for a person to decide.
        case conflict
        /// Another run holds the collection.
        case busy
        /// The run would delete more than the collection's limit allows.
        case massDeleteRefused
        /// The account's password could not be opened, or the account is gone.
        case account
    }

    public var code: Code
    public var href: String?
    public var localID: String?
    public var detail: String
    /// Whether trying again later may succeed (network, 5xx, store unavailable).
    public var isTransient: Bool
    /// The server's failure as the DAV client reported it (status, method, URL), typed.
    public var upstream: DAVError?
    /// The DAV client's error code, for a server failure. (Stored beside `upstream`: a
    /// computed one in a `catch … where` clause crashes the 6.3 optimizer, CopyPropagation.)
    public var serverCode: DAVError.Code?

    public init(_ code: Code, href: String? = nil, localID: String? = nil, detail: String, isTransient: Bool = false) {
        self.code = code
        self.href = href
        self.localID = localID
        self.detail = detail
        self.isTransient = isTransient
    }

    init(store error: StoreError) {
        self.init(.store, detail: error.description, isTransient: error.code == .unavailable)
    }

    init(_ error: DAVError, href: String? = nil, localID: String? = nil) {
        let transient: Set<DAVError.Code> = [.timeout, .connection, .circuitOpen, .rateLimited, .insufficientStorage, .cancelled]
        let serverFailure = (error.status ?? 0) >= 500
        self.init(.server, href: href ?? error.url, localID: localID, detail: error.description,
                  isTransient: transient.contains(error.code) || serverFailure)
        upstream = error
        serverCode = error.code
    }

    /// An account's failure as the sync engine reports it: the server's and the store's
    /// keep their own codes (and whether they are transient); the others are ``Code/account``.
    public init(_ error: AccountError) {
        if let upstream = error.upstream {
            self.init(upstream)
        } else if let storeError = error.storeError {
            self.init(store: storeError)
        } else {
            self.init(.account, detail: error.detail)
        }
    }

    public var description: String {
        let subject = [href, localID.map { "local \($0)" }].compactMap { $0 }.joined(separator: ", ")
        return subject.isEmpty ? "\(code.rawValue): \(detail)" : "\(code.rawValue) (\(subject)): \(detail)"
    }
}
