import Foundation

/// The store's tables, versioned. One definition for both drivers: the column types are
/// written as `{bool}`, `{int}`, `{real}` and `{bytes}` and each dialect names its own.
public enum StoreSchema {
    /// An SQL dialect the schema renders for.
    public enum Dialect: Sendable {
        case sqlite
        case postgres
    }

    /// One schema version: an identifier recorded once applied, and its statements.
    public struct Migration: Sendable {
        public var identifier: String
        public var statements: [String]
    }

    /// Every migration in order, rendered for `dialect`. Append; never edit a shipped one.
    public static func migrations(for dialect: Dialect) -> [Migration] {
        versions.map { version in
            Migration(identifier: version.identifier, statements: version.statements.compactMap { $0.text(for: dialect) }.map { render($0, for: dialect) })
        }
    }

    /// A schema version as written here: statements both dialects share, and the few each
    /// writes its own way (full-text search).
    private struct Version {
        var identifier: String
        var statements: [Statement]
    }

    private enum Statement: ExpressibleByStringLiteral {
        case shared(String)
        /// A statement for one dialect only.
        case only(Dialect, String)

        init(stringLiteral value: String) { self = .shared(value) }

        func text(for dialect: Dialect) -> String? {
            switch self {
            case .shared(let text): text
            case .only(let target, let text): target == dialect ? text : nil
            }
        }
    }

    private static func render(_ statement: String, for dialect: Dialect) -> String {
        let types: [(String, String)] = switch dialect {
        case .sqlite: [("{bool}", "INTEGER"), ("{int}", "INTEGER"), ("{real}", "REAL"), ("{bytes}", "BLOB")]
        case .postgres: [("{bool}", "BOOLEAN"), ("{int}", "BIGINT"), ("{real}", "DOUBLE PRECISION"), ("{bytes}", "BYTEA")]
        }
        return types.reduce(statement) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }

    private static let versions: [Version] = [
        Version(identifier: "v1-accounts-collections-items", statements: [
            """
            CREATE TABLE accounts (
                id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, server_url TEXT NOT NULL, username TEXT NOT NULL,
                sealed_password {bytes}, created_at {int} NOT NULL)
            """,
            """
            CREATE TABLE collections (
                id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                href TEXT NOT NULL, kind TEXT NOT NULL, display_name TEXT, color TEXT, sync_token TEXT, ctag TEXT,
                conflict_policy TEXT NOT NULL, max_delete_share {real} NOT NULL, enabled {bool} NOT NULL,
                sync_interval {int} NOT NULL, last_synced_at {int}, UNIQUE (account_id, href))
            """,
            """
            CREATE TABLE items (
                collection_id TEXT NOT NULL REFERENCES collections (id) ON DELETE CASCADE, local_id TEXT NOT NULL,
                href TEXT, uid TEXT, etag TEXT, synced_data TEXT, content_hash TEXT, pending_data TEXT,
                pending_deletion {bool} NOT NULL, conflict_data TEXT, conflict_etag TEXT, summary TEXT,
                start_utc {int}, end_utc {int}, all_day {bool} NOT NULL, status TEXT, transparency TEXT,
                recurring {bool} NOT NULL, last_modified {int}, revision {int} NOT NULL,
                PRIMARY KEY (collection_id, local_id))
            """,
            "CREATE INDEX items_by_uid ON items (collection_id, uid)",
            "CREATE INDEX items_by_start ON items (collection_id, start_utc)",
            "CREATE INDEX items_by_revision ON items (collection_id, revision)",
            """
            CREATE TABLE tombstones (
                collection_id TEXT NOT NULL REFERENCES collections (id) ON DELETE CASCADE, local_id TEXT NOT NULL,
                href TEXT, uid TEXT, deleted_at {int} NOT NULL, revision {int} NOT NULL)
            """,
            "CREATE INDEX tombstones_by_revision ON tombstones (collection_id, revision)",
            "CREATE TABLE revision_counter (value {int} NOT NULL)",
            "INSERT INTO revision_counter (value) VALUES (0)",
            """
            CREATE TABLE sync_runs (
                id TEXT PRIMARY KEY, collection_id TEXT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
                started_at {int} NOT NULL, finished_at {int}, downloaded {int} NOT NULL, uploaded {int} NOT NULL,
                deleted_locally {int} NOT NULL, deleted_remotely {int} NOT NULL, merged {int} NOT NULL,
                conflicts {int} NOT NULL, errors {int} NOT NULL, requests {int} NOT NULL, method TEXT, failure TEXT,
                item_errors TEXT NOT NULL)
            """,
            "CREATE INDEX sync_runs_by_start ON sync_runs (started_at)",
            """
            CREATE TABLE leases (
                collection_id TEXT PRIMARY KEY REFERENCES collections (id) ON DELETE CASCADE,
                owner TEXT NOT NULL, expires_at {int} NOT NULL)
            """,
        ]),
        Version(identifier: "v2-item-local-version", statements: [
            // What the local side (a file's size and time, a row's revision) looked like
            // when the item was last synced: an unchanged version needs no re-reading.
            "ALTER TABLE items ADD COLUMN local_version TEXT",
        ]),
        Version(identifier: "v3-collection-local-side", statements: [
            // Which local side (the store, or a folder) the items' synced state refers to.
            "ALTER TABLE collections ADD COLUMN local_side TEXT",
        ]),
        Version(identifier: "v4-resources-bookings", statements: [
            """
            CREATE TABLE resources (
                id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, rules TEXT NOT NULL, calendar_ids TEXT NOT NULL,
                booking_calendar_id TEXT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
                lock_version {int} NOT NULL DEFAULT 0, created_at {int} NOT NULL)
            """,
            """
            CREATE TABLE bookings (
                id TEXT PRIMARY KEY, resource_id TEXT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
                collection_id TEXT NOT NULL, local_id TEXT NOT NULL, status TEXT NOT NULL, start_utc {int} NOT NULL,
                end_utc {int} NOT NULL, summary TEXT NOT NULL, attendees TEXT NOT NULL, created_at {int} NOT NULL,
                updated_at {int} NOT NULL)
            """,
            "CREATE INDEX bookings_by_start ON bookings (resource_id, start_utc)",
        ]),
        // Time-range queries are answered from the index alone (a covering index): the end
        // and recurrence flag are tested there, and the local id and revision read there, so
        // no earlier item's row is read (availability asks this for every question; scanning
        // every earlier item's row cost milliseconds).
        Version(identifier: "v5-items-time-index", statements: [
            "DROP INDEX items_by_start",
            "CREATE INDEX items_by_time ON items (collection_id, start_utc, end_utc, recurring, local_id, revision)",
        ]),
        // Tenants own API keys and the resources the API serves (a resource without one is
        // the operator's, reached through the CLI only).
        Version(identifier: "v6-tenants-keys", statements: [
            "CREATE TABLE tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at {int} NOT NULL)",
            """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE, name TEXT NOT NULL,
                key_hash TEXT NOT NULL UNIQUE, scope TEXT NOT NULL, created_at {int} NOT NULL, revoked_at {int})
            """,
            "ALTER TABLE resources ADD COLUMN tenant_id TEXT REFERENCES tenants (id) ON DELETE CASCADE",
        ]),
        // Accounts, and through them their collections and items, belong to a tenant too.
        Version(identifier: "v7-account-tenants", statements: [
            "ALTER TABLE accounts ADD COLUMN tenant_id TEXT REFERENCES tenants (id) ON DELETE CASCADE",
        ]),
        // Subscribable feeds of a calendar or a resource's calendars, found by token hash.
        Version(identifier: "v8-feeds", statements: [
            """
            CREATE TABLE feeds (
                id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE, name TEXT NOT NULL,
                token_hash TEXT NOT NULL UNIQUE, calendar_id TEXT REFERENCES collections (id) ON DELETE CASCADE,
                resource_id TEXT REFERENCES resources (id) ON DELETE CASCADE, busy_only {bool} NOT NULL, created_at {int} NOT NULL)
            """,
        ]),
        // Webhook subscriptions and their deliveries (the delivery log and dead letters).
        Version(identifier: "v9-webhooks", statements: [
            """
            CREATE TABLE webhooks (
                id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE, url TEXT NOT NULL,
                sealed_secret {bytes} NOT NULL, events TEXT NOT NULL, created_at {int} NOT NULL)
            """,
            """
            CREATE TABLE webhook_deliveries (
                id TEXT PRIMARY KEY, webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE, event_type TEXT NOT NULL,
                payload TEXT NOT NULL, status TEXT NOT NULL, attempts {int} NOT NULL, next_attempt_at {int} NOT NULL, last_status {int},
                last_error TEXT, created_at {int} NOT NULL, delivered_at {int})
            """,
            "CREATE INDEX deliveries_due ON webhook_deliveries (status, next_attempt_at)",
            "CREATE INDEX deliveries_by_webhook ON webhook_deliveries (webhook_id, created_at)",
        ]),
        // Accounts whose server reports changes as they happen (Nextcloud webhook_listeners).
        Version(identifier: "v10-push-subscriptions", statements: [
            """
            CREATE TABLE push_subscriptions (
                id TEXT PRIMARY KEY, account_id TEXT NOT NULL UNIQUE REFERENCES accounts (id) ON DELETE CASCADE,
                secret_hash TEXT NOT NULL, callback_url TEXT NOT NULL, ocs_url TEXT NOT NULL, ocs_username TEXT, sealed_ocs_password {bytes},
                listener_ids TEXT NOT NULL, created_at {int} NOT NULL)
            """,
        ]),
        // Tenants' own OpenID Connect providers (one each; an issuer and audience, one tenant).
        Version(identifier: "v11-identity-providers", statements: [
            """
            CREATE TABLE identity_providers (
                tenant_id TEXT PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE, issuer TEXT NOT NULL, audience TEXT NOT NULL,
                jwks_url TEXT NOT NULL, created_at {int} NOT NULL, UNIQUE (issuer, audience))
            """,
        ]),
        // An issuer belongs to the tenant that registered it first (IdentityProviders); a
        // unique pair would tell a later registrant that another tenant uses the issuer.
        Version(identifier: "v12-identity-providers-by-issuer", statements: [
            """
            CREATE TABLE identity_providers_v12 (
                tenant_id TEXT PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE, issuer TEXT NOT NULL, audience TEXT NOT NULL,
                jwks_url TEXT NOT NULL, created_at {int} NOT NULL)
            """,
            "INSERT INTO identity_providers_v12 SELECT tenant_id, issuer, audience, jwks_url, created_at FROM identity_providers",
            "DROP TABLE identity_providers",
            "ALTER TABLE identity_providers_v12 RENAME TO identity_providers",
            "CREATE INDEX identity_providers_issuer ON identity_providers (issuer, created_at)",
        ]),
        // The time index now spans every instant an item may take (all-day, floating and
        // unknown-zone times widened; earliest override or RDATE), and queries ask their window
        // as it is. Rows indexed before are widened by the most the new rule widens; each is
        // indexed exactly at its next write. (A wider index only costs a look at an item.)
        Version(identifier: "v13-time-index-spans-every-zone", statements: [
            "UPDATE items SET start_utc = start_utc - 100800 WHERE start_utc IS NOT NULL",
            "UPDATE items SET end_utc = end_utc + 100800 WHERE end_utc IS NOT NULL",
        ]),
        // Domain events, written in the transaction of their change and relayed to webhooks.
        Version(identifier: "v14-outbox", statements: [
            """
            CREATE TABLE outbox (
                id TEXT PRIMARY KEY, tenant_id TEXT, type TEXT NOT NULL, payload TEXT NOT NULL, occurred_at {int} NOT NULL,
                claimed_until {int} NOT NULL DEFAULT 0)
            """,
            "CREATE INDEX outbox_by_age ON outbox (occurred_at)",
        ]),
        // Mailboxes read over IMAP and sent from over SMTP, beside the groupware accounts.
        Version(identifier: "v15-mail-accounts", statements: [
            """
            CREATE TABLE mail_accounts (
                id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, imap_url TEXT NOT NULL, smtp_url TEXT NOT NULL, username TEXT NOT NULL,
                sealed_password {bytes} NOT NULL, address TEXT NOT NULL, trusted_certificates TEXT,
                tenant_id TEXT REFERENCES tenants (id) ON DELETE CASCADE, created_at {int} NOT NULL)
            """,
        ]),
        // Resources invite their bookings' attendees by mail (iMIP) from one of the mail accounts.
        Version(identifier: "v16-resource-invitations", statements: [
            "ALTER TABLE resources ADD COLUMN invitation_account_id TEXT REFERENCES mail_accounts (id) ON DELETE SET NULL",
            "ALTER TABLE resources ADD COLUMN invite_pending {bool}",
        ]),
        // Accounts that have sent event invitations have their inboxes read for the answers.
        Version(identifier: "v17-mail-account-replies", statements: [
            "ALTER TABLE mail_accounts ADD COLUMN collects_replies {bool}",
        ]),
        // Accounts reach files too: the WebDAV folder that holds the user's files.
        Version(identifier: "v18-account-files", statements: [
            "ALTER TABLE accounts ADD COLUMN files_url TEXT",
        ]),
        // Knowledge indexes over an account's files: what each run saw (roots, folders,
        // files), the chunks with their full-text index (FTS5 over an external-content
        // table in SQLite, a generated tsvector with a GIN index in PostgreSQL) and their
        // vectors; an index's version counts the changes to its chunks.
        Version(identifier: "v19-file-indexes", statements: [
            """
            CREATE TABLE file_indexes (
                id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                tenant_id TEXT REFERENCES tenants (id) ON DELETE CASCADE, roots TEXT NOT NULL, includes TEXT NOT NULL,
                excludes TEXT NOT NULL, max_file_bytes {int} NOT NULL, created_at {int} NOT NULL, version {int} NOT NULL DEFAULT 0)
            """,
            // Vectors by model and chunk text: a text embedded once is never embedded again.
            """
            CREATE TABLE embeddings (
                model TEXT NOT NULL, content_hash TEXT NOT NULL, vector {bytes} NOT NULL, PRIMARY KEY (model, content_hash))
            """,
            """
            CREATE TABLE index_roots (
                index_id TEXT NOT NULL REFERENCES file_indexes (id) ON DELETE CASCADE, root TEXT NOT NULL, etag TEXT,
                propagates_etags {bool}, listing TEXT, PRIMARY KEY (index_id, root))
            """,
            """
            CREATE TABLE index_folders (
                index_id TEXT NOT NULL REFERENCES file_indexes (id) ON DELETE CASCADE, path TEXT NOT NULL, etag TEXT,
                PRIMARY KEY (index_id, path))
            """,
            """
            CREATE TABLE index_files (
                index_id TEXT NOT NULL REFERENCES file_indexes (id) ON DELETE CASCADE, path TEXT NOT NULL, etag TEXT, file_id TEXT,
                size {int}, modified {int}, format TEXT, chunks {int} NOT NULL, error TEXT, indexed_at {int} NOT NULL,
                PRIMARY KEY (index_id, path))
            """,
            """
            CREATE TABLE index_runs (
                id TEXT PRIMARY KEY, index_id TEXT NOT NULL REFERENCES file_indexes (id) ON DELETE CASCADE, started_at {int} NOT NULL,
                finished_at {int}, listed {int} NOT NULL, read {int} NOT NULL, moved {int} NOT NULL, removed {int} NOT NULL,
                unchanged {int} NOT NULL, failed {int} NOT NULL, chunks {int} NOT NULL, embedded {int} NOT NULL, requests {int} NOT NULL,
                failure TEXT)
            """,
            "CREATE INDEX index_runs_by_start ON index_runs (index_id, started_at)",
            .only(.sqlite, """
            CREATE TABLE index_chunks (
                seq INTEGER PRIMARY KEY, index_id TEXT NOT NULL REFERENCES file_indexes (id) ON DELETE CASCADE, path TEXT NOT NULL,
                position INTEGER NOT NULL, file_id TEXT, text TEXT NOT NULL, headings TEXT NOT NULL, heading_path TEXT NOT NULL,
                page INTEGER, start_offset INTEGER NOT NULL, end_offset INTEGER NOT NULL, content_hash TEXT NOT NULL,
                UNIQUE (index_id, path, position))
            """),
            .only(.sqlite, """
            CREATE VIRTUAL TABLE index_chunk_text USING fts5 (
                text, headings, content = 'index_chunks', content_rowid = 'seq', tokenize = 'porter unicode61 remove_diacritics 2')
            """),
            .only(.sqlite, """
            CREATE TRIGGER index_chunks_added AFTER INSERT ON index_chunks BEGIN
                INSERT INTO index_chunk_text (rowid, text, headings) VALUES (new.seq, new.text, new.headings);
            END
            """),
            .only(.sqlite, """
            CREATE TRIGGER index_chunks_removed AFTER DELETE ON index_chunks BEGIN
                INSERT INTO index_chunk_text (index_chunk_text, rowid, text, headings) VALUES ('delete', old.seq, old.text, old.headings);
            END
            """),
            .only(.sqlite, """
            CREATE TRIGGER index_chunks_changed AFTER UPDATE OF text, headings ON index_chunks BEGIN
                INSERT INTO index_chunk_text (index_chunk_text, rowid, text, headings) VALUES ('delete', old.seq, old.text, old.headings);
                INSERT INTO index_chunk_text (rowid, text, headings) VALUES (new.seq, new.text, new.headings);
            END
            """),
            .only(.postgres, """
            CREATE TABLE index_chunks (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, index_id TEXT NOT NULL REFERENCES file_indexes (id) ON DELETE CASCADE,
                path TEXT NOT NULL, position BIGINT NOT NULL, file_id TEXT, text TEXT NOT NULL, headings TEXT NOT NULL,
                heading_path TEXT NOT NULL, page BIGINT, start_offset BIGINT NOT NULL, end_offset BIGINT NOT NULL, content_hash TEXT NOT NULL,
                search TSVECTOR GENERATED ALWAYS AS (
                    setweight(to_tsvector('english', headings), 'B') || setweight(to_tsvector('english', text), 'D')) STORED,
                UNIQUE (index_id, path, position))
            """),
            .only(.postgres, "CREATE INDEX index_chunks_search ON index_chunks USING GIN (search)"),
            "CREATE INDEX index_chunks_by_hash ON index_chunks (content_hash)",
        ]),
        // What an account's server is: `dav`, or `nextcloud` (its OCS API reached too).
        Version(identifier: "v20-account-kind", statements: [
            "ALTER TABLE accounts ADD COLUMN kind TEXT NOT NULL DEFAULT 'dav'",
        ]),
        // Workspaces across platforms and the record of their steps (a JSON list: read and
        // written whole, by one run at a time).
        Version(identifier: "v21-workspaces", statements: [
            """
            CREATE TABLE workspaces (
                id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, tenant_id TEXT REFERENCES tenants (id) ON DELETE CASCADE,
                members TEXT NOT NULL, nextcloud_account_id TEXT REFERENCES accounts (id) ON DELETE SET NULL,
                openproject_account_id TEXT REFERENCES accounts (id) ON DELETE SET NULL,
                zulip_account_id TEXT REFERENCES accounts (id) ON DELETE SET NULL, state TEXT NOT NULL, steps TEXT NOT NULL,
                created_at {int} NOT NULL, updated_at {int} NOT NULL)
            """,
        ]),
        // The secret a platform's webhook calls to `/hooks/openproject|zulip/{account}` are checked with.
        Version(identifier: "v22-platform-hooks", statements: [
            "ALTER TABLE accounts ADD COLUMN sealed_hook_secret {bytes}",
        ]),
    ]
}
