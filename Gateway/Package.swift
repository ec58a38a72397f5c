// swift-tools-version: 6.0
import PackageDescription

// The servers: a mock provider and an OpenAI-compatible gateway. They live in
// their own package so that the root package keeps depending on nothing.

/// A module of the root package.
func headroom(_ module: String) -> Target.Dependency { .product(name: "Headroom\(module)", package: "Headroom") }
let hummingbird = Target.Dependency.product(name: "Hummingbird", package: "hummingbird")
let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
/// A module of SwiftNIO.
func nio(_ module: String) -> Target.Dependency { .product(name: module, package: "swift-nio") }

/// A command-line tool in `Sources/<name>`.
func command(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(name: name, dependencies: dependencies, path: "Sources/\(name)")
}

let package = Package(
    name: "HeadroomGateway",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "HeadroomMockServer", targets: ["HeadroomMockServer"]),
        .library(name: "HeadroomGateway", targets: ["HeadroomGateway"]),
        .library(name: "HeadroomHTTPClient", targets: ["HeadroomHTTPClient"]),
        .library(name: "HeadroomRedis", targets: ["HeadroomRedis"]),
        .executable(name: "headroom-mock", targets: ["MockCommand"]),
        .executable(name: "headroom-gateway", targets: ["GatewayCommand"]),
        .executable(name: "headroom-load", targets: ["LoadCommand"]),
        .executable(name: "headroom-compare", targets: ["CompareCommand"]),
        .executable(name: "headroom-soak", targets: ["SoakCommand"]),
        .executable(name: "headroom-overhead", targets: ["OverheadCommand"]),
    ],
    dependencies: [
        .package(name: "Headroom", path: ".."),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "HeadroomServerSupport",
            dependencies: [
                headroom("Core"), "HeadroomRedis", argumentParser, hummingbird,
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/ServerSupport"
        ),
        .target(
            name: "HeadroomHTTPClient",
            dependencies: [
                headroom("Core"), headroom("Adapters"), nio("NIOCore"), nio("NIOHTTP1"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Sources/HTTPClient"
        ),
        .target(name: "HeadroomRedis", dependencies: [headroom("Core"), nio("NIOCore"), nio("NIOPosix")], path: "Sources/Redis"),
        .target(name: "HeadroomSharedCapacity", dependencies: ["HeadroomRedis", headroom("Core"), logging], path: "Sources/SharedCapacity"),
        .target(
            name: "HeadroomMockServer",
            dependencies: ["HeadroomServerSupport", headroom("Simulator"), headroom("Adapters"), headroom("Tokenizers"), hummingbird],
            path: "Sources/MockServer"
        ),
        .target(
            name: "HeadroomGateway",
            dependencies: [
                "HeadroomHTTPClient", "HeadroomRedis", "HeadroomSharedCapacity", "HeadroomServerSupport", headroom("Adapters"), headroom("Cache"),
                headroom("Configuration"), hummingbird, .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HummingbirdCore", package: "hummingbird"), nio("NIOCore"), nio("NIOConcurrencyHelpers"),
                logging, .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Sources/Gateway"
        ),
        command("MockCommand", ["HeadroomMockServer", "HeadroomServerSupport", headroom("Core"), headroom("Simulator"), argumentParser]),
        command("GatewayCommand", ["HeadroomGateway", "HeadroomServerSupport", headroom("Core"), headroom("Configuration"), argumentParser, logging]),
        command("LoadCommand", ["HeadroomHTTPClient", "HeadroomServerSupport", headroom("Core"), headroom("Adapters"), argumentParser]),
        command("OverheadCommand", ["HeadroomHTTPClient", "HeadroomServerSupport", headroom("Core"), headroom("Adapters")]),
        command("SoakCommand", ["HeadroomHTTPClient", "HeadroomServerSupport", headroom("Core"), headroom("Adapters")]),
        command("CompareCommand", [
            "HeadroomHTTPClient", "HeadroomMockServer", "HeadroomGateway", "HeadroomServerSupport",
            headroom("Core"), headroom("Simulator"), headroom("Adapters"), headroom("Configuration"), headroom("Tokenizers"),
        ]),
        .testTarget(
            name: "HeadroomGatewayTests",
            dependencies: [
                "HeadroomHTTPClient", "HeadroomMockServer", "HeadroomGateway", "HeadroomServerSupport", "HeadroomRedis", "HeadroomSharedCapacity",
                headroom("Core"), headroom("Cache"), headroom("Simulator"), headroom("Adapters"), headroom("Configuration"), hummingbird, logging,
                nio("NIOCore"), nio("NIOPosix"), nio("NIOConcurrencyHelpers"),
            ],
            path: "Tests/GatewayTests"
        ),
    ],
    swiftLanguageModes: [.v6]
)
