import Glibc
import RootwatchCore
import Synchronization

/// Writes log entries as single lines to standard error, for terminals and runs without a journal.
///
/// The format is `<level>: <message> key=value …`, e.g.
/// `error: account scan failed account=prod reason="throttled by IMS"`. Keys drop the `ROOTWATCH_`
/// prefix and are lower-cased (`ROOTWATCH_ACCOUNT` prints as `account`), sorted as printed, so lines are
/// stable for people and for tests. Values are quoted when they contain spaces, quotes, `=` or control
/// characters; newlines and tabs are escaped, so one entry is always one line.
///
/// No `<N>` sd-daemon priority prefixes: under systemd, bootstrap uses `JournalLogHandler` whenever
/// the journal socket exists, so this handler only ever feeds a person or a file, where prefixes are
/// noise. Each line is written with one `write(2)` loop under a lock, so concurrent entries never
/// interleave within a line.
package final class StderrLogHandler: LogHandler {
    /// Entries less severe than this are not written.
    package let minimumLevel: LogLevel
    private let fileDescriptor: Int32
    private let lock = Mutex(())

    /// A handler writing to `fileDescriptor` (standard error unless a test passes a pipe).
    package init(minimumLevel: LogLevel = .info, fileDescriptor: Int32 = STDERR_FILENO) {
        self.minimumLevel = minimumLevel
        self.fileDescriptor = fileDescriptor
    }

    package func log(_ entry: LogEntry) {
        guard entry.level >= minimumLevel else { return }
        let line = Array((Self.format(entry) + "\n").utf8)
        lock.withLock { _ in
            line.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return
                    }
                    offset += written
                }
            }
        }
    }

    /// The line for `entry`, without the trailing newline.
    package static func format(_ entry: LogEntry) -> String {
        var line = "\(name(of: entry.level)): \(escaped(entry.message))"
        let fields = entry.fields.map { (key: displayKey($0.key), value: $0.value) }
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(quotedIfNeeded(value))"
        }
        return line
    }

    /// The level's lower-case name as journalctl and syslog spell it.
    package static func name(of level: LogLevel) -> String {
        switch level {
        case .error: "error"
        case .warning: "warning"
        case .notice: "notice"
        case .info: "info"
        case .debug: "debug"
        }
    }

    private static func displayKey(_ key: String) -> String {
        let short = key.hasPrefix("ROOTWATCH_") ? String(key.dropFirst("ROOTWATCH_".count)) : key
        return short.lowercased()
    }

    private static func quotedIfNeeded(_ value: String) -> String {
        let needsQuotes =
            value.isEmpty
            || value.unicodeScalars.contains {
                $0 == " " || $0 == "\"" || $0 == "=" || $0.value < 0x20 || $0.value == 0x7f
            }
        guard needsQuotes else { return value }
        return "\"" + escaped(value, quotes: true) + "\""
    }

    /// `text` with backslashes, newlines, carriage returns, tabs and other control characters escaped
    /// (and double quotes, inside a quoted value).
    private static func escaped(_ text: String, quotes: Bool = false) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"" where quotes: out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                out += "\\x" + String(scalar.value, radix: 16, uppercase: false).leftPadded(to: 2)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
