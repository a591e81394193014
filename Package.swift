// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "Switchboard",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ContentLines", targets: ["ContentLines"]),
        .library(name: "ICalendar", targets: ["ICalendar"]),
        .library(name: "VCard", targets: ["VCard"]),
        .library(name: "DAVXML", targets: ["DAVXML"]),
        .executable(name: "switchboard", targets: ["switchboard"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // MARK: Values: pure, no I/O.
        .target(name: "ContentLines"),
        .target(name: "ICalendar", dependencies: ["ContentLines"]),
        .target(name: "VCard", dependencies: ["ContentLines"]),
        .target(name: "DAVXML"),

        // MARK: Command line.
        .target(
            name: "SwitchboardCLI",
            dependencies: [
                "ICalendar",
                "VCard",
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

        // MARK: Tests.
        .target(name: "SwitchboardTestSupport", path: "Sources/SwitchboardTestSupport"),
        .testTarget(name: "ContentLinesTests", dependencies: ["ContentLines", "SwitchboardTestSupport"]),
        .testTarget(name: "ICalendarTests", dependencies: ["ICalendar", "SwitchboardTestSupport"], exclude: ["Regressions"]),
        .testTarget(name: "VCardTests", dependencies: ["VCard", "SwitchboardTestSupport"], exclude: ["Regressions"]),
        .testTarget(name: "DAVXMLTests", dependencies: ["DAVXML"]),
        .testTarget(name: "SwitchboardCLITests", dependencies: ["SwitchboardCLI", "SwitchboardTestSupport"]),
    ]
)

// One settings block for every target (after swift-nio's standard cross-repo settings).
for target in package.targets {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
