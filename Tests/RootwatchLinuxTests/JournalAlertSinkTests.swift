import Foundation
import RootwatchCore
import RootwatchLinux
import RootwatchTestSupport
import Testing

/// The instant `text` (`YYYY-MM-DDThh:mm:ssZ`) names.
func utc(_ text: String) throws -> Date {
    try #require(Timestamp.parse(text))
}

/// Alerts written with the production sink and read back from a real journald (`scripts/with-journald`).
@Suite struct JournalAlertSinkTests {
    /// An alert with every optional fact set, a multi-line message and non-ASCII text.
    static func fullAlert(account: String) throws -> Alert {
        Alert(
            kind: .rootConsoleLogon, account: account, accountID: "1234567890123456",
            activityTime: try utc("2026-12-04T10:00:03Z"),
            detectedAt: try utc("2026-12-04T10:04:11Z"),
            window: "7d", source: .actiontrail, keySlot: "access_key_1", sourceIP: "203.0.113.7",
            userAgent: "Mozilla/5.0 (X11; Linux) «Büro» 控制台", mfaChecked: false,
            eventID: "ev-0001\twith tab", region: "cn-hangzhou", loginAccount: "ops@example.com",
            reportTime: try utc("2026-12-04T08:00:00Z"),
            message: "Root console logon on account \(account)\nsecond line: café 中文 ✓")
    }

    @Test(.enabled(if: JournalReader.isJournalAvailable, "no journald socket: run inside scripts/with-journald"))
    func everyFieldArrivesExactly() async throws {
        let account = "acct-\(UUID().uuidString)"
        let alert = try Self.fullAlert(account: account)
        try await JournalAlertSink().emit(alert)

        let entry = try await JournalReader.entry(where: "ROOTWATCH_ALERT_ID", is: alert.id)
        let expected: [String: String] = [
            "MESSAGE": "Root console logon on account \(account)\nsecond line: café 中文 ✓",
            "PRIORITY": "2",
            "MESSAGE_ID": "ef0c6e4d1267437a9931212df871bdba",
            "SYSLOG_IDENTIFIER": "rootwatchd",
            "ROOTWATCH_ALERT_ID": alert.id,
            "ROOTWATCH_KIND": "root-console-logon",
            "ROOTWATCH_SEVERITY": "critical",
            "ROOTWATCH_ACCOUNT": account,
            "ROOTWATCH_ACCOUNT_ID": "1234567890123456",
            "ROOTWATCH_ACTIVITY_TIME": "2026-12-04T10:00:03Z",
            "ROOTWATCH_DETECTED_AT": "2026-12-04T10:04:11Z",
            "ROOTWATCH_WINDOW": "7d",
            "ROOTWATCH_SOURCE": "actiontrail",
            "ROOTWATCH_KEY_SLOT": "access_key_1",
            "ROOTWATCH_SOURCE_IP": "203.0.113.7",
            "ROOTWATCH_USER_AGENT": "Mozilla/5.0 (X11; Linux) «Büro» 控制台",
            "ROOTWATCH_MFA_CHECKED": "false",
            "ROOTWATCH_EVENT_ID": "ev-0001\twith tab",
            "ROOTWATCH_REGION": "cn-hangzhou",
            "ROOTWATCH_LOGIN_ACCOUNT": "ops@example.com",
            "ROOTWATCH_REPORT_TIME": "2026-12-04T08:00:00Z",
        ]
        for (name, value) in expected {
            #expect(entry[name] == value, "\(name)")
        }
        let ours = entry.keys.filter { !$0.hasPrefix("_") && !$0.hasPrefix("__") }
        #expect(Set(ours) == Set(expected.keys), "no unexpected user fields")
        #expect(entry["_TRANSPORT"] == "journal", "sent with the native protocol")
    }

    @Test(
        .enabled(if: JournalReader.isJournalAvailable, "no journald socket: run inside scripts/with-journald"),
        arguments: FindingKind.allCases)
    func priorityAndMessageIDFollowTheKind(kind: FindingKind) async throws {
        let alert = Alert(
            kind: kind, account: "acct-\(UUID().uuidString)", accountID: nil,
            activityTime: try utc("2026-12-04T10:00:03Z"),
            detectedAt: try utc("2026-12-04T10:04:11Z"),
            window: "24h", source: .credentialReport, mfaChecked: true)
        try await JournalAlertSink().emit(alert)

        let entry = try await JournalReader.entry(where: "ROOTWATCH_ALERT_ID", is: alert.id)
        #expect(entry["PRIORITY"] == String(kind.journalPriority))
        #expect(entry["MESSAGE_ID"] == kind.messageID)
        #expect(entry["ROOTWATCH_KIND"] == kind.rawValue)
        #expect(entry["ROOTWATCH_SEVERITY"] == kind.severity.rawValue)
        #expect(entry["ROOTWATCH_SOURCE"] == "credential-report")
        #expect(entry["ROOTWATCH_MFA_CHECKED"] == "true")
        #expect(entry["MESSAGE"] == alert.message)
        for absent in [
            "ROOTWATCH_ACCOUNT_ID", "ROOTWATCH_KEY_SLOT", "ROOTWATCH_SOURCE_IP", "ROOTWATCH_USER_AGENT",
            "ROOTWATCH_EVENT_ID", "ROOTWATCH_REGION", "ROOTWATCH_LOGIN_ACCOUNT", "ROOTWATCH_REPORT_TIME",
        ] {
            #expect(entry[absent] == nil, "\(absent) is unknown and must be left out")
        }
    }

    /// Under `scripts/with-journald` a missing socket is a broken setup, not a reason to skip.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["ROOTWATCH_IN_JOURNAL_NS"] == "1"))
    func theJournalNamespaceHasAJournal() {
        #expect(JournalReader.isJournalAvailable)
        #expect(JournalAvailability.isAvailable())
    }

    @Test func fieldNamesAreValidJournalNames() throws {
        for (name, _) in JournalAlertSink.fields(for: try Self.fullAlert(account: "prod")) {
            #expect(JournalFieldName.isValid(name), "\(name)")
        }
    }

    @Test func aRejectedSendThrows() {
        // libsystemd refuses an entry without fields with -EINVAL; the writer must surface it.
        #expect(throws: SystemCallError("sd_journal_sendv", errno: EINVAL)) {
            try JournalWriter.send([])
        }
    }

    @Test func availabilityRequiresASocket() throws {
        let directory = try TemporaryDirectory()
        #expect(!JournalAvailability.isAvailable(socketPath: directory.file("missing")))
        _ = FileManager.default.createFile(atPath: directory.file("plain"), contents: Data())
        #expect(!JournalAvailability.isAvailable(socketPath: directory.file("plain")), "a regular file is no socket")
        let socketPath = directory.file("socket")
        let receiver = try DatagramReceiver(path: socketPath)
        #expect(JournalAvailability.isAvailable(socketPath: socketPath))
        _ = receiver
    }
}
