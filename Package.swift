// swift-tools-version:6.1
import PackageDescription

/// Every Swift target: Swift 6 language mode (the tools-version default), strict concurrency,
/// and the upcoming features that make dependencies and existentials explicit.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "rootwatchd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "rootwatchd", targets: ["rootwatchd"])
    ],
    targets: [
        // C libraries from Debian, bridged through module maps and small typed shims.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CInih", pkgConfig: "inih", providers: [.apt(["libinih-dev"])]),

        // Alibaba Cloud: signing, the RPC client behind an HTTP seam, IMS / STS / ActionTrail calls.
        .target(name: "AlibabaCloud", dependencies: ["CCrypto"], swiftSettings: strict),
        // Values in, decisions out: configuration, report parsing, detection, state model, payloads.
        .target(name: "RootwatchCore", dependencies: ["AlibabaCloud", "CInih"], swiftSettings: strict),
        // The edges: libcurl, journald, sd_notify, state files, outbox, signals.
        .target(
            name: "RootwatchLinux",
            dependencies: ["RootwatchCore", "AlibabaCloud", "CCurl", "CSystemd"],
            swiftSettings: strict
        ),
        // The composition root: command line, environment, concrete types.
        .executableTarget(
            name: "rootwatchd",
            dependencies: ["RootwatchLinux", "RootwatchCore", "AlibabaCloud"],
            swiftSettings: strict
        ),

        // Shared fakes and helpers for the test targets.
        .target(
            name: "RootwatchTestSupport",
            dependencies: ["AlibabaCloud", "RootwatchCore"],
            path: "Tests/RootwatchTestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "AlibabaCloudTests",
            dependencies: ["AlibabaCloud", "RootwatchTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "RootwatchCoreTests",
            dependencies: ["RootwatchCore", "AlibabaCloud", "RootwatchTestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "RootwatchLinuxTests",
            dependencies: ["RootwatchLinux", "RootwatchCore", "AlibabaCloud", "RootwatchTestSupport"],
            swiftSettings: strict
        ),
    ]
)
