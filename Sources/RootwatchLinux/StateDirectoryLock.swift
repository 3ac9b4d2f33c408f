import Glibc
import Synchronization

/// An exclusive `flock` on `<state directory>/lock`, held while a process may write state
/// (product.md §5), so a second daemon or a concurrent `rootwatchd check` fails fast instead of
/// interleaving state writes.
///
/// `flock` locks belong to the open file description: they are released when it is closed — by
/// `release()`, by deinit, or by the kernel when the process dies, so a crash never leaves a stale lock.
/// Two acquisitions in one process use two `open` calls and therefore conflict like two processes do.
/// The holder writes its pid into the file so the loser's error can name it; the pid is informational
/// only (the lock, not the file's contents, decides).
package final class StateDirectoryLock: Sendable {
    /// The lock file's path.
    package let path: String
    private let descriptor: Mutex<Int32?>

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = Mutex(descriptor)
    }

    deinit {
        release()
    }

    /// Takes the lock without waiting; throws `.heldByAnotherProcess` when someone holds it.
    package static func acquire(
        directory: String, pid: Int32 = getpid()
    ) throws(StateDirectoryLockError) -> StateDirectoryLock {
        let path = directory.hasSuffix("/") ? directory + "lock" : "\(directory)/lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .system(.current("open", path: path)) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            let error = errno
            close(fd)
            if error == EWOULDBLOCK {
                throw .heldByAnotherProcess(path: path, pid: holderPID(path))
            }
            throw .system(SystemCallError("flock", path: path, errno: error))
        }
        // Record the holder for the next contender's error message; failure here is harmless.
        let text = Array("\(pid)\n".utf8)
        if ftruncate(fd, 0) == 0 {
            _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
        return StateDirectoryLock(path: path, descriptor: fd)
    }

    /// Releases the lock by closing the file; later calls do nothing.
    package func release() {
        descriptor.withLock { fd in
            if let open = fd {
                close(open)
                fd = nil
            }
        }
    }

    /// The pid recorded in the lock file, if it holds one.
    private static func holderPID(_ path: String) -> Int32? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self)
        return Int32(text.trimmingPrefix(while: \.isWhitespace).prefix(while: \.isNumber))
    }
}

/// Why the state directory lock could not be taken.
package enum StateDirectoryLockError: Error, Equatable, CustomStringConvertible {
    /// Another process (or another open of the file in this one) holds the lock.
    case heldByAnotherProcess(path: String, pid: Int32?)
    /// The lock file could not be opened or locked.
    case system(SystemCallError)

    package var description: String {
        switch self {
        case .heldByAnotherProcess(let path, let pid?):
            "another rootwatchd (pid \(pid)) holds \(path); stop it first, or use a different --state-dir"
        case .heldByAnotherProcess(let path, nil):
            "another rootwatchd holds \(path); stop it first, or use a different --state-dir"
        case .system(let error):
            "cannot lock the state directory: \(error)"
        }
    }
}
