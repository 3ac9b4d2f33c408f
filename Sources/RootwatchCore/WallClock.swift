import FoundationEssentials

/// Wall time and sleeping until a wall-clock instant: the scheduler's one time seam. Production uses
/// the system clock; tests use `VirtualClock`, which jumps instead of waiting, so a day of schedule
/// runs in milliseconds.
package protocol WallClock: Sendable {
    func now() -> Date
    /// Returns at `deadline` (or at once if it has passed); throws `CancellationError` when cancelled.
    func sleep(until deadline: Date) async throws
}

/// The system's wall clock; sleeps on the continuous clock for the remaining interval.
package struct SystemWallClock: WallClock {
    package init() {}
    package func now() -> Date { Date() }
    package func sleep(until deadline: Date) async throws {
        let remaining = deadline.timeIntervalSinceNow
        if remaining > 0 { try await Task.sleep(for: .milliseconds(Int64((remaining * 1000).rounded(.up)))) }
    }
}
