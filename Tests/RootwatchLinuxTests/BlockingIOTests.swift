import Dispatch
import Foundation
import RootwatchLinux
import Synchronization
import Testing

/// Blocking work runs off the cooperative pool, one item at a time per instance, and its errors reach
/// the caller.
@Suite struct BlockingIOTests {
    struct Failure: Error, Equatable {}

    /// Three calls blocked at once would exhaust the two-thread cooperative pool if `run` executed work
    /// inline; the task that releases them could then never run and every wait would time out.
    @Test func blockedWorkDoesNotOccupyTheCooperativePool() async throws {
        let gate = DispatchSemaphore(value: 0)
        @Sendable func waitAtGate() -> Bool { gate.wait(timeout: .now() + 5) == .success }
        async let first = BlockingIO(label: "test.gate.1").run(waitAtGate)
        async let second = BlockingIO(label: "test.gate.2").run(waitAtGate)
        async let third = BlockingIO(label: "test.gate.3").run(waitAtGate)
        try await Task.sleep(for: .milliseconds(50))
        for _ in 0..<3 { gate.signal() }
        let passed = await [first, second, third]
        #expect(passed == [true, true, true])
    }

    @Test func oneInstanceRunsOneItemAtATime() async throws {
        let io = BlockingIO(label: "test.serial")
        let overlap = OverlapMeter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    await io.run {
                        overlap.enter()
                        usleep(1000)
                        overlap.leave()
                    }
                }
            }
        }
        #expect(overlap.calls == 20)
        #expect(overlap.maximum == 1)
    }

    @Test func errorsPropagate() async {
        await #expect(throws: Failure()) { try await BlockingIO.shared.run { () throws -> Int in throw Failure() } }
    }
}

/// Counts how many work items run at the same time.
private final class OverlapMeter: Sendable {
    private let state = Mutex((current: 0, maximum: 0, calls: 0))

    func enter() {
        state.withLock {
            $0.current += 1
            $0.calls += 1
            $0.maximum = max($0.maximum, $0.current)
        }
    }

    func leave() { state.withLock { $0.current -= 1 } }
    var maximum: Int { state.withLock { $0.maximum } }
    var calls: Int { state.withLock { $0.calls } }
}
