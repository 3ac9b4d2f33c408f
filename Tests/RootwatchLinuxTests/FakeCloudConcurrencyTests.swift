import AlibabaCloud
import RootwatchLinux
import RootwatchTestSupport
import Testing

/// Many signed calls through one shared `CurlTransport` are in the server at the same time: with
/// every answer held 200 ms, the fake's own count of requests in flight at once must reach at least
/// half of 64. A transport that serialised requests, or blocked the two-thread cooperative pool,
/// would peak at one or two. The proof is the server's count, not a wall clock.
@Suite(.fakeCloud("basic.json"))
struct FakeCloudConcurrencyTests {
    @Test func sixtyFourCallsAreInFlightTogether() async throws {
        let fixture = try FakeCloudFixture.require()
        let cloud = fixture.cloud
        let sts = fixture.sts(try fixture.client(account: "alpha", retryPolicy: .never))
        try await cloud.setLatency(milliseconds: 200)
        try await cloud.waitUntilIdle()
        try await cloud.resetStats()

        let accounts = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<64 {
                group.addTask { try await sts.getCallerIdentity().accountID }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let stats = try await cloud.stats()
        try await cloud.setLatency(milliseconds: 0)

        #expect(accounts == Array(repeating: "1111222233334444", count: 64))
        #expect(stats.byAction == ["GetCallerIdentity": 64])
        #expect(stats.rejected.isEmpty, "every nonce and signature must be accepted: \(stats.rejected)")
        #expect(stats.peakConcurrency >= 32, "the fake saw at most \(stats.peakConcurrency) requests at once")
        #expect(stats.peakConcurrency <= 64)
    }
}
