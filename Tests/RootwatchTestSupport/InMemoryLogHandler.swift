import RootwatchCore
import Synchronization

/// A `LogHandler` that keeps every entry in memory, so tests assert what was logged (swift-log's
/// in-memory handler pattern).
package final class InMemoryLogHandler: LogHandler {
    private let stored = Mutex<[LogEntry]>([])

    package init() {}

    package func log(_ entry: LogEntry) {
        stored.withLock { $0.append(entry) }
    }

    /// Every entry so far, in the order logged.
    package var entries: [LogEntry] { stored.withLock { $0 } }

    /// The entries whose message is exactly `message`.
    package func entries(withMessage message: String) -> [LogEntry] {
        entries.filter { $0.message == message }
    }

    /// A logger writing to this handler.
    package var logger: Logger { Logger(handler: self) }
}
