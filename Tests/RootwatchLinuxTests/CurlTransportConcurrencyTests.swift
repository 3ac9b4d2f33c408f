import AlibabaCloud
import RootwatchLinux
import Synchronization
import Testing

/// Many requests in flight cost one thread, not one pool thread each: the cooperative pool has two
/// threads on the test host, so any blocking in `send` would cap concurrency at two.
@Suite struct CurlTransportConcurrencyTests {
    @Test func sixtyFourRequestsAreInFlightTogether() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let transport = try CurlTransport()
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<64 {
                group.addTask {
                    try await transport.send(HTTPRequest(method: "GET", url: server.url("/delay?ms=200"))).status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 64))
        let stats = try await server.stats(via: transport)
        #expect((stats["peak"] ?? 0) >= 32, "server saw at most \(stats["peak"] ?? 0) requests at once")
    }

    @Test func cooperativePoolStaysFreeWhileRequestsWait() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let transport = try CurlTransport()
        let completed = CompletionCounter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<64 {
                group.addTask {
                    _ = try await transport.send(HTTPRequest(method: "GET", url: server.url("/delay?ms=3000")))
                    completed.increment()
                }
            }
            // While the server holds at least half of them, trivial pool work must still run at once.
            _ = try await server.waitForStats(via: transport) { ($0["in_flight"] ?? 0) >= 32 }
            let answer = await withTaskGroup(of: Int.self) { trivial in
                trivial.addTask { 6 * 7 }
                return await trivial.next() ?? 0
            }
            #expect(answer == 42)
            #expect(completed.count == 0, "the trivial task waited for the requests")
            try await group.waitForAll()
        }
        #expect(completed.count == 64)
    }
}

/// Counts finished requests across child tasks (an `Atomic` cannot be captured by a closure).
private final class CompletionCounter: Sendable {
    private let value = Atomic<Int>(0)

    var count: Int { value.load(ordering: .sequentiallyConsistent) }

    func increment() {
        value.add(1, ordering: .sequentiallyConsistent)
    }
}
