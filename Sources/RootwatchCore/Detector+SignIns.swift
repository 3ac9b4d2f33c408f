import FoundationEssentials

extension Detector {
    /// Decides what root `ConsoleSignin` events from one ActionTrail poll raise.
    ///
    /// Each successful sign-in newer than `now - window` raises `root-console-logon` with the event's
    /// details, unless an earlier poll already handled it (polls overlap, so the same event comes back) or
    /// the report already alerted a logon within 120 s of it. Events are matched by alert id and event id
    /// rather than by "newer than the last alerted", because ActionTrail delivers events minutes late: an
    /// earlier sign-in can arrive after a later one was alerted and is still a separate root logon.
    /// Failed sign-ins are not usage: they come back as `notices`.
    package static func decideSignIns(
        account: String,
        accountID: String?,
        events: [SignInEvent],
        window: Duration,
        windowText: String,
        previous: AccountState?,
        now: Date
    ) -> ScanDecision {
        var state = previous ?? AccountState(firstSeen: now)
        var out = DecisionBuilder(
            account: account, accountID: accountID ?? state.accountID, windowText: windowText, now: now,
            horizon: now.addingTimeInterval(-window.timeInterval), firstScan: false)
        state.accountID = out.accountID
        let ordered = events.sorted { ($0.time, $0.eventID) < ($1.time, $1.eventID) }
        for event in ordered {
            if event.failed {
                out.notices.append(event)
                continue
            }
            let time = event.time.wholeSeconds
            let id = Alert.id(account: account, kind: .rootConsoleLogon, keySlot: nil, activityTime: time)
            state.lastConsoleLogon = max(state.lastConsoleLogon ?? time, time)
            if state.recentLogons.contains(where: {
                $0.alertID == id || (!event.eventID.isEmpty && $0.eventID == event.eventID)
            }) {
                out.suppress(.rootConsoleLogon, at: time, reason: .alreadySeenEvent)
            } else if let reason = out.outsideWindow(time) {
                out.suppress(.rootConsoleLogon, at: time, reason: reason)
            } else if let match = state.recentLogons.first(where: {
                $0.source == .credentialReport && abs($0.time.timeIntervalSince(time)) <= crossSourceTolerance
            }) {
                out.suppress(.rootConsoleLogon, at: time, reason: .seenThroughReport)
                state.recentLogons.append(
                    RecentLogon(time: time, source: .actiontrail, alertID: match.alertID, eventID: event.eventID))
                state.lastAlertedConsoleLogon = max(state.lastAlertedConsoleLogon ?? time, time)
            } else {
                let alert = out.raise(
                    .rootConsoleLogon, at: time, source: .actiontrail, event: event, reason: .newerThanLastAlerted)
                state.recentLogons.append(
                    RecentLogon(time: time, source: .actiontrail, alertID: alert.id, eventID: event.eventID))
                state.lastAlertedConsoleLogon = max(state.lastAlertedConsoleLogon ?? time, time)
            }
        }
        return out.finish(state: state)
    }
}
