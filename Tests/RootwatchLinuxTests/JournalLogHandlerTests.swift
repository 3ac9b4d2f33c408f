import Foundation
import RootwatchCore
import RootwatchLinux
import RootwatchTestSupport
import Testing

/// Operational logs through the production handler, read back from a real journald.
@Suite struct JournalLogHandlerTests {
    @Test(.enabled(if: JournalReader.isJournalAvailable, "no journald socket: run inside scripts/with-journald"))
    func logEntriesArriveWithPriorityIdentifierAndFields() async throws {
        let marker = UUID().uuidString
        let logger = Logger(handler: JournalLogHandler(), metadata: ["ROOTWATCH_ACCOUNT": "prod"])
        logger.error(
            "account scan failed",
            [
                "ROOTWATCH_TEST_MARKER": marker,
                "MESSAGE_ID": scanLifecycleMessageID,
                "scan.reason": "throttled\nby IMS",
                "PRIORITY": "0",
                "SYSLOG_IDENTIFIER": "impostor",
                "MESSAGE": "overridden",
            ])

        let entry = try await JournalReader.entry(where: "ROOTWATCH_TEST_MARKER", is: marker)
        #expect(entry["MESSAGE"] == "account scan failed")
        #expect(entry["PRIORITY"] == "3", "the level decides, not metadata")
        #expect(entry["SYSLOG_IDENTIFIER"] == "rootwatchd")
        #expect(entry["MESSAGE_ID"] == scanLifecycleMessageID)
        #expect(entry["ROOTWATCH_ACCOUNT"] == "prod")
        #expect(entry["SCAN_REASON"] == "throttled\nby IMS", "dotted keys are sanitized, not dropped")
    }

    @Test(.enabled(if: JournalReader.isJournalAvailable, "no journald socket: run inside scripts/with-journald"))
    func entriesBelowTheMinimumLevelAreNotSent() async throws {
        let marker = UUID().uuidString
        let logger = Logger(handler: JournalLogHandler(minimumLevel: .info))
        logger.debug("debug detail", ["ROOTWATCH_TEST_MARKER": marker])
        logger.notice("scan finished", ["ROOTWATCH_TEST_MARKER": marker])

        // Both datagrams travel the same socket in order: once the notice is stored, a sent debug entry
        // would be too.
        let entries = try await JournalReader.entries(where: "ROOTWATCH_TEST_MARKER", is: marker)
        #expect(entries.map { $0["MESSAGE"] } == ["scan finished"])
        #expect(entries.first?["PRIORITY"] == "5")
    }

    /// Journal field names: upper-case letters, digits and `_`, not starting with `_` or a digit, ≤ 64.
    @Test(arguments: [
        ("ROOTWATCH_ACCOUNT", "ROOTWATCH_ACCOUNT"),
        ("scan.duration", "SCAN_DURATION"),
        ("http-status", "HTTP_STATUS"),
        ("_PID", "PID"),  // trusted fields are journald's, never the caller's
        ("__CURSOR", "CURSOR"),
        ("2fa", "FA"),
        ("Größe", "GR__E"),
        ("...", nil),
        ("", nil),
        (String(repeating: "A", count: 80), String(repeating: "A", count: 64)),
    ])
    func sanitizedFieldName(name: String, expected: String?) {
        #expect(JournalFieldName.sanitized(name) == expected)
    }

    @Test func ownedFieldsComeFirstAndMetadataIsSorted() {
        let fields = JournalLogHandler.fields(
            for: LogEntry(
                level: .warning, message: "cell unreadable", fields: ["b.key": "2", "A_KEY": "1", "b_key": "3"]))
        #expect(fields.map(\.name) == ["MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "A_KEY", "B_KEY"])
        #expect(fields.map(\.value) == ["cell unreadable", "4", "rootwatchd", "1", "2"])
    }
}
