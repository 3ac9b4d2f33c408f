import FoundationEssentials

/// Root activity and posture detection as product.md §1 defines it: values in, a `ScanDecision` out.
///
/// Alerts are once per activity: each activity time is compared with what state says was already alerted,
/// and alert ids are deterministic, so a replay after a crash yields the same ids for receivers to dedupe.
package enum Detector {
    /// A logon seen by ActionTrail and by the report at times this close is one logon.
    package static let crossSourceTolerance: TimeInterval = 120
    /// At most this many recent logons are kept per account, however busy the root account is.
    package static let maxRecentLogons = 200

    /// Decides what a successful credential-report scan raises and what state follows.
    ///
    /// - Parameters:
    ///   - window: activity at or before `now - window` is not alerted.
    ///   - windowText: the window as configured (e.g. `7d`), carried in alerts.
    ///   - report: the report's `GeneratedTime` and its `<root>` row.
    ///   - previous: the account's saved state; nil for an account never seen.
    package static func decideScan(
        account: String,
        accountID: String?,
        window: Duration,
        windowText: String,
        report: (reportTime: Date, root: RootRow),
        previous: AccountState?,
        now: Date
    ) -> ScanDecision {
        let reportTime = report.reportTime.wholeSeconds
        var state = previous ?? AccountState(firstSeen: now)
        let firstScan = state.lastSuccessfulScan == nil
        var out = DecisionBuilder(
            account: account, accountID: accountID ?? state.accountID, windowText: windowText, now: now,
            horizon: now.addingTimeInterval(-window.timeInterval), firstScan: firstScan)

        if state.stale {
            out.raise(.accountRecovered, at: now.wholeSeconds, reason: .recovered)
            state.stale = false
        }
        decideMFA(report.root.mfaActive, reportTime: reportTime, state: &state, out: &out)
        for key in report.root.keys {
            decideKeyActive(key, reportTime: reportTime, state: &state, out: &out)
        }
        if let logon = report.root.lastConsoleLogon?.wholeSeconds {
            decideReportLogon(logon, reportTime: reportTime, state: &state, out: &out)
        }
        for key in report.root.keys {
            decideKeyUse(key, reportTime: reportTime, state: &state, out: &out)
        }

        state.accountID = out.accountID
        state.lastSuccessfulScan = now
        state.lastAttempt = now
        state.consecutiveFailures = 0
        state.lastError = nil
        state.reportTime = reportTime
        return out.finish(state: state)
    }

    /// `root-mfa-disabled` on the first report showing MFA off and on each change to off.
    private static func decideMFA(
        _ mfaActive: Bool?, reportTime: Date, state: inout AccountState, out: inout DecisionBuilder
    ) {
        guard let mfaActive else { return }  // column absent: unknown, raises nothing
        let wasKnown = state.mfaActive != nil
        state.mfaActive = mfaActive
        if mfaActive {
            state.mfaDisabledAlertedSince = nil
        } else if let since = state.mfaDisabledAlertedSince {
            out.suppress(.rootMFADisabled, at: since, reason: .postureUnchanged)
        } else {
            out.raise(
                .rootMFADisabled, at: reportTime, reportTime: reportTime,
                reason: wasKnown ? .postureChanged : .firstScan)
            state.mfaDisabledAlertedSince = reportTime
        }
    }

    /// `root-access-key-active` per slot on the first report showing it active and on each change to active.
    private static func decideKeyActive(
        _ key: KeySlot, reportTime: Date, state: inout AccountState, out: inout DecisionBuilder
    ) {
        guard let active = key.active else { return }
        var slot = state.keys[key.slot] ?? KeyState()
        let wasKnown = slot.active != nil
        slot.active = active
        if !active {
            slot.activeAlertedSince = nil
        } else if let since = slot.activeAlertedSince {
            out.suppress(.rootAccessKeyActive, slot: key.slot, at: since, reason: .postureUnchanged)
        } else {
            out.raise(
                .rootAccessKeyActive, slot: key.slot, at: reportTime, reportTime: reportTime,
                reason: wasKnown ? .postureChanged : .firstScan)
            slot.activeAlertedSince = reportTime
        }
        state.keys[key.slot] = slot
    }

    /// `root-console-logon` from `user_last_logon`, unless ActionTrail already alerted the same logon.
    private static func decideReportLogon(
        _ logon: Date, reportTime: Date, state: inout AccountState, out: inout DecisionBuilder
    ) {
        state.lastConsoleLogon = max(state.lastConsoleLogon ?? logon, logon)
        let lastAlerted = state.lastAlertedConsoleLogon
        if logon == lastAlerted {
            out.suppress(.rootConsoleLogon, at: logon, reason: .alreadyAlerted)
        } else if state.recentLogons.contains(where: {
            $0.source == .actiontrail && abs($0.time.timeIntervalSince(logon)) <= crossSourceTolerance
        }) {
            out.suppress(.rootConsoleLogon, at: logon, reason: .seenThroughActionTrail)
            state.lastAlertedConsoleLogon = max(lastAlerted ?? logon, logon)
        } else if let lastAlerted, logon < lastAlerted {
            out.suppress(.rootConsoleLogon, at: logon, reason: .olderThanLastAlerted)
        } else if let reason = out.outsideWindow(logon) {
            out.suppress(.rootConsoleLogon, at: logon, reason: reason)
        } else {
            let alert = out.raise(
                .rootConsoleLogon, at: logon, reportTime: reportTime, reason: .newerThanLastAlerted)
            state.lastAlertedConsoleLogon = logon
            state.recentLogons.append(RecentLogon(time: logon, source: .credentialReport, alertID: alert.id))
        }
    }

    /// `root-access-key-used` per slot from `<slot>_last_used`.
    private static func decideKeyUse(
        _ key: KeySlot, reportTime: Date, state: inout AccountState, out: inout DecisionBuilder
    ) {
        guard let used = key.lastUsed?.wholeSeconds else { return }
        var slot = state.keys[key.slot] ?? KeyState()
        slot.lastUsed = max(slot.lastUsed ?? used, used)
        if let lastAlerted = slot.lastAlertedUse, used <= lastAlerted {
            let reason: Reason = used == lastAlerted ? .alreadyAlerted : .olderThanLastAlerted
            out.suppress(.rootAccessKeyUsed, slot: key.slot, at: used, reason: reason)
        } else if let reason = out.outsideWindow(used) {
            out.suppress(.rootAccessKeyUsed, slot: key.slot, at: used, reason: reason)
        } else {
            out.raise(
                .rootAccessKeyUsed, slot: key.slot, at: used, reportTime: reportTime, reason: .newerThanLastAlerted)
            slot.lastAlertedUse = used
        }
        state.keys[key.slot] = slot
    }
}

extension Date {
    /// This time truncated to whole seconds, the precision of reports, alert ids and the state file.
    var wholeSeconds: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}

extension Duration {
    /// This duration in seconds, as `Date` arithmetic wants it.
    var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
