import Glibc

/// Whether a journald is listening, decided by its native socket.
///
/// `sd_journal_sendv` returns 0 and drops the entry when the socket is missing (a container without
/// journald, a plain shell), so bootstrap checks this once to choose between the journal sinks and
/// stderr, and tests use it to skip journal assertions with a visible reason.
package enum JournalAvailability {
    /// Where journald listens for the native protocol.
    package static let defaultSocketPath = "/run/systemd/journal/socket"

    /// True when `socketPath` exists and is a socket.
    package static func isAvailable(socketPath: String = defaultSocketPath) -> Bool {
        var info = stat()
        guard stat(socketPath, &info) == 0 else { return false }
        return info.st_mode & S_IFMT == S_IFSOCK
    }
}
