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
    ],
    targets: [
        .systemLibrary(
            name: "CLibzip",
            pkgConfig: "libzip",
            providers: [.apt(["libzip-dev"])]
        ),
        .target(
            name: "XLSXWriter",
            dependencies: ["CLibzip"]
        ),
        .target(
            name: "Inzage",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
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
        .testTarget(name: "XLSXWriterTests", dependencies: ["XLSXWriter"]),
        .testTarget(name: "InzageTests", dependencies: ["Inzage"]),
        .testTarget(name: "inzageTests", dependencies: ["inzage"]),
    ]
)
