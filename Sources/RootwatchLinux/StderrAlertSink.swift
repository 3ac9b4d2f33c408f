import Glibc
import RootwatchCore
import Synchronization

/// Prints each alert as one line on stderr, for a person running rootwatchd in a terminal (the
/// journal gets the structured entry as well).
package final class StderrAlertSink: AlertSink {
    private let lock = Mutex(())
    private let fileDescriptor: Int32

    package init(fileDescriptor: Int32 = STDERR_FILENO) { self.fileDescriptor = fileDescriptor }

    package func emit(_ alert: Alert) async throws {
        let line = Self.format(alert) + "\n"
        lock.withLock { _ in
            _ = Array(line.utf8).withUnsafeBytes { write(fileDescriptor, $0.baseAddress, $0.count) }
        }
    }

    /// `ALERT critical root-console-logon: Root console logon on account prod … [id 7ff7…]`.
    package static func format(_ alert: Alert) -> String {
        "ALERT \(alert.severity.rawValue) \(alert.kind.rawValue): \(alert.message) [id \(alert.id)]"
    }
}
