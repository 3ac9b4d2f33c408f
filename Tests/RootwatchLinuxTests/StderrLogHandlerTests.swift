import Foundation
import RootwatchCore
import RootwatchLinux
import Testing

/// The terminal log format, written through a pipe the way it reaches a terminal.
@Suite struct StderrLogHandlerTests {
    @Test func writesOneLinePerEntryAtOrAboveTheMinimumLevel() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer {
            close(fds[0])
            close(fds[1])
        }
        let logger = Logger(handler: StderrLogHandler(minimumLevel: .notice, fileDescriptor: fds[1]))
        logger.error("account scan failed", ["ROOTWATCH_ACCOUNT": "prod", "reason": "throttled by IMS"])
        logger.info("scan started", ["ROOTWATCH_ACCOUNT": "prod"])
        logger.notice("reloaded")

        _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(fds[0], &buffer, buffer.count)
        let text = String(decoding: buffer[0..<max(0, count)], as: UTF8.self)
        #expect(text == "error: account scan failed account=prod reason=\"throttled by IMS\"\nnotice: reloaded\n")
    }

    /// Values stay on one line and stay parseable.
    @Test(arguments: [
        ("plain", "k=plain"),
        ("two words", "k=\"two words\""),
        ("a\nb", "k=\"a\\nb\""),
        ("say \"hi\"", "k=\"say \\\"hi\\\"\""),
        ("x=y", "k=\"x=y\""),
        ("", "k=\"\""),
        ("tab\there", "k=\"tab\\there\""),
        ("bell\u{07}", "k=\"bell\\x07\""),
        ("café", "k=café"),
    ])
    func valueQuoting(value: String, expected: String) {
        #expect(
            StderrLogHandler.format(LogEntry(level: .info, message: "m", fields: ["k": value])) == "info: m \(expected)"
        )
    }

    @Test func messageNewlinesAreEscapedAndKeysShortened() {
        let entry = LogEntry(
            level: .warning, message: "line one\nline two",
            fields: ["ROOTWATCH_KIND": "test", "MESSAGE_ID": "abc", "ROOTWATCH_ACCOUNT": "prod"])
        #expect(
            StderrLogHandler.format(entry) == "warning: line one\\nline two account=prod kind=test message_id=abc")
    }
}
