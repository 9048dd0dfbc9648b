// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Inzage",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "inzage", targets: ["inzage"]),
        .library(name: "Inzage", targets: ["Inzage"]),
        .library(name: "XLSXWriter", targets: ["XLSXWriter"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibzip",
            pkgConfig: "libzip",
            providers: [.apt(["libzip-dev"])]
        ),
        // Headers only (no pkgConfig, so nothing is linked): XLSXWriter loads libisal.so.2 with dlopen.
        .systemLibrary(
            name: "CISAL",
            providers: [.apt(["libisal-dev"])]
        ),
        .target(
            name: "XLSXWriter",
            dependencies: ["CLibzip", "CISAL"]
        ),
        .target(
            name: "Inzage",
            dependencies: [
                "XLSXWriter",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Resources/templates")]
        ),
        .executableTarget(
            name: "inzage",
            dependencies: [
                "Inzage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "XLSXBenchmark",
            dependencies: ["XLSXWriter"],
            path: "Benchmarks/xlsx/Swift"
        ),
        .executableTarget(
            name: "ExtractBenchmark",
            dependencies: ["Inzage"],
            path: "Benchmarks/extract/Swift"
        ),
        .testTarget(name: "XLSXWriterTests", dependencies: ["XLSXWriter"]),
        .testTarget(name: "InzageTests", dependencies: ["Inzage"]),
        .testTarget(name: "inzageTests", dependencies: ["inzage", "Inzage"]),
    ]
)
