import RootwatchCore
import Synchronization

/// An `AlertSink` that records every alert it accepts and can be told to fail, so tests check what was
/// emitted and how callers handle a sink that throws.
package final class RecordingAlertSink: AlertSink {
    /// The error `emit` throws while `failing` is set.
    package struct Failure: Error, Equatable {
        package var reason: String
        package init(_ reason: String) { self.reason = reason }
    }

    private let state = Mutex<(alerts: [Alert], failure: Failure?)>(([], nil))

    package init() {}

    package func emit(_ alert: Alert) async throws {
        try state.withLock { state in
            if let failure = state.failure { throw failure }
            state.alerts.append(alert)
        }
    }

    /// Every accepted alert, in order.
    package var alerts: [Alert] { state.withLock { $0.alerts } }

    /// Makes later `emit` calls throw `failure` (nil: accept again).
    package func setFailure(_ failure: Failure?) {
        state.withLock { $0.failure = failure }
    }
}
