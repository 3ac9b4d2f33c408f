/// Saves the latest snapshot of some state, never running two writes at once and skipping snapshots
/// that a newer one has replaced.
///
/// Many scans finish close together; each asks for a save. The first caller writes; callers that
/// arrive while a write is in flight only mark the state dirty and return, and the writing caller
/// loops until nothing new is pending. So a burst of N scan results costs about two writes, not N,
/// and no unowned task is needed: the work runs in the task of whoever started it.
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
        dirty = true
        generation += 1
        guard !writing else { return }
        writing = true
        defer { writing = false }
        while dirty {
            dirty = false
            let target = generation
            do {
                try await write(snapshot())
                savedGeneration = target
            } catch {
                failed(error)
                return
            }
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
