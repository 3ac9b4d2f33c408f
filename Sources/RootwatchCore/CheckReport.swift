import AlibabaCloud
import FoundationEssentials

/// What `rootwatchd check` prints and returns: a table a person reads at a glance, or one JSON
/// document, and the exit status (product.md §2).
package struct CheckReport: Sendable {
    package var outcomes: [ScanOutcome]
    /// ActionTrail polls, by account, of the accounts with `actiontrail = yes`.
    package var polls: [String: ScanOutcome]
    package var configuration: Configuration
    package var store: StateStore
    package var now: Date

    package init(
        outcomes: [ScanOutcome], polls: [String: ScanOutcome] = [:], configuration: Configuration,
        store: StateStore, now: Date
    ) {
        self.outcomes = outcomes
        self.polls = polls
        self.configuration = configuration
        self.store = store
        self.now = now
    }

    /// 3 when any account shows root activity inside its window (whether alerted now or before, in the
    /// report or in ActionTrail), else 1 when any account's report or ActionTrail could not be read, else 0.
    package var exitCode: Int32 {
        if outcomes.contains(where: hasRootActivity) { return 3 }
        if outcomes.contains(where: { !$0.succeeded || polls[$0.account]?.succeeded == false }) { return 1 }
        return 0
    }

    /// Root console logon or root AccessKey use newer than `now - window` in this scan's report, its
    /// findings, or the account's ActionTrail sign-ins.
    package func hasRootActivity(_ outcome: ScanOutcome) -> Bool {
        guard let account = configuration.account(named: outcome.account) else { return false }
        let horizon = now.addingTimeInterval(-account.window.seconds)
        let poll = polls[outcome.account]
        if (outcome.decision.alerts + (poll?.decision.alerts ?? [])).contains(where: { $0.kind.isRootActivity }) {
            return true
        }
        if poll?.actionTrail?.events.contains(where: { !$0.failed && $0.time > horizon }) == true { return true }
        guard let root = outcome.report?.root else { return false }
        let times = [root.lastConsoleLogon] + root.keys.map(\.lastUsed)
        return times.contains { $0.map { $0 > horizon } ?? false }
    }

    package func json() -> String {
        JSONValue.streamedDocument(
            ["checked_at": .string(Timestamp.format(now))], streamedKey: "accounts", count: outcomes.count
        ) { index in
            let outcome = outcomes[index]
            return AccountView.check(
                outcome: outcome,
                accountID: store.account(outcome.account)?.accountID ?? outcome.decision.nextState.accountID,
                windowText: windowText(outcome.account), poll: polls[outcome.account])
        }
    }

    package func text() -> String {
        var table = TextTable([
            "ACCOUNT", "ACCOUNT ID", "STATUS", "REPORT", "ROOT LOGON", "ROOT KEY USE", "MFA", "ACTIONTRAIL", "NEW",
        ])
        var findings = TextTable(["SEVERITY", "KIND", "ALERT ID", "WHAT"])
        var problems: [String] = []
        for outcome in outcomes {
            let state = outcome.decision.nextState
            let root = outcome.report?.root
            let keyUse = root?.keys.compactMap(\.lastUsed).max()
            let status = outcome.succeeded ? (hasRootActivity(outcome) ? "ROOT USED" : "ok") : "FAILED"
            let poll = polls[outcome.account]
            let alerts =
                (outcome.succeeded ? outcome.decision.alerts : [])
                + (poll.map { $0.succeeded ? $0.decision.alerts : [] } ?? [])
            table.append([
                outcome.account, state.accountID ?? "-", status,
                outcome.reportTime.map { Age.describe($0, now: now) } ?? "-",
                root.map { Age.describe($0.lastConsoleLogon, now: now) } ?? "-",
                root.map { _ in Age.describe(keyUse, now: now) } ?? "-",
                root.map { mfa($0.mfaActive) } ?? "-",
                actionTrail(poll),
                String(alerts.count),
            ])
            for alert in alerts {
                findings.append([alert.severity.rawValue.uppercased(), alert.kind.rawValue, alert.id, alert.message])
            }
            for warning in outcome.report?.diagnostics ?? [] {
                problems.append("  \(outcome.account): warning: \(warning)")
            }
            if let failure = outcome.failure { problems.append("  \(outcome.account): \(failure)") }
            for malformed in poll?.actionTrail?.malformed ?? [] {
                problems.append("  \(outcome.account): warning: \(malformed)")
            }
            if let failure = poll?.failure { problems.append("  \(outcome.account): ActionTrail: \(failure)") }
        }
        var text = table.render()
        if !findings.rows.isEmpty { text += "\n\nNew findings:\n" + findings.render() }
        if !problems.isEmpty { text += "\n\nProblems:\n" + problems.joined(separator: "\n") }
        return text
    }

    private func windowText(_ account: String) -> String {
        configuration.account(named: account).map { DurationText.format($0.window) } ?? "-"
    }

    /// `-` without ActionTrail, `FAILED` when the poll failed, else how many root sign-ins it read.
    private func actionTrail(_ poll: ScanOutcome?) -> String {
        guard let poll else { return "-" }
        guard poll.succeeded, let read = poll.actionTrail else { return "FAILED" }
        let signIns = read.events.filter { !$0.failed }.count
        return "\(signIns) root sign-in\(signIns == 1 ? "" : "s")"
    }

    private func mfa(_ active: Bool?) -> String {
        switch active {
        case true?: "on"
        case false?: "OFF"
        case nil: "?"
        }
    }
}
