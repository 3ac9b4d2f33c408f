import Foundation
import RootwatchLinux
import RootwatchTestSupport
import Testing

/// The state directory lock: exclusive per open file description, released on close.
@Suite struct StateDirectoryLockTests {
    @Test func aSecondHolderIsRefusedWithTheFirstHoldersPid() throws {
        let directory = try TemporaryDirectory()
        let first = try StateDirectoryLock.acquire(directory: directory.path, pid: 4242)
        #expect(first.path == directory.file("lock"))
        let attributes = try FileManager.default.attributesOfItem(atPath: first.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        // A separate open() in the same process conflicts like another process would.
        #expect(throws: StateDirectoryLockError.heldByAnotherProcess(path: directory.file("lock"), pid: 4242)) {
            _ = try StateDirectoryLock.acquire(directory: directory.path)
        }
        let message = "\(StateDirectoryLockError.heldByAnotherProcess(path: first.path, pid: 4242))"
        #expect(message.contains("another rootwatchd (pid 4242) holds \(first.path)"))

        first.release()
        let second = try StateDirectoryLock.acquire(directory: directory.path)
        #expect(try String(contentsOfFile: second.path, encoding: .utf8) == "\(getpid())\n")
        second.release()
        second.release()  // idempotent
    }

    @Test func droppingTheLastReferenceReleasesTheLock() throws {
        let directory = try TemporaryDirectory()
        do {
            let held = try StateDirectoryLock.acquire(directory: directory.path)
            #expect(throws: StateDirectoryLockError.self) {
                _ = try StateDirectoryLock.acquire(directory: directory.path)
            }
            withExtendedLifetime(held) {}
        }
        _ = try StateDirectoryLock.acquire(directory: directory.path)
    }

    @Test func anotherProcessHoldingTheLockIsDetected() async throws {
        let directory = try TemporaryDirectory()
        // util-linux flock(1) takes the same kind of lock; the child exits as soon as it checked ours.
        let held = try StateDirectoryLock.acquire(directory: directory.path)
        let child = try await ChildProcess.output(
            ["/usr/bin/flock", "--nonblock", "--conflict-exit-code", "9", held.path, "true"])
        #expect(child.status == 9, "a separate process sees the lock")
        held.release()
        let free = try await ChildProcess.output(
            ["/usr/bin/flock", "--nonblock", "--conflict-exit-code", "9", held.path, "true"])
        #expect(free.status == 0)
    }

    @Test func aMissingDirectoryIsASystemError() throws {
        let directory = try TemporaryDirectory()
        #expect(
            throws: StateDirectoryLockError.system(
                SystemCallError("open", path: directory.file("absent/lock"), errno: ENOENT))
        ) {
            _ = try StateDirectoryLock.acquire(directory: directory.file("absent"))
        }
    }
}
