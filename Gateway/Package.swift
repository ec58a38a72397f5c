// swift-tools-version: 6.0
import PackageDescription

// The servers: a mock provider and an OpenAI-compatible gateway. They live in
// their own package so that the root package keeps depending on nothing.
let package = Package(
    name: "HeadroomGateway",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "HeadroomMockServer", targets: ["HeadroomMockServer"]),
        .library(name: "HeadroomGateway", targets: ["HeadroomGateway"]),
        .library(name: "HeadroomHTTPClient", targets: ["HeadroomHTTPClient"]),
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
    ],
    targets: [
        .target(
            name: "HeadroomServerSupport",
            dependencies: [
                .product(name: "HeadroomCore", package: "Headroom"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/ServerSupport"
        ),
        .target(
            name: "HeadroomHTTPClient",
            dependencies: [
                .product(name: "HeadroomCore", package: "Headroom"),
                .product(name: "HeadroomAdapters", package: "Headroom"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Sources/HTTPClient"
        ),
        .target(
            name: "HeadroomMockServer",
            dependencies: [
                "HeadroomServerSupport",
                .product(name: "HeadroomSimulator", package: "Headroom"),
                .product(name: "HeadroomAdapters", package: "Headroom"),
                .product(name: "HeadroomTokenizers", package: "Headroom"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Sources/MockServer"
        ),
        .target(
            name: "HeadroomGateway",
            dependencies: [
                "HeadroomHTTPClient",
                "HeadroomServerSupport",
                .product(name: "HeadroomAdapters", package: "Headroom"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Sources/Gateway"
        ),
        .executableTarget(
            name: "MockCommand",
            dependencies: [
                "HeadroomMockServer", "HeadroomServerSupport",
                .product(name: "HeadroomSimulator", package: "Headroom"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/MockCommand"
        ),
        .executableTarget(
            name: "GatewayCommand",
            dependencies: [
                "HeadroomGateway", "HeadroomServerSupport",
                .product(name: "HeadroomCore", package: "Headroom"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/GatewayCommand"
        ),
        .executableTarget(
            name: "LoadCommand",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                "HeadroomHTTPClient",
                "HeadroomServerSupport",
                .product(name: "HeadroomCore", package: "Headroom"),
                .product(name: "HeadroomAdapters", package: "Headroom"),
            ],
            path: "Sources/LoadCommand"
        ),
        .executableTarget(
            name: "OverheadCommand",
            dependencies: [
                "HeadroomHTTPClient",
                "HeadroomServerSupport",
                .product(name: "HeadroomCore", package: "Headroom"),
                .product(name: "HeadroomAdapters", package: "Headroom"),
            ],
            path: "Sources/OverheadCommand"
        ),
        .executableTarget(
            name: "SoakCommand",
            dependencies: [
                "HeadroomHTTPClient",
                "HeadroomServerSupport",
                .product(name: "HeadroomCore", package: "Headroom"),
                .product(name: "HeadroomAdapters", package: "Headroom"),
            ],
            path: "Sources/SoakCommand"
        ),
        .executableTarget(
            name: "CompareCommand",
            dependencies: [
                "HeadroomHTTPClient",
                "HeadroomMockServer", "HeadroomGateway", "HeadroomServerSupport",
                .product(name: "HeadroomCore", package: "Headroom"),
                .product(name: "HeadroomSimulator", package: "Headroom"),
                .product(name: "HeadroomAdapters", package: "Headroom"),
                .product(name: "HeadroomTokenizers", package: "Headroom"),
            ],
            path: "Sources/CompareCommand"
        ),
        .testTarget(
            name: "HeadroomGatewayTests",
            dependencies: [
                "HeadroomHTTPClient",
                "HeadroomMockServer", "HeadroomGateway", "HeadroomServerSupport",
                .product(name: "HeadroomCore", package: "Headroom"),
                .product(name: "HeadroomSimulator", package: "Headroom"),
                .product(name: "HeadroomAdapters", package: "Headroom"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tests/GatewayTests"
        ),
    ],
    swiftLanguageModes: [.v6]
)
