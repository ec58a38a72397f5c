// swift-tools-version: 6.0
import PackageDescription

// libFuzzer harnesses for the parsers that read input from outside: request
// bodies (and the cache's keys and records), rate-limit headers, server-sent events,
// configuration files and what a Batch API sends back; and the exact tokenizer against tiktoken's ids.
// Built only with the fuzzer's instrumentation, by Scripts/fuzz.sh; a package
// of its own so that the root package keeps depending on nothing.
let harnesses = ["FuzzRequest", "FuzzHeaders", "FuzzEvents", "FuzzConfiguration", "FuzzBatch", "FuzzTokenizer"]

let package = Package(
    name: "HeadroomFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "Headroom", path: "..")],
    targets: [.target(name: "FuzzDriver", path: "Sources/FuzzDriver")] + harnesses.map { name in
        .executableTarget(
            name: name,
            dependencies: [
                "FuzzDriver",
                .product(name: "HeadroomCore", package: "Headroom"),
                .product(name: "HeadroomPolicies", package: "Headroom"),
                .product(name: "HeadroomAdapters", package: "Headroom"),
                .product(name: "HeadroomCache", package: "Headroom"),
                .product(name: "HeadroomConfiguration", package: "Headroom"),
                .product(name: "HeadroomSimulator", package: "Headroom"),
                .product(name: "HeadroomTokenizers", package: "Headroom"),
            ],
            path: "Sources/\(name)"
        )
    },
    swiftLanguageModes: [.v6]
)
