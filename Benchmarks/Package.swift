// swift-tools-version: 6.2
// Benchmarks for Switchboard's hot paths, measured side by side with reference
// implementations (libical for iCalendar). Run with `scripts/bench` from the root.
import PackageDescription

let package = Package(
    name: "SwitchboardBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Switchboard", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // libical from Debian's libical-dev, the reference for parse/serialize.
        .systemLibrary(name: "CLibical", pkgConfig: "libical", providers: [.apt(["libical-dev"])]),
        .executableTarget(
            name: "ICalendarBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ICalendar", package: "Switchboard"),
                "CLibical",
            ],
            path: "Benchmarks/ICalendarBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "MailBench",
            dependencies: [
                .product(name: "MailClient", package: "Switchboard"),
                .product(name: "IMAP", package: "Switchboard"),
                .product(name: "MIME", package: "Switchboard"),
                .product(name: "HTTPTransport", package: "Switchboard"),
            ]
        ),
        .executableTarget(
            name: "PlatformBench",
            dependencies: [
                .product(name: "NextcloudOCS", package: "Switchboard"),
                .product(name: "OpenProjectAPI", package: "Switchboard"),
                .product(name: "ZulipAPI", package: "Switchboard"),
                .product(name: "HTTPTransport", package: "Switchboard"),
            ]
        ),
        .executableTarget(
            name: "EmbedBench",
            dependencies: [.product(name: "TextEmbedding", package: "Switchboard")]
        ),
        .executableTarget(
            name: "BenchDriver",
            dependencies: [.product(name: "ICalendar", package: "Switchboard"), "CLibical"]
        ),
    ]
)
