import FoundationEssentials
import Glibc

/// Durable whole-file writes and reads with plain system calls; every function blocks, so call them
/// inside `BlockingIO.run`.
///
/// A write goes to a new temporary file in the same directory (created `O_EXCL` with the final mode),
/// is written in full and fsynced, renamed over the target, and then the directory is fsynced so the
/// rename itself survives a power loss (alertmanager's `openReplace`, product.md §5). A reader thus sees
/// either the old file or the new one, never a mix, and after a crash the target holds one of the two.
/// Used by `StateFile` and by the webhook outbox (one file per delivery).
package enum AtomicFile {
    /// Replaces the file at `path` with `data`, durably; the file ends up with exactly `mode`.
    package static func write(_ data: Data, to path: String, mode: mode_t = 0o600) throws(SystemCallError) {
        let (directory, name) = split(path)
        let temporary = "\(directory)/\(temporaryPrefix(name))\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .current("open", path: temporary) }
        do throws(SystemCallError) {
            // The umask may have removed bits the caller asked for; it cannot have added any.
            guard fchmod(fd, mode) == 0 else { throw .current("fchmod", path: temporary) }
            try writeAll(fd, data, path: temporary)
            guard fsync(fd) == 0 else { throw .current("fsync", path: temporary) }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        guard close(fd) == 0 else {
            let error = SystemCallError.current("close", path: temporary)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let error = SystemCallError.current("rename", path: path)
            unlink(temporary)
            throw error
        }
        try syncDirectory(directory)
    }

    /// Removes the temporary files that writes of `path` left behind when their process died between
    /// creating and renaming them (`kill -9`, power loss); returns the names removed.
    ///
    /// Only call it while no other process can be writing `path` (under the state directory lock):
    /// a live writer's temporary file looks the same.
    package static func removeLeftovers(of path: String) throws(SystemCallError) -> [String] {
        let (directory, name) = split(path)
        let prefix = temporaryPrefix(name)
        guard let stream = opendir(directory) else { throw .current("opendir", path: directory) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            if entryName.hasPrefix(prefix) { names.append(entryName) }
        }
        closedir(stream)
        var removed: [String] = []
        for leftover in names.sorted() {
            guard unlink("\(directory)/\(leftover)") == 0 else {
                if errno == ENOENT { continue }
                throw .current("unlink", path: "\(directory)/\(leftover)")
            }
            removed.append(leftover)
        }
        if !removed.isEmpty { try syncDirectory(directory) }
        return removed
    }

    /// The contents of `path`, or nil when it does not exist.
    package static func read(_ path: String) throws(SystemCallError) -> Data? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw .current("open", path: path)
        }
        defer { close(fd) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .current("read", path: path)
            }
            if count == 0 { return data }
            data.append(contentsOf: buffer[0..<count])
        }
    }

    /// Moves `path` to `newPath` and fsyncs the directory, so the move is durable.
    package static func move(_ path: String, to newPath: String) throws(SystemCallError) {
        guard rename(path, newPath) == 0 else { throw .current("rename", path: path) }
        try syncDirectory(split(newPath).directory)
    }

    /// Fsyncs a directory, making renames and creations inside it durable.
    package static func syncDirectory(_ directory: String) throws(SystemCallError) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .current("open", path: directory) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .current("fsync", path: directory) }
    }

    /// Whether anything exists at `path` (without following a final symlink).
    package static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    private static func writeAll(_ fd: Int32, _ data: Data, path: String) throws(SystemCallError) {
        let failure: SystemCallError? = data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return .current("write", path: path)
                }
                offset += written
            }
            return nil
        }
        if let failure { throw failure }
    }

    /// How the temporary files of writes to a file named `name` begin: `.<name>.tmp-`.
    private static func temporaryPrefix(_ name: String) -> String { ".\(name).tmp-" }

    /// The directory (`.` when `path` has none) and the last component of `path`.
    private static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = slash == path.startIndex ? "/" : String(path[..<slash])
        return (directory, String(path[path.index(after: slash)...]))
    }
}
