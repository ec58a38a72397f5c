// swift-tools-version: 6.0
import PackageDescription

// Headroom depends on no other package: the Swift toolchain only.
let package = Package(
    name: "Headroom",
    products: [
        .library(name: "HeadroomCore", targets: ["HeadroomCore"]),
        .library(name: "HeadroomPolicies", targets: ["HeadroomPolicies"]),
        .library(name: "HeadroomSimulator", targets: ["HeadroomSimulator"]),
        .library(name: "HeadroomTokenizers", targets: ["HeadroomTokenizers"]),
        .library(name: "HeadroomAdapters", targets: ["HeadroomAdapters"]),
        .library(name: "HeadroomConfiguration", targets: ["HeadroomConfiguration"]),
        .library(name: "HeadroomCache", targets: ["HeadroomCache"]),
        .executable(name: "headroom", targets: ["HeadroomCLI"]),
        .executable(name: "headroom-bench", targets: ["HeadroomBenchmarks"]),
    ],
    targets: [
        .target(name: "HeadroomCore", path: "Sources/Core"),
        .target(name: "HeadroomPolicies", dependencies: ["HeadroomCore"], path: "Sources/Policies"),
        .target(
            name: "HeadroomTokenizers",
            dependencies: ["HeadroomCore"],
            path: "Sources/Tokenizers",
            resources: [.copy("Resources")]
        ),
        .target(
            name: "HeadroomAdapters",
            dependencies: ["HeadroomCore", "HeadroomPolicies", "HeadroomTokenizers"],
            path: "Sources/Adapters"
        ),
        .target(
            name: "HeadroomCache",
            dependencies: ["HeadroomCore", "HeadroomAdapters"],
            path: "Sources/Cache"
        ),
        .target(
            name: "HeadroomConfiguration",
            dependencies: ["HeadroomCore", "HeadroomPolicies", "HeadroomAdapters", "HeadroomCache"],
            path: "Sources/Configuration"
        ),
        .target(
            name: "HeadroomSimulator",
            dependencies: ["HeadroomCore", "HeadroomPolicies", "HeadroomCache", "HeadroomConfiguration"],
            path: "Sources/Simulator",
            resources: [.copy("Resources")]
        ),
        .executableTarget(
            name: "HeadroomCLI",
            dependencies: ["HeadroomCore", "HeadroomPolicies", "HeadroomConfiguration", "HeadroomSimulator", "HeadroomTokenizers"],
            path: "Sources/CLI"
        ),
        .executableTarget(
            name: "HeadroomBenchmarks",
            dependencies: ["HeadroomCore", "HeadroomPolicies", "HeadroomSimulator", "HeadroomTokenizers", "HeadroomAdapters", "HeadroomCache"],
            path: "Benchmarks",
            // The multilingual corpus is read from the package's folder at run time.
            exclude: ["Corpus"]
        ),
        .testTarget(name: "HeadroomCoreTests", dependencies: ["HeadroomCore", "HeadroomPolicies"], path: "Tests/CoreTests"),
        .testTarget(name: "HeadroomPoliciesTests", dependencies: ["HeadroomCore", "HeadroomPolicies"], path: "Tests/PoliciesTests"),
        .testTarget(
            name: "HeadroomTokenizersTests",
            dependencies: ["HeadroomCore", "HeadroomTokenizers"],
            path: "Tests/TokenizersTests",
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "HeadroomAdaptersTests",
            dependencies: ["HeadroomCore", "HeadroomPolicies", "HeadroomAdapters", "HeadroomConfiguration"],
            path: "Tests/AdaptersTests"
        ),
        .testTarget(
            name: "HeadroomCacheTests",
            dependencies: ["HeadroomCore", "HeadroomPolicies", "HeadroomAdapters", "HeadroomCache"],
            path: "Tests/CacheTests"
        ),
        .testTarget(
            name: "HeadroomConfigurationTests",
            dependencies: ["HeadroomCore", "HeadroomPolicies", "HeadroomAdapters", "HeadroomConfiguration", "HeadroomSimulator"],
            path: "Tests/ConfigurationTests"
        ),
        .testTarget(
            name: "HeadroomSimulatorTests",
            dependencies: ["HeadroomCore", "HeadroomPolicies", "HeadroomCache", "HeadroomConfiguration", "HeadroomSimulator"],
            path: "Tests/SimulatorTests",
            resources: [.copy("Fixtures")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
