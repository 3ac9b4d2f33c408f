import FoundationEssentials
import Glibc
import RootwatchLinux

/// Everything rootwatchd reads from its surroundings, read in one place: environment variables,
/// default paths, whether a journal and a terminal are there.
struct Environment: Sendable {
    static let defaultConfigPath = "/etc/rootwatchd/rootwatchd.conf"
    static let defaultStateDirectory = "/var/lib/rootwatchd"

    let variables: [String: String]
    let configPath: String
    let stateDirectory: String
    let journalAvailable: Bool
    let stderrIsTerminal: Bool
    let stdoutIsTerminal: Bool
    /// stderr is connected to the journal (systemd sets `JOURNAL_STREAM` to its device and inode).
    let stderrIsJournal: Bool

    init(options: CommandLineOptions, variables: [String: String] = ProcessInfo.processInfo.environment) {
        self.variables = variables
        configPath = options.configPath ?? Self.defaultConfigPath
        // systemd passes StateDirectory= as $STATE_DIRECTORY (a colon-separated list if several).
        let fromSystemd = variables["STATE_DIRECTORY"]?.split(separator: ":").first.map(String.init)
        stateDirectory = options.stateDirectory ?? fromSystemd ?? Self.defaultStateDirectory
        journalAvailable = JournalAvailability.isAvailable()
        stderrIsTerminal = isatty(STDERR_FILENO) == 1
        stdoutIsTerminal = isatty(STDOUT_FILENO) == 1
        stderrIsJournal = Self.isJournalStream(variables["JOURNAL_STREAM"], fileDescriptor: STDERR_FILENO)
    }

    /// True when `fileDescriptor` is the stream `JOURNAL_STREAM` (`DEVICE:INODE`) names.
    static func isJournalStream(_ value: String?, fileDescriptor: Int32) -> Bool {
        guard let value, let colon = value.firstIndex(of: ":"),
            let device = UInt64(value[..<colon]), let inode = UInt64(value[value.index(after: colon)...])
        else { return false }
        var info = stat()
        guard fstat(fileDescriptor, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }

    /// The host name, for webhook payloads.
    var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Writes one line to stderr (the `stderr` global is not usable under Swift 6 concurrency checking).
func printError(_ line: String, newline: Bool = true) {
    let bytes = Array((newline ? line + "\n" : line).utf8)
    bytes.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
            if written <= 0 { return }
            offset += written
        }
    }
}
