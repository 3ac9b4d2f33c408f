import RootwatchCore

/// Writes each alert as one structured journal entry (product.md §4, "Journal").
///
/// The entry carries the kind's `PRIORITY` and `MESSAGE_ID`, so `journalctl -p crit` and
/// `journalctl MESSAGE_ID=…` find alerts, and one `ROOTWATCH_*` field per fact, so scripts never parse
/// the sentence in `MESSAGE`. The send runs on its own `BlockingIO` queue: journald reads its socket
/// promptly, but a stalled journald must stall only this sink, never the cooperative pool.
/// `emit` returns once libsystemd has handed the entry to the socket; whether a journald is there at
/// all is `JournalAvailability`'s question, asked once by bootstrap.
package struct JournalAlertSink: AlertSink {
    /// `SYSLOG_IDENTIFIER` of every rootwatchd entry, so `journalctl -t rootwatchd` finds them without a unit.
    package static let syslogIdentifier = "rootwatchd"

    private let io: BlockingIO

    package init(io: BlockingIO = BlockingIO(label: "rootwatchd.journal")) {
        self.io = io
    }

    package func emit(_ alert: Alert) async throws {
        let fields = Self.fields(for: alert)
        try await io.run { () throws -> Void in try JournalWriter.send(fields) }
    }

    /// The journal fields of `alert`, in a stable order; optional facts appear only when known.
    package static func fields(for alert: Alert) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = [
            ("MESSAGE", alert.message),
            ("PRIORITY", String(alert.kind.journalPriority)),
            ("MESSAGE_ID", alert.kind.messageID),
            ("SYSLOG_IDENTIFIER", syslogIdentifier),
            ("ROOTWATCH_ALERT_ID", alert.id),
            ("ROOTWATCH_KIND", alert.kind.rawValue),
            ("ROOTWATCH_SEVERITY", alert.severity.rawValue),
            ("ROOTWATCH_ACCOUNT", alert.account),
            ("ROOTWATCH_ACTIVITY_TIME", Timestamp.format(alert.activityTime)),
            ("ROOTWATCH_DETECTED_AT", Timestamp.format(alert.detectedAt)),
            ("ROOTWATCH_WINDOW", alert.window),
            ("ROOTWATCH_SOURCE", alert.source.rawValue),
        ]
        let optional: [(String, String?)] = [
            ("ROOTWATCH_ACCOUNT_ID", alert.accountID),
            ("ROOTWATCH_KEY_SLOT", alert.keySlot),
            ("ROOTWATCH_SOURCE_IP", alert.sourceIP),
            ("ROOTWATCH_USER_AGENT", alert.userAgent),
            ("ROOTWATCH_MFA_CHECKED", alert.mfaChecked.map { $0 ? "true" : "false" }),
            ("ROOTWATCH_EVENT_ID", alert.eventID),
            ("ROOTWATCH_REGION", alert.region),
            ("ROOTWATCH_LOGIN_ACCOUNT", alert.loginAccount),
            ("ROOTWATCH_REPORT_TIME", alert.reportTime.map(Timestamp.format)),
        ]
        for case (let name, let value?) in optional {
            fields.append((name, value))
        }
        return fields
    }
}
