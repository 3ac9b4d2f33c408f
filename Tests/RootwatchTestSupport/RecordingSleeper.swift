import AlibabaCloud
import Foundation
import Synchronization

/// A `Sleeper` that records each requested delay and returns at once, keeping a virtual clock.
///
/// The virtual clock starts at `start` and advances by every recorded sleep, so code that measures
/// elapsed time through an injected `now` (retry budgets, credential expiry) sees time pass exactly
/// as it would have: pass `now: { sleeper.now() }`.
package final class RecordingSleeper: Sleeper {
    private struct State {
        var durations: [Duration] = []
        var current: Date
    }

    private let state: Mutex<State>

    package init(start: Date = Date(timeIntervalSince1970: 1_735_787_045)) {
        state = Mutex(State(current: start))
    }

    /// Every delay requested so far, in order.
    package var durations: [Duration] { state.withLock { $0.durations } }

    /// The virtual time: start plus everything slept plus any `advance`.
    package func now() -> Date { state.withLock { $0.current } }

    /// Moves the virtual clock without recording a sleep (time spent elsewhere).
    package func advance(by duration: Duration) {
        state.withLock { $0.current += Self.seconds(duration) }
    }

    package func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        state.withLock {
            $0.durations.append(duration)
            $0.current += Self.seconds(duration)
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
