// swift-tools-version:6.1
// Accord: an event-sourced customer-sync engine (Stripe / CSV files ⇄ Visma e-conomic) on PostgreSQL through libpq.

import PackageDescription

/// One set of settings for every target: Swift 6 language mode plus the upcoming features the
/// server ecosystem (Hummingbird, postgres-nio) builds with.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "accord",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "accord", targets: ["accord"]),
        .executable(name: "accord-bench", targets: ["AccordBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
    ],
    targets: [
        // MARK: The one error shape (code, message, cause) every module's errors share

        .target(name: "CodedErrors", dependencies: [], swiftSettings: swiftSettings),

        // MARK: Postgres through libpq

        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        .target(
            name: "PGClient",
            dependencies: [
                "CLibPQ",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: The event log

        .target(
            name: "EventStore",
            dependencies: [
                "CodedErrors",
                "PGClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: The pure domain (no IO)

        .target(name: "SyncDomain", dependencies: ["StreamingJSON"], swiftSettings: swiftSettings),

        // MARK: JSON written in one pass (events and read-model rows)

        // Its buffer is a class's state touched on every byte: without dynamic exclusivity checks (a third of its time).
        .target(name: "StreamingJSON", dependencies: [], swiftSettings: swiftSettings + [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),

        // MARK: The domain on the log: the event codec and the decider runtime

        .target(
            name: "EventSourcing",
            dependencies: [
                "EventStore",
                "PGClient",
                "SyncDomain",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Read models

        .target(
            name: "Projections",
            dependencies: [
                "CodedErrors",
                "EventSourcing",
                "EventStore",
                "PGClient",
                "StreamingJSON",
                "SyncDomain",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Commands, the sync policy (reactor), imports

        .target(
            name: "SyncEngine",
            dependencies: [
                "CodedErrors",
                "EventSourcing",
                "EventStore",
                "PGClient",
                "Projections",
                "SyncDomain",
                "Connectors",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Customers coming in: Stripe (webhook inbox, catch-up, backfill) and e-conomic (reads, polling)

        .target(
            name: "Ingest",
            dependencies: [
                "Connectors",
                "EventStore",
                "PGClient",
                "SyncDomain",
                "SyncEngine",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: The HTTP server (JSON API, Stripe webhooks, web pages)

        .target(
            name: "Server",
            dependencies: [
                "SyncEngine",
                "Projections",
                "EventStore",
                "PGClient",
                "SyncDomain",
                "Connectors",
                "Credentials",
                "Ingest",
                "StreamingJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.embedInCode("Resources/openapi.json")],
            swiftSettings: swiftSettings
        ),

        // MARK: Outside systems (e-conomic, Stripe, CSV files)

        .target(
            name: "Connectors",
            dependencies: [
                "CodedErrors",
                "SyncDomain",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "EconomicSandbox",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Credentials",
            dependencies: [
                "CodedErrors",
                "PGClient",
                "EventStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Outbound",
            dependencies: [
                "EventSourcing",
                "EventStore",
                "Projections",
                "SyncDomain",
                "Connectors",
                "Credentials",
                "PGClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: One process: configuration and the service group

        .target(
            name: "Runtime",
            dependencies: [
                "EventStore",
                "PGClient",
                "Projections",
                "SyncEngine",
                "Credentials",
                "Outbound",
                "Ingest",
                "Server",
                "Connectors",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: The proof: a seeded, model-based convergence run (used by EndToEndTests and `accord-bench chaos`)

        .target(
            name: "Chaos",
            dependencies: [
                "Runtime",
                "Connectors",
                "Credentials",
                "EconomicSandbox",
                "EventSourcing",
                "EventStore",
                "Ingest",
                "Outbound",
                "PGClient",
                "Projections",
                "Server",
                "SyncDomain",
                "SyncEngine",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Executables

        .executableTarget(
            name: "accord",
            dependencies: [
                "PGClient",
                "EventStore",
                "Projections",
                "Runtime",
                "SyncEngine",
                "SyncDomain",
                "EconomicSandbox",
                "Credentials",
                "Connectors",
                "Outbound",
                "Ingest",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "AccordBench",
            dependencies: [
                "PGClient",
                "EventStore",
                "Connectors",
                "SyncDomain",
                "Projections",
                "SyncEngine",
                "Runtime",
                "Server",
                "EconomicSandbox",
                "Outbound",
                "Credentials",
                "Chaos",
                "Ingest",
                "StreamingJSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Tests

        .target(
            name: "PostgresTestSupport",
            dependencies: ["PGClient", "EventStore", .product(name: "Logging", package: "swift-log")],
            path: "Tests/PostgresTestSupport",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SandboxTestSupport",
            dependencies: [
                "EconomicSandbox", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/SandboxTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PGClientTests",
            dependencies: ["PGClient", "PostgresTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EventStoreTests",
            dependencies: ["EventStore", "PGClient", "PostgresTestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EventSourcingTests",
            dependencies: [
                "EventSourcing", "EventStore", "PGClient", "SyncDomain", "PostgresTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StreamingJSONTests",
            dependencies: ["StreamingJSON"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SyncDomainTests",
            dependencies: ["SyncDomain", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ProjectionsTests",
            dependencies: [
                "Projections", "EventSourcing", "EventStore", "PGClient", "SyncDomain", "PostgresTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SyncEngineTests",
            dependencies: [
                "SyncEngine", "Projections", "EventSourcing", "EventStore", "PGClient", "SyncDomain", "PostgresTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConnectorsTests",
            dependencies: [
                "Connectors", "SandboxTestSupport",
                "EconomicSandbox",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EconomicSandboxTests",
            dependencies: [
                "EconomicSandbox",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OutboundTests",
            dependencies: [
                "Outbound", "Credentials", "EventSourcing", "EventStore", "PGClient", "Projections", "SyncDomain", "Connectors", "EconomicSandbox",
                "PostgresTestSupport", "SandboxTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IngestTests",
            dependencies: [
                "Ingest", "Connectors", "Credentials", "EconomicSandbox", "EventStore", "PGClient", "SyncDomain", "SyncEngine", "PostgresTestSupport",
                "SandboxTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "Runtime", "Connectors", "Credentials", "EconomicSandbox", "EventSourcing", "EventStore", "Ingest", "Outbound", "PGClient",
                "Projections",
                "SyncDomain", "SyncEngine", "PostgresTestSupport", "Chaos",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Ingest", "SyncEngine", "EventSourcing", "Projections", "EventStore", "PGClient", "SyncDomain", "Connectors", "Credentials", "PostgresTestSupport",
                "SandboxTestSupport", "EconomicSandbox", "Outbound",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
