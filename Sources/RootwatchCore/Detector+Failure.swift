import FoundationEssentials

extension Detector {
    /// Decides what a failed scan records and whether the account is now stale.
    ///
    /// `account-stale` is raised once, when no scan has succeeded for `staleAfter`; its activity time is the
    /// last successful scan plus `staleAfter` (first seen plus `staleAfter` for an account never scanned),
    /// so every instance and every retry computes the same id. It is not raised again until a successful
    /// scan clears it (`decideScan` then raises `account-recovered`).
    ///
    /// - Parameter error: one line naming the cause, kept as the account's `last_error`.
    package static func decideFailure(
        account: String,
        accountID: String?,
        error: String,
        staleAfter: Duration,
        window: Duration,
        windowText: String,
        previous: AccountState?,
        now: Date
    ) -> ScanDecision {
        var state = previous ?? AccountState(firstSeen: now)
        var out = DecisionBuilder(
            account: account, accountID: accountID ?? state.accountID, windowText: windowText, now: now,
            horizon: now.addingTimeInterval(-window.timeInterval), firstScan: state.lastSuccessfulScan == nil)
        state.accountID = out.accountID
        state.consecutiveFailures += 1
        state.lastError = error
        state.lastAttempt = now

        let since = (state.lastSuccessfulScan ?? state.firstSeen ?? now).wholeSeconds
        let staleAt = since.addingTimeInterval(staleAfter.timeInterval).wholeSeconds
        if state.stale {
            out.suppress(.accountStale, at: staleAt, reason: .alreadyStale)
        } else if now >= staleAt {
            out.raise(.accountStale, at: staleAt, reason: .staleAfterElapsed)
            state.stale = true
        } else {
            out.suppress(.accountStale, at: staleAt, reason: .notStaleYet)
        }
        return out.finish(state: state)
    }
}
