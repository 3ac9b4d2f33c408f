import FoundationEssentials
import RootwatchCore
import Synchronization

/// A wall clock whose `sleep(until:)` jumps time forward instead of waiting, so a test runs hours of
/// schedule at once. Time never goes backwards.
package final class VirtualClock: WallClock {
    private let current: Mutex<Date>

    package init(_ start: Date) { current = Mutex(start) }

    package func now() -> Date { current.withLock { $0 } }

    package func sleep(until deadline: Date) async throws {
        try Task.checkCancellation()
        current.withLock { $0 = max($0, deadline) }
        await Task.yield()
    }

    /// Moves time forward by `seconds`.
    package func advance(by seconds: Double) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
