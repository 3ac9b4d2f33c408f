import FoundationEssentials
import RootwatchCore
import Synchronization

/// A wake-up flag one task waits on and any task raises: signals raised while nobody waits are kept
/// (as one), so a wake-up between two waits is never lost.
///
/// Delivery workers wait on it with a deadline: a new outbox file or a reload wakes them at once,
/// the retry timer otherwise. Waiting is cancellable (shutdown).
package final class DeliverySignal: Sendable {
    private struct State {
        var raised = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    package init() {}

    /// Wakes the waiter, or the next `wait` if nobody waits now.
    package func raise() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.raised = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns when raised (consuming it) or when the task is cancelled. One waiter at a time.
    package func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.raised || Task.isCancelled {
                        state.raised = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }?.resume()
        }
    }

    /// Returns when raised, at `deadline` on `clock` (nil: no deadline), or when cancelled.
    package func wait(until deadline: Date?, clock: any WallClock) async {
        guard let deadline else { return await wait() }
        if deadline <= clock.now() { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wait() }
            group.addTask { try? await clock.sleep(until: deadline) }
            await group.next()
            group.cancelAll()
        }
    }
}
