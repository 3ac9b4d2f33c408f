import Glibc

/// A failed system or libsystemd call: which operation, on what, and the `errno` it reported.
///
/// The edges share one error type so callers log a uniform one-line reason ("rename /var/lib/rootwatchd/…:
/// Permission denied") and tests can match on the operation and the errno.
package struct SystemCallError: Error, Equatable, CustomStringConvertible {
    /// The call or step that failed, e.g. `fsync` or `sd_journal_sendv`.
    package var operation: String
    /// The file, directory or socket it was about, when there is one.
    package var path: String?
    package var errno: Int32

    package init(_ operation: String, path: String? = nil, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    /// The error for the current thread's `errno`, read right after the failing call.
    package static func current(_ operation: String, path: String? = nil) -> SystemCallError {
        SystemCallError(operation, path: path, errno: Glibc.errno)
    }

    package var description: String {
        let reason = strerror(errno).map { String(cString: $0) } ?? "errno \(errno)"
        return path.map { "\(operation) \($0): \(reason)" } ?? "\(operation): \(reason)"
    }
}
