/// Names a tenant chooses (its accounts, its resources) are unique within the tenant; the
/// store, whose names are unique across it, keeps them as `tenant/name`. The operator's own
/// (no tenant) keep their plain names, which carry no slash.
public enum TenantScopedName {
    /// The name the store keeps for `name` of the tenant named `tenantName`.
    public static func stored(_ name: String, tenantName: String) -> String { tenantName + "/" + name }

    /// The name the tenant knows: what follows the tenant's prefix, if there is one.
    public static func shown(_ stored: String) -> String {
        stored.firstIndex(of: "/").map { String(stored[stored.index(after: $0)...]) } ?? stored
    }
}

extension ResourceRecord {
    /// The name its tenant knows it by.
    public var localName: String { TenantScopedName.shown(name) }
}

extension AccountRecord {
    /// The name its tenant knows it by.
    public var localName: String { TenantScopedName.shown(name) }
}

extension MailAccountRecord {
    /// The name its tenant knows it by.
    public var localName: String { TenantScopedName.shown(name) }
}
