import Foundation

/// Reads entries back from the journal with `journalctl`, so journal tests assert what journald
/// actually stored instead of trusting `sd_journal_sendv`'s return code (testing.md trap 4).
package enum JournalReader {
    /// Whether a journald socket exists; journal tests are enabled only then (see `scripts/with-journald`).
    package static var isJournalAvailable: Bool {
        var info = stat()
        return stat("/run/systemd/journal/socket", &info) == 0 && info.st_mode & S_IFMT == S_IFSOCK
    }

    /// A journal entry not found in time.
    package struct NotFound: Error, CustomStringConvertible {
        package var match: String
        package var description: String { "no journal entry with \(match) appeared in time" }
    }

    /// The entries matching `field=value`, polled until at least `count` exist or `timeout` passes.
    ///
    /// Each poll first runs `journalctl --sync`, which makes journald write out everything it has
    /// received, then `journalctl -o json`. Values are decoded whether journalctl prints them as
    /// strings or, for binary data, as arrays of byte values.
    package static func entries(
        where field: String, is value: String, count: Int = 1, timeout: Duration = .seconds(10)
    ) async throws -> [[String: String]] {
        let match = "\(field)=\(value)"
        let deadline = ContinuousClock.now + timeout
        while true {
            _ = try await ChildProcess.output(["/usr/bin/journalctl", "--sync"], timeout: .seconds(10))
            let output = try await ChildProcess.output(
                ["/usr/bin/journalctl", "--no-pager", "-o", "json", match], timeout: .seconds(10))
            let entries = try parse(Data(output.stdout.utf8))
            if entries.count >= count { return entries }
            if ContinuousClock.now >= deadline { throw NotFound(match: match) }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The one entry matching `field=value`.
    package static func entry(where field: String, is value: String) async throws -> [String: String] {
        try await entries(where: field, is: value)[0]
    }

    /// Parses `journalctl -o json` output: one JSON object per line.
    package static func parse(_ data: Data) throws -> [[String: String]] {
        var entries: [[String: String]] = []
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { continue }
            var entry: [String: String] = [:]
            for (key, value) in object {
                if let text = value as? String {
                    entry[key] = text
                } else if let bytes = value as? [Int] {
                    entry[key] = String(decoding: bytes.map { UInt8(truncatingIfNeeded: $0) }, as: UTF8.self)
                }
            }
            entries.append(entry)
        }
        return entries
    }
}
