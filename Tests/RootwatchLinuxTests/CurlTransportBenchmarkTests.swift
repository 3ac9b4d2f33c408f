import AlibabaCloud
import Foundation
import RootwatchLinux
import Testing

/// Throughput and connection reuse of `CurlTransport` on loopback; run by `Benchmarks/curl-transport.sh`.
///
/// Off unless `ROOTWATCH_BENCHMARK=1`: timings on a shared two-core host are not assertions. What
/// it does assert is the reuse: a keep-alive regression shows as one connection per request.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["ROOTWATCH_BENCHMARK"] == "1"))
struct CurlTransportBenchmarkTests {
    @Test func sequentialAndConcurrentRequestRates() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let transport = try CurlTransport()
        let count = 2000
        let request = HTTPRequest(method: "GET", url: server.url("/echo"))

        let sequentialStart = ContinuousClock.now
        for _ in 0..<count {
            _ = try await transport.send(request)
        }
        let sequential = ContinuousClock.now - sequentialStart
        let afterSequential = try await server.stats(via: transport)["connections"] ?? 0

        let concurrentStart = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<32 {
                group.addTask {
                    for _ in stride(from: worker, to: count, by: 32) {
                        _ = try await transport.send(request)
                    }
                }
            }
            try await group.waitForAll()
        }
        let concurrent = ContinuousClock.now - concurrentStart
        let afterConcurrent = try await server.stats(via: transport)["connections"] ?? 0

        print(
            """
            curl-transport: \(count) sequential GETs in \(sequential) \
            (\(Self.rate(count, sequential)) req/s), connections opened: \(afterSequential)
            curl-transport: \(count) GETs over 32 workers in \(concurrent) \
            (\(Self.rate(count, concurrent)) req/s), connections opened: \(afterConcurrent - afterSequential)
            """)
        #expect(afterSequential == 1)
        // One connection per worker: no idle connection is evicted between two requests.
        #expect(afterConcurrent - afterSequential <= 32)
    }

    private static func rate(_ count: Int, _ duration: Duration) -> Int {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return seconds > 0 ? Int(Double(count) / seconds) : 0
    }
}
