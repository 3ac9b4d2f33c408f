import Foundation
import RootwatchLinux
import RootwatchTestSupport
import Synchronization
import Testing

/// A stand-in for the state model: some fields, a date, and optional padding to make files large.
struct SampleState: Codable, Sendable, Equatable {
    var version = 1
    var sequence: Int
    var lastScan: Date
    var accounts: [String: String]
    var padding = ""
}

/// Real files in a temporary directory: atomic replacement, mode, corrupt files moved aside.
@Suite struct StateFileTests {
    let directory: TemporaryDirectory
    let file: StateFile<SampleState>

    init() throws {
        directory = try TemporaryDirectory()
        file = StateFile<SampleState>(directory: directory.path)
    }

    static func sample(_ sequence: Int) throws -> SampleState {
        SampleState(
            sequence: sequence, lastScan: try utc("2026-12-04T10:00:03Z"), accounts: ["prod": "ok", "dev": "失败"])
    }

    @Test func roundTripWithMode0600AndNoTemporaryFilesLeft() async throws {
        #expect(file.path == directory.file("state.json"))
        try await file.write(try Self.sample(1))
        try await file.write(try Self.sample(2))

        #expect(await file.read().payload == (try Self.sample(2)))
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try directory.contents() == ["state.json"])
        let text = try String(contentsOfFile: file.path, encoding: .utf8)
        #expect(text.contains("\"lastScan\" : \"2026-12-04T10:00:03Z\""), "dates are readable UTC timestamps")
    }

    @Test func aMissingFileIsAFirstStart() async throws {
        guard case .missing = await file.read() else {
            Issue.record("expected .missing")
            return
        }
        #expect(try directory.contents().isEmpty)
    }

    @Test func aCorruptFileIsMovedAsideWithItsContent() async throws {
        let garbage = Data("{\"version\": 1, \"sequence\": tru".utf8)
        try garbage.write(to: URL(fileURLWithPath: file.path))
        let now = try utc("2026-12-04T10:00:03Z")

        guard case .corrupt(let report) = await file.read(now: now) else {
            Issue.record("expected .corrupt")
            return
        }
        #expect(report.path == file.path)
        #expect(report.movedTo == directory.file("state.json.corrupt-20261204T100003Z"))
        #expect(report.reason.hasPrefix("not valid state"))
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: directory.file("state.json.corrupt-20261204T100003Z"))) == garbage
        )
        #expect(try directory.contents() == ["state.json.corrupt-20261204T100003Z"])

        // The daemon continues from empty state; a second corruption in the same second keeps the first.
        try Data("[]".utf8).write(to: URL(fileURLWithPath: file.path))
        guard case .corrupt(let second) = await file.read(now: now) else {
            Issue.record("expected .corrupt")
            return
        }
        #expect(second.movedTo == directory.file("state.json.corrupt-20261204T100003Z.1"))
        #expect(await file.read().payload == nil)
        try await file.write(try Self.sample(3))
        #expect(await file.read().payload == (try Self.sample(3)))
    }

    @Test func anUnreadableFileIsMovedAsideToo() async throws {
        // A directory in place of the file: open succeeds, read fails with EISDIR (even for root).
        try FileManager.default.createDirectory(atPath: file.path, withIntermediateDirectories: false)
        guard case .corrupt(let report) = await file.read(now: try utc("2026-01-02T03:04:05Z")) else {
            Issue.record("expected .corrupt")
            return
        }
        #expect(report.reason.hasPrefix("unreadable: read \(file.path)"))
        #expect(report.movedTo == directory.file("state.json.corrupt-20260102T030405Z"))
        #expect(try directory.contents() == ["state.json.corrupt-20260102T030405Z"])
    }

    @Test func writingIntoAMissingDirectoryThrows() async throws {
        let missing = StateFile<SampleState>(directory: directory.file("absent"))
        await #expect(throws: SystemCallError.self) { try await missing.write(try Self.sample(1)) }
    }

    /// A reader polling while 200 large writes replace the file must only ever see complete states.
    @Test func aConcurrentReaderNeverSeesAPartialFile() async throws {
        let writer = StateFile<SampleState>(directory: directory.path, io: BlockingIO(label: "test.writer"))
        let padding = String(repeating: "0123456789abcdef", count: 16 * 1024)  // 256 KiB per file
        try await writer.write(
            SampleState(sequence: 0, lastScan: Date(timeIntervalSince1970: 0), accounts: [:], padding: padding))
        let done = StopFlag()
        let path = writer.path
        async let reads = BlockingIO(label: "test.reader").run { () -> (reads: Int, bad: [String]) in
            var reads = 0
            var bad: [String] = []
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            while !done.isSet {
                do {
                    guard let data = try AtomicFile.read(path) else {
                        bad.append("file missing")
                        continue
                    }
                    let state = try decoder.decode(SampleState.self, from: data)
                    if state.padding.count != padding.count { bad.append("short padding") }
                    reads += 1
                } catch {
                    bad.append("\(error)")
                }
            }
            return (reads, bad)
        }
        for sequence in 1...200 {
            try await writer.write(
                SampleState(
                    sequence: sequence, lastScan: Date(timeIntervalSince1970: 0), accounts: [:], padding: padding))
        }
        done.set()
        let result = await reads
        #expect(result.bad.isEmpty, "\(result.bad.prefix(3))")
        #expect(result.reads > 0)
        #expect(await writer.read().payload?.sequence == 200)
        #expect(try directory.contents() == ["state.json"])
    }

    /// A writer killed between creating and renaming its temporary file leaves it behind; the next
    /// holder of the lock removes exactly those files, and the state file itself is untouched.
    @Test func leftoverTemporaryFilesOfKilledWritesAreRemoved() async throws {
        try await file.write(try Self.sample(7))
        let leftovers = [".state.json.tmp-4242-1", ".state.json.tmp-4243-987654321"]
        for name in leftovers {
            try Data("{\"version\": 1, \"seq".utf8).write(to: URL(fileURLWithPath: directory.file(name)))
        }
        let others = ["state.json.corrupt-20261204T100003Z", ".other.json.tmp-1-2", "lock", "notes.tmp-1"]
        for name in others {
            try Data("keep".utf8).write(to: URL(fileURLWithPath: directory.file(name)))
        }

        #expect(try await file.removeLeftoverTemporaryFiles() == leftovers)
        #expect(try directory.contents() == (others + ["state.json"]).sorted())
        #expect(await file.read().payload == (try Self.sample(7)))
        #expect(try await file.removeLeftoverTemporaryFiles() == [], "nothing left the second time")
    }
}

/// A flag one thread sets and another polls.
final class StopFlag: Sendable {
    private let value = Atomic(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}

@Suite struct StateFileReadOnlyTests {
    @Test func aReadOnlyReaderLeavesACorruptFileInPlace() async throws {
        let directory = try TemporaryDirectory()
        let file = StateFile<[String: Int]>(directory: directory.path)
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: file.path))
        guard case .corrupt(let corruption) = await file.read(moveAside: false) else {
            Issue.record("expected a corrupt read")
            return
        }
        #expect(corruption.movedTo == nil)
        #expect(corruption.description.hasSuffix("left in place"))
        #expect(FileManager.default.fileExists(atPath: file.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["state.json"])
    }
}
