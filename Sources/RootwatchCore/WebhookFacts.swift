/// The facts every webhook format shows about one alert, in words, before any format's markup.
///
/// One source keeps the six chat formats saying the same thing: what happened, on which account,
/// when, the sign-in details when known, the window, where it was seen, what to do, and the alert id
/// and host so a person can find the journal entry. Values are plain text and not yet escaped; each
/// format makes them inert in its own markup. Every value is cut to `maxValueBytes`, so a huge user
/// agent cannot push a payload over a platform's size limit.
package struct WebhookFacts: Sendable {
    /// A short, readable name of the finding kind (`Root console logon`).
    package var headline: String
    /// A sign of the severity for chat titles.
    package var emoji: String
    /// The configured account name, cut to the value budget.
    package var account: String
    /// The alert's readable sentence.
    package var summary: String
    /// Label and value pairs, only those known for this alert.
    package var facts: [(label: String, value: String)]
    /// What the reader should do, one step per entry.
    package var advice: [String]
    /// `rootwatchd 0.1.0 on HOST · alert id ID`.
    package var footer: String
    package var alertID: String
    package var severity: Severity

    /// The facts of `alert`, with every value cut to `maxValueBytes` UTF-8 bytes.
    package init(alert: Alert, context: WebhookContext, maxValueBytes: Int = 512) {
        let cut = { (text: String) in WebhookText.truncated(text, maxBytes: maxValueBytes) }
        let account = cut(alert.account)
        headline = Self.headline(alert.kind)
        emoji = Self.emoji(alert.severity)
        self.account = account
        summary = WebhookText.truncated(alert.message, maxBytes: maxValueBytes * 2)
        alertID = alert.id
        severity = alert.severity
        footer = "rootwatchd \(context.version) on \(cut(context.host)) · alert id \(alert.id)"
        advice = Self.advice(alert.kind, account: account, keySlot: alert.keySlot.map(cut))

        var facts: [(label: String, value: String)] = []
        facts.append(("Account", "\(account) (\(alert.accountID.map(cut) ?? "account ID unknown"))"))
        facts.append(("Severity", alert.severity.rawValue))
        facts.append((Self.timeLabel(alert.kind), Timestamp.format(alert.activityTime)))
        if let value = alert.sourceIP { facts.append(("Source IP", cut(value))) }
        if let value = alert.userAgent { facts.append(("User agent", cut(value))) }
        if let value = alert.mfaChecked { facts.append(("MFA at sign-in", value ? "yes" : "no")) }
        if let value = alert.keySlot { facts.append(("Key slot", cut(value))) }
        if let value = alert.eventID { facts.append(("Event ID", cut(value))) }
        if let value = alert.region { facts.append(("Region", cut(value))) }
        if let value = alert.reportTime { facts.append(("Report time (UTC)", Timestamp.format(value))) }
        facts.append(("Window", cut(alert.window)))
        facts.append(("Seen in", Self.sourceWords(alert.source)))
        facts.append(("Detected (UTC)", Timestamp.format(alert.detectedAt)))
        self.facts = facts
    }

    /// `[rootwatchd] Root console logon on prod`: the notification line, with the account name passed
    /// through `escape` (the only user-derived part). Contains the word `rootwatchd`, which DingTalk
    /// and Lark keyword security can require.
    package func title(escape: (String) -> String = { $0 }) -> String {
        "[rootwatchd] \(headline) on \(escape(account))"
    }

    private static func headline(_ kind: FindingKind) -> String {
        switch kind {
        case .rootConsoleLogon: "Root console logon"
        case .rootAccessKeyUsed: "Root AccessKey used"
        case .rootMFADisabled: "Root account without MFA"
        case .rootAccessKeyActive: "Root AccessKey active"
        case .accountStale: "Account not scanned"
        case .accountRecovered: "Account scanned again"
        case .test: "Test alert"
        }
    }

    private static func emoji(_ severity: Severity) -> String {
        switch severity {
        case .critical: "🚨"
        case .warning: "⚠️"
        case .notice: "✅"
        case .info: "ℹ️"
        }
    }

    private static func timeLabel(_ kind: FindingKind) -> String {
        switch kind {
        case .rootConsoleLogon: "Logon time (UTC)"
        case .rootAccessKeyUsed: "Last used (UTC)"
        case .rootMFADisabled, .rootAccessKeyActive: "Seen in report of (UTC)"
        case .accountStale: "Stale since (UTC)"
        case .accountRecovered: "Recovered at (UTC)"
        case .test: "Sent at (UTC)"
        }
    }

    private static func sourceWords(_ source: AlertSource) -> String {
        switch source {
        case .credentialReport: "credential report"
        case .actiontrail: "ActionTrail"
        case .test: "rootwatchd test-alert"
        }
    }

    /// The steps a security team takes for each kind, short enough for a phone screen.
    private static func advice(_ kind: FindingKind, account: String, keySlot: String?) -> [String] {
        switch kind {
        case .rootConsoleLogon:
            [
                "Confirm with the owner of the root account that this sign-in was theirs.",
                "Review ActionTrail for what the root account did in this session.",
                "If it was not expected: change the root password now and review the account's AccessKeys.",
                "Bind an MFA device to the root account and use RAM users for daily work.",
            ]
        case .rootAccessKeyUsed:
            [
                "Find who or what holds the root AccessKey in \(keySlot ?? "this slot") (scripts, CI, servers).",
                "Review ActionTrail for the calls made with it.",
                "Give that workload a RAM user or role with only the permissions it needs.",
                "Then disable and delete the root AccessKey.",
            ]
        case .rootMFADisabled:
            [
                "Bind an MFA device to the root account (Account Center, Security Settings).",
                "If MFA was removed recently, find out who did it in ActionTrail.",
            ]
        case .rootAccessKeyActive:
            [
                "Delete the root AccessKey in \(keySlot ?? "this slot"): the root account should have none.",
                "Move any program that still uses it to a RAM user or role first.",
            ]
        case .accountStale:
            [
                "Read the scan errors: journalctl -u rootwatchd ROOTWATCH_ACCOUNT=\(account)",
                "Check the credentials (disabled or expired AccessKey, role trust policy), the network path to "
                    + "the Alibaba Cloud endpoints, and the permissions for the credential report.",
                "Until scans succeed, root use on this account goes unnoticed.",
            ]
        case .accountRecovered:
            ["Nothing to do: scans succeed again; root activity during the gap is alerted if still in the window."]
        case .test:
            ["Nothing to do: this confirms that rootwatchd alerts reach this channel."]
        }
    }
}
