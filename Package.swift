// swift-tools-version:6.0
// Pledgewatch: commitment-versus-delivery tracking on PostgreSQL (through libpq).
import PackageDescription

let package = Package(
    name: "pledgewatch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pledgewatch", targets: ["pledgewatch"]),
        .library(name: "PledgeService", targets: ["PledgeService"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Hummingbird's own foundations, named for the dashboard's pipeline handler (same versions it resolves).
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
    ],
    targets: [
        // libpq, as the system provides it; nothing else lives here.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // The only module that touches libpq.
        .target(name: "Postgres", dependencies: ["CLibPQ"]),
        // The domain as values; no I/O.
        .target(name: "PledgeCore"),
        // SQL lives here and only here; Schema/ is embedded in the binary.
        .target(
            name: "PledgeStore",
            dependencies: ["Postgres", "PledgeCore", .product(name: "Logging", package: "swift-log")],
            resources: [.embedInCode("Schema")]
        ),
        // gzip for HTTP responses, from the system's zlib.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Linux's sync_file_range, which Swift's Glibc module does not declare (the export's early writeback).
        .target(name: "CWriteback"),
        // A signal handler that removes half-written temporary files when SIGINT, SIGTERM or SIGHUP ends a
        // command (async-signal-safe, so in C).
        .target(name: "CSignalCleanup"),
        // glibc's mallopt, which Swift's Glibc module does not declare (the batch commands' arena limit).
        .systemLibrary(name: "CMalloc"),
        .target(
            name: "PledgeService",
            dependencies: [
                "PledgeStore", "PledgeCore", "Postgres", "CZlib", "CWriteback", "CSignalCleanup",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
            ]
        ),
        .executableTarget(
            name: "pledgewatch",
            dependencies: [
                "PledgeService", "PledgeCore", "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Shared by the test targets: finds the test server, makes throwaway databases.
        .target(name: "TestSupport", dependencies: ["Postgres", "PledgeStore"], path: "Tests/TestSupport"),
        .testTarget(
            name: "PostgresTests",
            dependencies: ["Postgres", "TestSupport", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(
            name: "PledgeCoreTests",
            dependencies: ["PledgeCore", "TestSupport", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(
            name: "PledgeStoreTests",
            dependencies: [
                "PledgeStore", "PledgeCore", "TestSupport", .product(name: "PropertyBased", package: "swift-property-based"),
            ]),
        .testTarget(
            name: "PledgeServiceTests",
            dependencies: ["PledgeService", "PledgeStore", "PledgeCore", "TestSupport", .product(name: "Hummingbird", package: "hummingbird")]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "Postgres", "PledgeStore", "PledgeService"]),
    ]
)
