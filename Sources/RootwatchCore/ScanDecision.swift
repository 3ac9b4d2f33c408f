import FoundationEssentials

/// What one detection step decided: the alerts to send, what it saw but did not alert and why, and the
/// state to save once the alerts are durably queued.
///
/// Returning the decision instead of acting keeps detection free of I/O and lets tests read it as a table
/// (style.md habit 4).
package struct ScanDecision: Sendable, Equatable {
    package var findings: [Finding]
    package var suppressed: [Suppression]
    /// Failed root sign-ins from ActionTrail: not usage, logged at notice level.
    package var notices: [SignInEvent]
    package var nextState: AccountState

    package init(
        findings: [Finding] = [], suppressed: [Suppression] = [], notices: [SignInEvent] = [],
        nextState: AccountState
    ) {
        self.findings = findings
        self.suppressed = suppressed
        self.notices = notices
        self.nextState = nextState
    }

    /// The alerts to send, in order.
    package var alerts: [Alert] { findings.map(\.alert) }
}

/// An alert to raise and why.
package struct Finding: Sendable, Equatable {
    package var alert: Alert
    package var reason: Reason

    package init(alert: Alert, reason: Reason) {
        self.alert = alert
        self.reason = reason
    }
}

/// Activity or posture that was seen but raises nothing, and why; for debug logs and tests.
package struct Suppression: Sendable, Equatable, CustomStringConvertible {
    /// The kind it would have raised.
    package var kind: FindingKind
    package var keySlot: String?
    package var activityTime: Date?
    package var reason: Reason

    package init(kind: FindingKind, keySlot: String? = nil, activityTime: Date?, reason: Reason) {
        self.kind = kind
        self.keySlot = keySlot
        self.activityTime = activityTime
        self.reason = reason
    }

    /// `root-access-key-used access_key_1 2026-12-04T10:00:03Z: outside-window`.
    package var description: String {
        let slot = keySlot.map { " \($0)" } ?? ""
        let time = activityTime.map { " \(Timestamp.format($0))" } ?? ""
        return "\(kind.rawValue)\(slot)\(time): \(reason.rawValue)"
    }
}

/// Why detection raised or held back a finding.
package enum Reason: String, Sendable, Equatable, CaseIterable {
    /// Root activity newer than both `now - window` and the last one alerted.
    case newerThanLastAlerted = "newer-than-last-alerted"
    /// Root activity at or before `now - window`.
    case outsideWindow = "outside-window"
    /// Like `outsideWindow`, on the account's first successful scan: recorded, not alerted.
    case firstStartOutsideWindow = "first-start-outside-window"
    /// The same activity time was alerted before.
    case alreadyAlerted = "already-alerted"
    /// Older than the last activity alerted: the report shows only the latest.
    case olderThanLastAlerted = "older-than-last-alerted"
    /// A report logon within 120 s of a logon already alerted from ActionTrail.
    case seenThroughActionTrail = "seen-through-actiontrail"
    /// An ActionTrail sign-in within 120 s of a logon already alerted from the report.
    case seenThroughReport = "seen-through-report"
    /// An ActionTrail event already handled by an earlier, overlapping poll.
    case alreadySeenEvent = "already-seen-event"
    /// Posture raised on the account's first report showing it.
    case firstScan = "first-scan"
    /// Posture changed to the alerted state.
    case postureChanged = "posture-changed"
    /// Posture still in the state already alerted.
    case postureUnchanged = "posture-unchanged"
    /// No successful scan for `stale_after`.
    case staleAfterElapsed = "stale-after-elapsed"
    /// `account-stale` was already raised and the account has not recovered.
    case alreadyStale = "already-stale"
    /// The account is failing but its last success is less than `stale_after` ago.
    case notStaleYet = "not-stale-yet"
    /// A stale account scanned successfully.
    case recovered = "recovered"
}
