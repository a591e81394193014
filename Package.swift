// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "Switchboard",
    platforms: [.macOS(.v15)],
    // What an app links on its own: the value libraries, the clients, the store and the
    // engines, and the executable. The application's own modules (its services, the server,
    // the CLI) are targets only (docs/architecture.md).
    products: [
        .library(name: "ContentLines", targets: ["ContentLines"]),
        .library(name: "ICalendar", targets: ["ICalendar"]),
        .library(name: "VCard", targets: ["VCard"]),
        .library(name: "DAVXML", targets: ["DAVXML"]),
        .library(name: "HTTPTransport", targets: ["HTTPTransport"]),
        .library(name: "DAVClient", targets: ["DAVClient"]),
        .library(name: "SwitchboardStore", targets: ["SwitchboardStore"]),
        .library(name: "SQLiteStore", targets: ["SQLiteStore"]),
        .library(name: "PostgresStore", targets: ["PostgresStore"]),
        .library(name: "SyncEngine", targets: ["SyncEngine"]),
        .library(name: "Availability", targets: ["Availability"]),
        .library(name: "Scheduling", targets: ["Scheduling"]),
        .library(name: "CalendarEditing", targets: ["CalendarEditing"]),
        .library(name: "ContactEditing", targets: ["ContactEditing"]),
        .library(name: "NextcloudOCS", targets: ["NextcloudOCS"]),
        .library(name: "OpenProjectAPI", targets: ["OpenProjectAPI"]),
        .library(name: "ZulipAPI", targets: ["ZulipAPI"]),
        .library(name: "MIME", targets: ["MIME"]),
        .library(name: "IMAP", targets: ["IMAP"]),
        .library(name: "SMTP", targets: ["SMTP"]),
        .library(name: "MailClient", targets: ["MailClient"]),
        .library(name: "TextEmbedding", targets: ["TextEmbedding"]),
        .executable(name: "switchboard", targets: ["switchboard"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // Already in the graph through async-http-client → swift-certificates.
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Already in the graph through Hummingbird.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
        // Already in the graph through Hummingbird (the request parts its HTTP/1 channel passes on).
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        // Reads the API's own OpenAPI document, whose limits every request is held to.
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // MARK: Values: pure, no I/O.
        .target(name: "ContentLines"),
        .target(name: "ICalendar", dependencies: ["ContentLines", "MIME"]),
        .target(name: "VCard", dependencies: ["ContentLines"]),
        .target(name: "DAVXML"),
        .target(name: "SyncPlanning", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Availability", dependencies: ["ICalendar", "ContentLines"]),
        .target(name: "CalendarEditing", dependencies: ["ICalendar", "ContentLines"]),
        .target(name: "Caching"),
        .target(name: "MIME"),
        .target(name: "IMAP", dependencies: ["MIME"]),
        .target(name: "SMTP", dependencies: ["MIME"]),
        .systemLibrary(name: "CZlib"),
        .target(name: "TextExtraction", dependencies: ["MIME", "DAVXML", "CZlib"]),
        .target(name: "IndexPlanning", dependencies: ["DAVXML"]),
        .systemLibrary(name: "CBLAS"),
        .target(name: "TextEmbedding", dependencies: ["CBLAS"]),
        .target(name: "ContactEditing", dependencies: ["VCard", "ContentLines"]),
        .target(
            name: "SyncContent",
            dependencies: ["ContentLines", "ICalendar", "VCard", "SyncPlanning"]
        ),

        // MARK: Store: one narrow protocol, two drivers that pass the same suite.
        .target(name: "SwitchboardStore", dependencies: ["SyncPlanning", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "SQLiteStore", dependencies: ["SwitchboardStore", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(
            name: "PostgresStore",
            dependencies: ["SwitchboardStore", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                           .product(name: "Logging", package: "swift-log")]
        ),

        // MARK: Accounts: the clients of the store's accounts, between the clients and the engines.
        .target(
            name: "Accounts",
            dependencies: ["DAVClient", "HTTPTransport", "DAVXML", "NextcloudOCS", "OpenProjectAPI", "ZulipAPI", "MailClient", "MIME", "SwitchboardStore", "SyncPlanning"]
        ),

        // MARK: Engines.
        .target(name: "FileStamps"),
        .target(
            name: "SyncEngine",
            dependencies: ["Accounts", "FileStamps", "DAVClient", "HTTPTransport", "SyncPlanning", "SyncContent", "SwitchboardStore", "ICalendar", "ContentLines", "VCard",
                           .product(name: "Logging", package: "swift-log")]
        ),

        .target(
            name: "Indexing",
            dependencies: ["TextExtraction", "TextEmbedding", "IndexPlanning", "DAVClient", "DAVXML", "HTTPTransport", "SwitchboardStore", .product(name: "NIOHTTP1", package: "swift-nio"),
                           .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "Webhooks",
            dependencies: ["SwitchboardStore", "HTTPTransport", .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log"),
                           .product(name: "NIOHTTP1", package: "swift-nio")]
        ),
        .target(
            name: "Scheduling",
            dependencies: ["Accounts", "Availability", "Caching", "CalendarEditing", "SyncEngine", "SwitchboardStore", "DAVClient", "ICalendar", "ContentLines",
                           .product(name: "Logging", package: "swift-log")]
        ),

        // MARK: Application: every use case, for the server and the CLI alike.
        .target(
            name: "SwitchboardCore",
            dependencies: ["Accounts", "SyncEngine", "Scheduling", "Webhooks", "NextcloudOCS", "OpenProjectAPI", "ZulipAPI", "DAVClient", "HTTPTransport", "MailClient", "IMAP", "MIME", "SMTP", "Indexing", "IndexPlanning", "TextEmbedding",
                           "SwitchboardStore", "SyncPlanning",
                           "CalendarEditing", "ContactEditing", "Availability", "Caching", "ICalendar", "ContentLines", "VCard",
                           .product(name: "Logging", package: "swift-log"), .product(name: "Crypto", package: "swift-crypto")]
        ),

        // MARK: Network: the HTTP transport every client uses, and the WebDAV/CalDAV/CardDAV client on top of it.
        .target(
            name: "HTTPTransport",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "DAVClient",
            dependencies: [
                "DAVXML", "HTTPTransport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
            ]
        ),

        // MARK: Mail: IMAP and SMTP over NIO, on the pure grammar cores.
        .target(
            name: "MailClient",
            dependencies: [
                "IMAP", "SMTP", "MIME", "HTTPTransport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),

        // MARK: Connectors: platform APIs over the same HTTP layer.
        .target(name: "NextcloudOCS", dependencies: ["HTTPTransport", .product(name: "NIOHTTP1", package: "swift-nio")]),
        .target(name: "OpenProjectAPI", dependencies: ["HTTPTransport", .product(name: "NIOHTTP1", package: "swift-nio")]),
        .target(name: "ZulipAPI", dependencies: ["HTTPTransport", .product(name: "NIOHTTP1", package: "swift-nio")]),

        // MARK: Server: the API spec, its generated types (scripts/generate-api), and the server.
        .target(
            name: "SwitchboardAPI",
            dependencies: [.product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")],
            exclude: ["openapi-generator-config.yaml"],
            resources: [.copy("openapi.yaml")]
        ),
        .target(
            name: "SwitchboardServer",
            dependencies: [
                "SwitchboardAPI", "SwitchboardCore", "Scheduling", "NextcloudOCS", "OpenProjectAPI", "ZulipAPI", "ContactEditing", "MailClient", "MIME", "Caching", "Webhooks", "Accounts", "DAVClient", "HTTPTransport", "CalendarEditing", "Availability", "SwitchboardStore", "SyncEngine", "SyncPlanning",
                "ICalendar", "Indexing",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: Command line.
        .target(
            name: "SwitchboardCLI",
            dependencies: [
                "ICalendar",
                "Indexing",
                "VCard",
                "DAVXML",
                "Accounts",
                "MIME",
                "DAVClient",
                "HTTPTransport",
                "SyncPlanning",
                "SwitchboardStore",
                "SQLiteStore",
                "PostgresStore",
                "SyncEngine",
                "Availability",
                "Scheduling",
                "SwitchboardServer",
                "Webhooks",
                "SwitchboardCore",
                "OpenProjectAPI",
                "ZulipAPI",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "switchboard",
            dependencies: ["SwitchboardCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        // MARK: Fuzzers (see scripts/fuzz); without `-DFUZZING` they replay inputs.
        .target(name: "CLibFuzzer"),
        .target(name: "FuzzerSupport", dependencies: ["CLibFuzzer"]),
        .executableTarget(name: "ICalendarFuzzer", dependencies: ["ICalendar", "FuzzerSupport"]),
        .executableTarget(name: "VCardFuzzer", dependencies: ["VCard", "FuzzerSupport"]),
        .executableTarget(name: "DAVXMLFuzzer", dependencies: ["DAVXML", "FuzzerSupport"]),
        .executableTarget(name: "MIMEFuzzer", dependencies: ["MIME", "FuzzerSupport"]),
        .executableTarget(name: "TextExtractionFuzzer", dependencies: ["TextExtraction", "FuzzerSupport"]),
        .executableTarget(name: "IMAPFuzzer", dependencies: ["IMAP", "SMTP", "FuzzerSupport"]),
        .executableTarget(name: "RequestFuzzer", dependencies: ["CalendarEditing", "ICalendar", "ContentLines", "FuzzerSupport"]),

        // MARK: Tests.
        .target(
            name: "SwitchboardTestSupport",
            dependencies: [
                "DAVClient", "HTTPTransport", "SwitchboardStore", "SQLiteStore", "PostgresStore",
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "ContentLinesTests", dependencies: ["ContentLines", "SwitchboardTestSupport"]),
        .testTarget(name: "ICalendarTests", dependencies: ["ICalendar", "SwitchboardTestSupport"], exclude: ["Regressions"]),
        .testTarget(name: "VCardTests", dependencies: ["VCard", "SwitchboardTestSupport"], exclude: ["Regressions"]),
        .testTarget(name: "DAVXMLTests", dependencies: ["DAVXML"]),
        .testTarget(name: "MIMETests", dependencies: ["MIME"]),
        .testTarget(name: "IMAPTests", dependencies: ["IMAP"]),
        .testTarget(
            name: "MailTests",
            dependencies: ["MailClient", "SMTP", "IMAP", "MIME", "HTTPTransport", "SwitchboardTestSupport",
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")]
        ),
        .testTarget(
            name: "DAVClientTests",
            dependencies: [
                "DAVClient", "HTTPTransport",
                "SwitchboardTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "DAVIntegrationTests",
            dependencies: ["DAVClient", "DAVXML", "HTTPTransport", "ContentLines", "ICalendar", "VCard", "SwitchboardTestSupport"]
        ),
        .testTarget(name: "TextExtractionTests", dependencies: ["TextExtraction", "CZlib"]),
        .testTarget(name: "IndexingTests", dependencies: ["Indexing", "TextExtraction", "TextEmbedding", "SwitchboardTestSupport", "SwitchboardStore", "DAVClient"]),
        .testTarget(name: "IndexPlanningTests", dependencies: ["IndexPlanning"]),
        .testTarget(name: "TextEmbeddingTests", dependencies: ["TextEmbedding", "Indexing", "SwitchboardTestSupport"]),
        .testTarget(name: "SyncPlanningTests", dependencies: ["SyncPlanning", "SwitchboardTestSupport"]),
        .testTarget(name: "SyncContentTests", dependencies: ["SyncContent", "SyncPlanning", "ICalendar", "ContentLines", "SwitchboardTestSupport"]),
        .testTarget(
            name: "SwitchboardStoreTests",
            dependencies: [
                "SwitchboardStore", "SyncPlanning", "SQLiteStore", "PostgresStore", "SwitchboardTestSupport", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(
            name: "SyncEngineTests",
            dependencies: ["Accounts", "SyncEngine", "SwitchboardCore", "CalendarEditing", "ICalendar", "FileStamps", "SwitchboardStore", "SyncPlanning", "DAVClient", "HTTPTransport", "SwitchboardTestSupport",
                           .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(name: "CalendarEditingTests", dependencies: ["CalendarEditing", "ContactEditing", "ICalendar", "VCard", "ContentLines"]),
        .testTarget(name: "AvailabilityTests", dependencies: ["Availability", "ICalendar", "SwitchboardTestSupport"]),
        .testTarget(
            name: "SchedulingTests",
            dependencies: ["Accounts", "Scheduling", "CalendarEditing", "ICalendar", "Availability", "SyncEngine", "SwitchboardStore", "DAVClient", "HTTPTransport", "SwitchboardTestSupport",
                           .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(
            name: "SwitchboardCoreTests",
            dependencies: ["SwitchboardCore", "Accounts", "Availability", "Scheduling", "SwitchboardStore", "Webhooks", "HTTPTransport", "MIME",
                           "IMAP", "MailClient", "DAVClient", "CalendarEditing", "SyncEngine", "NextcloudOCS", "OpenProjectAPI", "ZulipAPI",
                           "SwitchboardTestSupport", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(name: "PlatformTests", dependencies: ["NextcloudOCS", "OpenProjectAPI", "ZulipAPI", "SwitchboardCore", "DAVClient", "HTTPTransport", "SwitchboardTestSupport"]),
        .testTarget(
            name: "SwitchboardCLITests",
            dependencies: ["SwitchboardCLI", "SwitchboardServer", "SwitchboardTestSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(
            name: "SwitchboardServerTests",
            dependencies: ["Accounts", "SwitchboardCore", "SwitchboardServer", "Scheduling", "SyncEngine", "SwitchboardStore", "SQLiteStore", "SyncPlanning", "DAVClient", "HTTPTransport", "Webhooks", "Indexing", "TextEmbedding",
                           "SwitchboardTestSupport",
                           .product(name: "JWTKit", package: "jwt-kit"),
                           .product(name: "HummingbirdTesting", package: "hummingbird"),
                           .product(name: "Crypto", package: "swift-crypto")]
        ),
    ]
)

// Sources are folded by layer (docs/architecture.md, scripts/check-layers): Sources/<Layer>/<Module>.
let folders: [String: [String]] = [
    "Values": ["ContentLines", "ICalendar", "VCard", "DAVXML", "SyncPlanning", "SyncContent", "Availability", "CalendarEditing", "ContactEditing",
               "Caching", "FileStamps", "MIME", "IMAP", "SMTP", "TextExtraction", "CZlib", "IndexPlanning", "CBLAS", "TextEmbedding"],
    "Clients": ["HTTPTransport", "DAVClient", "NextcloudOCS", "OpenProjectAPI", "ZulipAPI", "MailClient"],
    "Store": ["SwitchboardStore", "SQLiteStore", "PostgresStore"],
    "Engines": ["Accounts", "SyncEngine", "Scheduling", "Webhooks", "Indexing"],
    "App": ["SwitchboardCore"],
    "Interfaces": ["SwitchboardAPI", "SwitchboardServer", "SwitchboardCLI", "switchboard"],
    "Fuzzing": ["CLibFuzzer", "FuzzerSupport", "ICalendarFuzzer", "VCardFuzzer", "DAVXMLFuzzer", "RequestFuzzer", "MIMEFuzzer", "IMAPFuzzer", "TextExtractionFuzzer"],
    "Testing": ["SwitchboardTestSupport"],
]
for (folder, modules) in folders {
    for target in package.targets where modules.contains(target.name) {
        target.path = "Sources/\(folder)/\(target.name)"
    }
}

// One settings block for every target (after swift-nio's standard cross-repo settings).
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
