import FoundationEssentials
import RootwatchCore

/// The daemon's durable state at `<state directory>/state.json`: written atomically, read safely.
///
/// Generic over the payload so the state model stays a plain `Codable` value in Core and this type owns
/// only the file discipline: `write` encodes, then `AtomicFile.write`s (temp file in the same directory,
/// mode 0600, fsync, rename, fsync the directory). `read` never throws and never crashes on bad data: a
/// file that cannot be read or decoded is moved aside to `state.json.corrupt-<YYYYMMDDThhmmssZ>` and
/// reported, so the caller logs it and continues from empty state instead of failing in a restart loop
/// (product.md §5). All file work runs on a `BlockingIO` queue, never on the cooperative pool.
///
/// The default coding is JSON with sorted keys, pretty-printed so an operator can read it, and dates as
/// `YYYY-MM-DDThh:mm:ssZ` (whole seconds, like every time in the contract); pass `encode`/`decode` to
/// change that.
package struct StateFile<Payload: Codable & Sendable>: Sendable {
    /// The state directory (`$STATE_DIRECTORY`).
    package let directory: String
    /// The full path of the state file.
    package let path: String
    private let io: BlockingIO
    private let encode: @Sendable (Payload) throws -> Data
    private let decode: @Sendable (Data) throws -> Payload

    package init(
        directory: String,
        fileName: String = "state.json",
        io: BlockingIO = .shared,
        encode: (@Sendable (Payload) throws -> Data)? = nil,
        decode: (@Sendable (Data) throws -> Payload)? = nil
    ) {
        self.directory = directory
        self.path = directory.hasSuffix("/") ? directory + fileName : "\(directory)/\(fileName)"
        self.io = io
        self.encode =
            encode ?? { payload in
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                encoder.dateEncodingStrategy = .iso8601
                return try encoder.encode(payload)
            }
        self.decode =
            decode ?? { data in
                let decoder = JSONDecoder()
                decoder.dateDecodingStrategy = .iso8601
                return try decoder.decode(Payload.self, from: data)
            }
    }

    /// Encodes `payload` and replaces the state file with it durably; returns once the rename is on disk.
    package func write(_ payload: Payload) async throws {
        let data = try encode(payload)
        let path = path
        try await io.run { () throws -> Void in try AtomicFile.write(data, to: path, mode: 0o600) }
    }

    /// Removes temporary files that writes killed mid-way (`kill -9`, a crash, power loss) left in the
    /// directory, so they do not pile up over the daemon's life; returns the names removed. Call it only
    /// while holding the state directory lock, when no other writer can be mid-write.
    package func removeLeftoverTemporaryFiles() async throws -> [String] {
        let path = path
        return try await io.run { () throws -> [String] in try AtomicFile.removeLeftovers(of: path) }
    }

    /// Reads and decodes the state file. `now` names a corrupt file moved aside; readers that must not
    /// change anything (`status`, `check --no-alerts`) pass `moveAside: false` and leave it in place.
    package func read(now: Date = Date(), moveAside: Bool = true) async -> StateFileRead<Payload> {
        let path = path
        let contents: Result<Data?, SystemCallError> = await io.run {
            Result { () throws(SystemCallError) in try AtomicFile.read(path) }
        }
        let reason: String
        switch contents {
        case .success(nil):
            return .missing
        case .success(let data?):
            do {
                return .loaded(try decode(data))
            } catch {
                reason = "not valid state: \(error)"
            }
        case .failure(let error):
            reason = "unreadable: \(error)"
        }
        guard moveAside else {
            return .corrupt(StateFileCorruption(path: path, reason: reason, movedTo: nil, moveError: nil))
        }
        return .corrupt(await self.moveAside(reason: reason, now: now))
    }

    /// Moves the state file to a free `state.json.corrupt-<time>[.N]` name and says what happened.
    private func moveAside(reason: String, now: Date) async -> StateFileCorruption {
        let path = path
        let stamp = Timestamp.format(now).filter { $0 != "-" && $0 != ":" }
        let base = "\(path).corrupt-\(stamp)"
        return await io.run {
            var target = base
            var attempt = 1
            while AtomicFile.exists(target) {
                target = "\(base).\(attempt)"
                attempt += 1
            }
            do throws(SystemCallError) {
                try AtomicFile.move(path, to: target)
                return StateFileCorruption(path: path, reason: reason, movedTo: target, moveError: nil)
            } catch {
                return StateFileCorruption(path: path, reason: reason, movedTo: nil, moveError: error.description)
            }
        }
    }
}

/// What `StateFile.read` found.
package enum StateFileRead<Payload: Sendable>: Sendable {
    /// No state file: a first start.
    case missing
    case loaded(Payload)
    /// The file could not be read or decoded; continue from empty state and log the report.
    case corrupt(StateFileCorruption)

    /// The payload when one was loaded.
    package var payload: Payload? {
        if case .loaded(let payload) = self { return payload }
        return nil
    }
}

/// A state file that could not be used, and where it went.
package struct StateFileCorruption: Sendable, Equatable, CustomStringConvertible {
    /// The state file's path.
    package var path: String
    /// Why it could not be used (the read or decode error).
    package var reason: String
    /// Where it was moved; nil when moving it failed too.
    package var movedTo: String?
    /// Why moving it aside failed, when it did. The next successful write replaces the file anyway.
    package var moveError: String?

    package var description: String {
        if let movedTo { return "\(path) is \(reason); moved aside to \(movedTo), starting from empty state" }
        if let moveError {
            return "\(path) is \(reason); could not move it aside (\(moveError)), starting from empty state"
        }
        return "\(path) is \(reason); left in place"
    }
}
