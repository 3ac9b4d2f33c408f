/// Saves the latest snapshot of some state, never running two writes at once and skipping snapshots
/// that a newer one has replaced.
///
/// Scans only `markDirty()`, and `run(interval:sleep:)`, a child of the daemon's root task group,
/// writes as soon as the state changes and then waits at least `interval` before the next write. A lone change is saved at once; a burst costs one write per
/// interval. A snapshot holds every account, so writing it after each scan costs O(accounts) per
/// scan, O(accounts²) per cycle: with 1,000 accounts that was 11 s of CPU per cycle, and every scan
/// held its concurrency slot while it wrote.
package actor CoalescingSaver<Snapshot: Sendable> {
    private let snapshot: @Sendable () -> Snapshot
    private let write: @Sendable (Snapshot) async throws -> Void
    private let failed: @Sendable (any Error) -> Void
    private var writing = false
    private var dirty = false
    private var generation = 0
    private var savedGeneration = 0
    /// Wakes `run` when the state changes; holds at most one pending wake, so bursts coalesce.
    private let changes = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))

    /// - Parameters:
    ///   - snapshot: takes the current state, at the moment of writing.
    ///   - write: writes it durably.
    ///   - failed: told about a failed write (the next save tries again).
    package init(
        snapshot: @escaping @Sendable () -> Snapshot,
        write: @escaping @Sendable (Snapshot) async throws -> Void,
        failed: @escaping @Sendable (any Error) -> Void
    ) {
        self.snapshot = snapshot
        self.write = write
        self.failed = failed
    }

    /// Records that the state changed without writing it: `run` writes it, at once when idle.
    package func markDirty() {
        dirty = true
        generation += 1
        changes.continuation.yield()
    }

    /// Writes the state whenever it has changed — at once after a quiet spell, then at most one write
    /// per `interval` — until the task is cancelled (then `flush` writes the last changes). A failed
    /// write is retried after the interval.
    package func run(interval: Duration, sleep: @escaping @Sendable (Duration) async throws -> Void) async {
        for await _ in changes.stream {
            if dirty && !writing, !(await writeCurrent()) {
                changes.continuation.yield()  // try again after the pause
            }
            do {
                try await sleep(interval)
            } catch {
                return
            }
        }
    }

    /// Writes the current snapshot once; false (state still dirty) when the write failed.
    private func writeCurrent() async -> Bool {
        writing = true
        defer { writing = false }
        dirty = false
        let target = generation
        do {
            try await write(snapshot())
            savedGeneration = target
            return true
        } catch {
            dirty = true
            failed(error)
            return false
        }
    }

    /// Writes the current state and waits until it is durable, even if another caller's write is
    /// in flight (used at shutdown and by `check`).
    package func flush() async throws {
        while writing { await Task.yield() }
        writing = true
        defer { writing = false }
        dirty = false
        generation += 1
        let target = generation
        try await write(snapshot())
        savedGeneration = target
    }

    /// True when every requested save has been written.
    package var isClean: Bool { savedGeneration == generation && !writing }
}
