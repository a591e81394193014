public import DAVClient
public import SwitchboardStore

/// Why an account could not be connected or used.
public struct AccountError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// The account cannot be used: its server URL does not parse, or its password cannot
        /// be opened (or sealed) with the store's key.
        case unusable
        /// Another account already has the name.
        case nameTaken
        /// No account (or collection) has the id: removed meanwhile.
        case unknown
        /// The server failed or refused: see ``AccountError/upstream``.
        case server
        /// The store failed: see ``AccountError/storeError``.
        case store
    }

    public var code: Code
    public var detail: String
    /// The DAV client's error, for ``Code/server``.
    public var upstream: DAVError?
    /// The store's error, for ``Code/store``.
    public var storeError: StoreError?

    /// Creates an error.
    public init(_ code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    /// The server's failure.
    public init(_ error: DAVError) {
        self.init(.server, detail: error.description)
        upstream = error
    }

    /// The store's failure.
    public init(store error: StoreError) {
        self.init(.store, detail: error.description)
        storeError = error
    }

    public var description: String { "\(code.rawValue): \(detail)" }
}
