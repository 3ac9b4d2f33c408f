/// Saves the latest snapshot of some state, never running two writes at once and skipping snapshots
/// that a newer one has replaced.
///
/// Many scans finish close together; each asks for a save. The first caller writes; callers that
/// arrive while a write is in flight only mark the state dirty and return, and the writing caller
/// loops until nothing new is pending. So a burst of N scan results costs about two writes, not N,
/// and no unowned task is needed: the work runs in the task of whoever started it.
///
/// The daemon paces writes instead: scans only `markDirty()`, and `run(interval:sleep:)`, a child of
/// the daemon's root task group, writes at most once per interval. A snapshot holds every account,
/// so writing it after each scan costs O(accounts) per scan, O(accounts²) per cycle: with 1,000
/// accounts that was 11 s of CPU per cycle, and every scan held its concurrency slot while it wrote.
package actor CoalescingSaver<Snapshot: Sendable> {
    private let snapshot: @Sendable () -> Snapshot
    private let write: @Sendable (Snapshot) async throws -> Void
    private let failed: @Sendable (any Error) -> Void
    private var writing = false
    private var dirty = false
    private var generation = 0
    private var savedGeneration = 0

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

    /// Asks for the current state to be written; returns at once if a write is already under way
    /// (that write's caller will write again).
    package func save() async {
        markDirty()
        guard !writing else { return }
        while dirty {
            guard await writeCurrent() else { return }
        }
    }

    /// Records that the state changed without writing it: `run` writes it within one interval.
    package func markDirty() {
        dirty = true
        generation += 1
    }

    /// Writes the state whenever it has changed, at most one write per `interval`, until the task
    /// is cancelled (then `flush` writes the last changes). A failed write is retried next interval.
    package func run(interval: Duration, sleep: @escaping @Sendable (Duration) async throws -> Void) async {
        while !Task.isCancelled {
            if dirty && !writing {
                _ = await writeCurrent()
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
