import AlibabaCloud
import FoundationEssentials

/// What `rootwatchd status` prints: per account, from the state file, and per webhook, from the
/// outbox directory.
package struct StatusReport: Sendable {
    package var state: DaemonState
    package var configuration: Configuration?
    package var now: Date
    /// Delivery backlog per webhook (empty when there are no webhooks and no outbox files).
    package var webhooks: [WebhookStatus]

    package init(state: DaemonState, configuration: Configuration?, now: Date, webhooks: [WebhookStatus] = []) {
        self.state = state
        self.configuration = configuration
        self.now = now
        self.webhooks = webhooks
    }

    /// Configured accounts in configuration order, then any others the state still remembers.
    package var accounts: [String] {
        let configured = configuration?.accounts.map(\.name) ?? []
        return configured + state.accounts.keys.filter { !configured.contains($0) }.sorted()
    }

    package func json(stateDirectory: String) -> String {
        let names = accounts
        return JSONValue.streamedDocument(
            [
                "generated_at": .string(Timestamp.format(now)), "state_directory": .string(stateDirectory),
                "webhooks": .array(webhooks.map(\.json)),
            ], streamedKey: "accounts", count: names.count
        ) { index in
            AccountView.status(
                account: names[index], state: state.accounts[names[index]],
                windowText: configuration?.account(named: names[index]).map { DurationText.format($0.window) })
        }
    }

    package func text() -> String {
        var table = TextTable([
            "ACCOUNT", "ACCOUNT ID", "LAST SCAN", "REPORT", "ROOT LOGON", "ROOT KEY USE", "MFA", "FAILURES",
            "LAST ALERT", "NEXT SCAN", "TRAIL CURSOR", "TRAIL POLL",
        ])
        var problems: [String] = []
        for name in accounts {
            let account = state.accounts[name] ?? AccountState()
            let configured = configuration == nil || configuration?.account(named: name) != nil
            table.append([
                configured ? name : "\(name) (not configured)",
                account.accountID ?? "-",
                Age.describe(account.lastSuccessfulScan, now: now),
                Age.describe(account.reportTime, now: now, never: "-"),
                Age.describe(account.lastConsoleLogon, now: now),
                Age.describe(account.keys.values.compactMap(\.lastUsed).max(), now: now),
                account.mfaActive.map { $0 ? "on" : "OFF" } ?? "?",
                account.consecutiveFailures == 0
                    ? "0" : "\(account.consecutiveFailures)" + (account.stale ? " STALE" : ""),
                account.lastAlert.map { "\($0.kind.rawValue) \(Age.describe($0.at, now: now))" } ?? "-",
                Age.describe(account.nextDue, now: now, never: "-"),
                Age.describe(account.actionTrail?.checkedUntil, now: now, never: "-"),
                account.actionTrail?.lastError != nil
                    ? "FAILING" : Age.describe(account.actionTrail?.lastPoll, now: now, never: "-"),
            ])
            if let error = account.lastError, account.consecutiveFailures > 0 { problems.append("  \(name): \(error)") }
            if let error = account.actionTrail?.lastError { problems.append("  \(name): ActionTrail: \(error)") }
        }
        var text = table.render()
        if !problems.isEmpty { text += "\n\nFailing:\n" + problems.joined(separator: "\n") }
        if !webhooks.isEmpty { text += "\n\n" + webhookTable() }
        return text
    }

    /// One row per webhook: backlog, dead letters and the last error, URL masked.
    private func webhookTable() -> String {
        var table = TextTable(["WEBHOOK", "FORMAT", "URL", "PENDING", "OLDEST", "DEAD", "LAST ERROR"])
        for webhook in webhooks {
            table.append([
                webhook.name, webhook.format?.rawValue ?? "(not configured)", webhook.maskedURL ?? "-",
                String(webhook.pending), webhook.oldestPending.map { Age.describe($0, now: now) } ?? "-",
                String(webhook.dead), webhook.lastError ?? "-",
            ])
        }
        return table.render()
    }
}
