import FoundationEssentials

/// What one ActionTrail poll saw: the root sign-ins of its range, or why it could not read them.
package struct ActionTrailObservation: Sendable {
    package enum Result: Sendable {
        case read(ActionTrailRead)
        /// One line naming the cause, and the range the poll asked for.
        case failure(String, range: ClosedRange<Date>)
    }

    package var settings: ActionTrailPoller.Settings
    package var accountID: String?
    package var result: Result

    package init(settings: ActionTrailPoller.Settings, accountID: String?, result: Result) {
        self.settings = settings
        self.accountID = accountID
        self.result = result
    }

    /// Decides against `previous` (the account's state at this moment) what the poll raises.
    ///
    /// A successful poll moves the cursor to the end of its range, so the next one starts there minus the
    /// overlap. A failed one leaves the cursor where it was, so the next poll re-reads everything this one
    /// missed, and records only the cause: it never touches what the report path keeps (failures,
    /// staleness), because ActionTrail is an addition to the report, not a replacement.
    package func decide(previous: AccountState?, now: Date) -> ScanOutcome {
        switch result {
        case .read(let read):
            var decision = Detector.decideSignIns(
                account: settings.name, accountID: accountID, events: read.events, window: settings.window,
                windowText: settings.windowText, previous: previous, now: now)
            var cursor = decision.nextState.actionTrail ?? ActionTrailCursor()
            let until = read.range.upperBound
            cursor.checkedUntil = max(cursor.checkedUntil ?? until, until)
            cursor.lastPoll = now
            cursor.lastError = nil
            decision.nextState.actionTrail = cursor
            return ScanOutcome(
                account: settings.name, decision: decision, report: nil, reportTime: nil, failure: nil,
                actionTrail: read)
        case .failure(let message, let range):
            var state = previous ?? AccountState(firstSeen: now)
            state.accountID = accountID ?? state.accountID
            var cursor = state.actionTrail ?? ActionTrailCursor()
            cursor.lastError = message
            state.actionTrail = cursor
            return ScanOutcome(
                account: settings.name, decision: ScanDecision(nextState: state), report: nil, reportTime: nil,
                failure: message, actionTrail: ActionTrailRead(range: range))
        }
    }
}
