import FoundationEssentials
import Synchronization

/// The daemon's heart: scans an account's report or polls its ActionTrail when a scheduler says so,
/// sends what detection raised to every sink, then records the new state — in that order, so a crash
/// between the two re-sends (receivers dedupe on the alert id) and never loses an alert.
///
/// Each account has at most one report scan and one ActionTrail poll in flight (their schedulers
/// guarantee it); the two fetch independently and decide, emit and commit in turns, so neither
/// overwrites the other. The shared `DaemonState` sits behind a mutex and is written by the coalescing
/// saver.
package final class Monitor: Sendable {
    private let store: StateStore
    private let scanners: Mutex<[String: AccountScanner]>
    /// Decide-emit-commit steps of one account take turns (report scans and ActionTrail polls).
    private let turns = KeyedLock()
    private let sinks: [any AlertSink]
    private let logger: Logger
    private let now: @Sendable () -> Date
    /// Called after every state change; the daemon saves the state and refreshes STATUS there.
    private let changed: @Sendable () async -> Void

    package init(
        store: StateStore,
        scanners: [String: AccountScanner],
        sinks: [any AlertSink],
        logger: Logger,
        now: @escaping @Sendable () -> Date,
        changed: @escaping @Sendable () async -> Void
    ) {
        self.store = store
        self.scanners = Mutex(scanners)
        self.sinks = sinks
        self.logger = logger
        self.now = now
        self.changed = changed
    }

    /// The names of the accounts being watched.
    package var accounts: [String] { scanners.withLock { $0.keys.sorted() } }

    /// Replaces the scanners after a configuration reload; state of removed accounts is kept, so an
    /// account that comes back resumes where it was.
    package func replaceScanners(_ new: [String: AccountScanner]) {
        scanners.withLock { $0 = new }
    }

    /// Scans `account` once and applies the outcome. Returns the outcome (nil when cancelled or unknown).
    ///
    /// The report is fetched without holding anything; the decision is then made against the
    /// account's state as it is at that moment, under the account's turn, so a concurrent ActionTrail
    /// poll of the same account is never overwritten.
    @discardableResult
    package func scan(_ account: String) async -> ScanOutcome? {
        guard let scanner = scanners.withLock({ $0[account] }) else { return nil }
        logger.debug(
            "Scan of \(account) started", ["ROOTWATCH_ACCOUNT": account, "MESSAGE_ID": scanLifecycleMessageID])
        guard let observation = await scanner.fetch(knownAccountID: store.account(account)?.accountID) else {
            return nil
        }
        return await decideAndApply(account) { observation.decide(previous: $0, now: now()) }
    }

    /// The accounts with ActionTrail polling (`actiontrail = yes`).
    package var actionTrailAccounts: [String] {
        scanners.withLock { $0.filter { $0.value.actionTrail != nil }.keys.sorted() }
    }

    /// Polls `account`'s ActionTrail once and applies the outcome, like `scan`. Returns nil when cancelled,
    /// unknown, or not polling ActionTrail.
    ///
    /// The range is taken from the cursor as it is when the poll starts; the decision is made under the
    /// account's turn against the state as it is then, so a report scan of the same account that finished
    /// meanwhile is seen (and the 120 s rule holds in both orders).
    @discardableResult
    package func poll(_ account: String) async -> ScanOutcome? {
        guard let poller = scanners.withLock({ $0[account]?.actionTrail }) else { return nil }
        let current = store.account(account)
        guard let observation = await poller.fetch(cursor: current?.actionTrail, knownAccountID: current?.accountID)
        else { return nil }
        return await decideAndApply(account) { observation.decide(previous: $0, now: now()) }
    }

    /// Decides and applies under the account's turn; `decide` gets the account's state as it is then.
    private func decideAndApply(
        _ account: String, _ decide: @Sendable (AccountState?) -> ScanOutcome
    ) async -> ScanOutcome {
        await turns.withLock(account) {
            let outcome = decide(store.account(account))
            await apply(outcome)
            return outcome
        }
    }

    /// Logs the outcome, sends its alerts to every sink, then commits the next state. When a sink
    /// fails, the state is not committed, so the next scan raises the same alerts again.
    package func apply(_ outcome: ScanOutcome) async {
        let account = outcome.account
        let fields = ["ROOTWATCH_ACCOUNT": account, "MESSAGE_ID": scanLifecycleMessageID]
        for diagnostic in outcome.report?.diagnostics ?? [] {
            logger.warning(
                "Account \(account): credential report cell \(diagnostic.column) could not be read: \(diagnostic.message)",
                ["ROOTWATCH_ACCOUNT": account, "ROOTWATCH_COLUMN": diagnostic.column])
        }
        for suppression in outcome.decision.suppressed {
            logger.debug("Account \(account): not alerted: \(suppression)", ["ROOTWATCH_ACCOUNT": account])
        }
        for event in outcome.decision.notices {
            logger.notice(
                "Account \(account): failed root sign-in at \(Timestamp.format(event.time))"
                    + (event.sourceIP.map { " from \($0)" } ?? "") + (event.errorCode.map { " (\($0))" } ?? ""),
                ["ROOTWATCH_ACCOUNT": account, "ROOTWATCH_EVENT_ID": event.eventID])
        }

        var delivered = true
        for alert in outcome.decision.alerts {
            for sink in sinks {
                do {
                    try await sink.emit(alert)
                } catch {
                    delivered = false
                    logger.error(
                        "Account \(account): alert \(alert.id) could not be recorded: \(error); it will be raised again",
                        ["ROOTWATCH_ACCOUNT": account, "ROOTWATCH_ALERT_ID": alert.id])
                }
            }
        }
        guard delivered else { return }

        store.update(account) { current in
            var next = outcome.decision.nextState
            next.nextDue = current?.nextDue  // the scheduler owns it
            current = next
        }
        if let read = outcome.actionTrail {
            logPoll(outcome, read: read, fields: fields)
        } else if let failure = outcome.failure {
            logger.error("Scan of \(account) failed: \(failure)", fields)
        } else {
            let report = outcome.reportTime.map { " (report of \(Timestamp.format($0)))" } ?? ""
            logger.info("Scan of \(account) finished: \(Self.summary(outcome))\(report)", fields)
        }
        await changed()
    }

    /// An ActionTrail poll's lifecycle: every unreadable event and a failure are errors of the account
    /// (PRIORITY 3, `ROOTWATCH_ACCOUNT`), naming ActionTrail so they are not mistaken for a failed scan.
    private func logPoll(_ outcome: ScanOutcome, read: ActionTrailRead, fields: [String: String]) {
        let account = outcome.account
        for malformed in read.malformed {
            var entry = fields
            if let eventID = malformed.eventID { entry["ROOTWATCH_EVENT_ID"] = eventID }
            logger.error("ActionTrail poll of \(account): \(malformed); skipped", entry)
        }
        let range = "\(Timestamp.format(read.range.lowerBound)) to \(Timestamp.format(read.range.upperBound))"
        if let failure = outcome.failure {
            logger.error("ActionTrail poll of \(account) failed (\(range)): \(failure)", fields)
            return
        }
        let signIns = read.events.count
        logger.info(
            "ActionTrail poll of \(account) finished: \(Self.summary(outcome)) (\(signIns) root sign-in\(signIns == 1 ? "" : "s"), "
                + "\(range), \(read.pages) page\(read.pages == 1 ? "" : "s"))", fields)
    }

    /// `nothing new`, `1 alert`, `3 alerts`.
    private static func summary(_ outcome: ScanOutcome) -> String {
        let found = outcome.decision.alerts.count
        return found == 0 ? "nothing new" : "\(found) alert\(found == 1 ? "" : "s")"
    }
}
