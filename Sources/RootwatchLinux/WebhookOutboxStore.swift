import FoundationEssentials
import Glibc
import RootwatchCore

/// The outbox directory on disk: one file per (alert, webhook) in `outbox/`, given-up deliveries in
/// `outbox/dead/` (product.md §5). Every change is durable before the call returns — files are
/// written with `AtomicFile` (temporary, fsync, rename, fsync the directory) and removals fsync the
/// directory — and all file work runs on the store's own `BlockingIO` queue, never on the pool.
package struct WebhookOutboxStore: Sendable {
    /// `<state directory>/outbox`.
    package let directory: String
    /// `<state directory>/outbox/dead`.
    package let deadDirectory: String
    private let io: BlockingIO

    package init(stateDirectory: String, io: BlockingIO = BlockingIO(label: "rootwatchd.outbox")) {
        directory = (stateDirectory.hasSuffix("/") ? stateDirectory : stateDirectory + "/") + "outbox"
        deadDirectory = directory + "/dead"
        self.io = io
    }

    /// Writes `entry` unless a file for the same alert and webhook is already pending or dead;
    /// returns whether it wrote one. Creates the directories (0700) on first use.
    package func add(_ entry: OutboxEntry) async throws -> Bool {
        let data = try entry.encoded()
        let (directory, deadDirectory, name) = (directory, deadDirectory, entry.fileName)
        return try await io.run { () throws -> Bool in
            try Self.ensureDirectories(directory, deadDirectory)
            if AtomicFile.exists("\(directory)/\(name)") || AtomicFile.exists("\(deadDirectory)/\(name)") {
                return false
            }
            try AtomicFile.write(data, to: "\(directory)/\(name)", mode: 0o600)
            return true
        }
    }

    /// The names of pending files, optionally only those for `webhook`, sorted.
    package func pendingNames(webhook: String? = nil) async throws -> [String] {
        let directory = directory
        let names = try await io.run { () throws -> [String] in try Self.list(directory) }
        return names.filter { name in
            guard let owner = OutboxEntry.webhook(inFileName: name) else { return false }
            return webhook.map { $0 == owner } ?? true
        }
    }

    /// A pending file's entry; nil when the file is gone. Throws when it cannot be read or decoded.
    package func read(_ name: String) async throws -> OutboxEntry? {
        let path = "\(directory)/\(name)"
        guard let data = try await io.run({ () throws -> Data? in try AtomicFile.read(path) }) else { return nil }
        return try OutboxEntry.decode(data)
    }

    /// Whether a dead letter exists for `name` (a crash between writing it and removing the pending file).
    package func isDead(_ name: String) async -> Bool {
        let path = "\(deadDirectory)/\(name)"
        return await io.run { AtomicFile.exists(path) }
    }

    /// Replaces a pending file with `entry` (its new schedule and last error).
    package func rewrite(_ entry: OutboxEntry) async throws {
        let data = try entry.encoded()
        let path = "\(directory)/\(entry.fileName)"
        try await io.run { () throws -> Void in try AtomicFile.write(data, to: path, mode: 0o600) }
    }

    /// Removes a pending file durably (a delivered alert).
    package func remove(_ name: String) async throws {
        let directory = directory
        try await io.run { () throws -> Void in try Self.unlinkDurably(name, in: directory) }
    }

    /// Moves a delivery to `outbox/dead/`: the dead letter (with its reason) is written first, then the
    /// pending file removed, so a crash in between leaves both and never neither.
    package func deadLetter(_ entry: OutboxEntry) async throws {
        let data = try entry.encoded()
        let (directory, deadDirectory, name) = (directory, deadDirectory, entry.fileName)
        try await io.run { () throws -> Void in
            try Self.ensureDirectories(directory, deadDirectory)
            try AtomicFile.write(data, to: "\(deadDirectory)/\(name)", mode: 0o600)
            try Self.unlinkDurably(name, in: directory)
        }
    }

    /// Every readable entry, pending and dead, for `status`; unreadable files are skipped.
    package func snapshot() async -> (pending: [OutboxEntry], dead: [OutboxEntry]) {
        let (directory, deadDirectory) = (directory, deadDirectory)
        return await io.run {
            func entries(_ directory: String) -> [OutboxEntry] {
                let names = (try? Self.list(directory)) ?? []
                return names.filter { OutboxEntry.webhook(inFileName: $0) != nil }.compactMap { name in
                    guard let data = try? AtomicFile.read("\(directory)/\(name)") else { return nil }
                    return try? OutboxEntry.decode(data)
                }
            }
            return (entries(directory), entries(deadDirectory))
        }
    }

    /// Creates `outbox/` and `outbox/dead/` when missing, fsyncing each parent so they persist.
    private static func ensureDirectories(_ directories: String...) throws(SystemCallError) {
        for directory in directories {
            if mkdir(directory, 0o700) == 0 {
                try AtomicFile.syncDirectory(String(directory[..<directory.lastIndex(of: "/")!]))
            } else if errno != EEXIST {
                throw .current("mkdir", path: directory)
            }
        }
    }

    private static func unlinkDurably(_ name: String, in directory: String) throws(SystemCallError) {
        if unlink("\(directory)/\(name)") != 0 && errno != ENOENT {
            throw .current("unlink", path: "\(directory)/\(name)")
        }
        try AtomicFile.syncDirectory(directory)
    }

    /// The names in `directory` (no `.` and `..`), sorted; empty when it does not exist.
    private static func list(_ directory: String) throws(SystemCallError) -> [String] {
        guard let handle = opendir(directory) else {
            if errno == ENOENT { return [] }
            throw .current("opendir", path: directory)
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple.pointee)) {
                    String(cString: $0)
                }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}
