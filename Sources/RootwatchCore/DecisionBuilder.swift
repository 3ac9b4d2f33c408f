import FoundationEssentials

/// Collects one decision's findings and suppressions with the alert fields they all share.
struct DecisionBuilder {
    let account: String
    let accountID: String?
    let windowText: String
    let now: Date
    /// `now - window`: activity at or before it is not alerted.
    let horizon: Date
    /// The account has never scanned successfully: old activity is first-start history.
    let firstScan: Bool
    var findings: [Finding] = []
    var suppressed: [Suppression] = []
    var notices: [SignInEvent] = []

    /// Why `time` is too old to alert, or nil when it is inside the window.
    func outsideWindow(_ time: Date) -> Reason? {
        guard time <= horizon else { return nil }
        return firstScan ? .firstStartOutsideWindow : .outsideWindow
    }

    @discardableResult
    mutating func raise(
        _ kind: FindingKind,
        slot: String? = nil,
        at activityTime: Date,
        source: AlertSource = .credentialReport,
        reportTime: Date? = nil,
        event: SignInEvent? = nil,
        reason: Reason
    ) -> Alert {
        let alert = Alert(
            kind: kind, account: account, accountID: accountID, activityTime: activityTime, detectedAt: now,
            window: windowText, source: source, keySlot: slot, sourceIP: event?.sourceIP,
            userAgent: event?.userAgent, mfaChecked: event?.mfaChecked, eventID: event?.eventID,
            region: event?.region, loginAccount: event?.loginAccount, reportTime: reportTime)
        findings.append(Finding(alert: alert, reason: reason))
        return alert
    }

    mutating func suppress(_ kind: FindingKind, slot: String? = nil, at activityTime: Date?, reason: Reason) {
        suppressed.append(Suppression(kind: kind, keySlot: slot, activityTime: activityTime, reason: reason))
    }

    /// The decision, with `state`'s last alert and recent logons brought up to date.
    func finish(state: AccountState) -> ScanDecision {
        var state = state
        if let last = findings.last?.alert {
            state.lastAlert = LastAlert(id: last.id, kind: last.kind, at: now)
        }
        let keepAfter = horizon.addingTimeInterval(-Detector.crossSourceTolerance)
        state.recentLogons = Array(
            state.recentLogons.filter { $0.time > keepAfter }.sorted { $0.time < $1.time }
                .suffix(Detector.maxRecentLogons))
        return ScanDecision(findings: findings, suppressed: suppressed, notices: notices, nextState: state)
    }
}
