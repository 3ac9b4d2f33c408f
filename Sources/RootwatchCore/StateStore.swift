import FoundationEssentials
import Synchronization

/// The daemon's state in memory: every account's `AccountState`, shared by the scans that update it,
/// the saver that writes it and `status`-like readers.
package final class StateStore: Sendable {
    private let state: Mutex<DaemonState>

    package init(_ initial: DaemonState = DaemonState()) { state = Mutex(initial) }

    /// A copy of the whole state.
    package var snapshot: DaemonState { state.withLock { $0 } }

    package func account(_ name: String) -> AccountState? { state.withLock { $0.accounts[name] } }

    /// Changes one account's state under the lock.
    package func update(_ name: String, _ body: (inout AccountState?) -> Void) {
        state.withLock { body(&$0.accounts[name]) }
    }

    /// Records each account's next due time (saved with the state, so a restart keeps the cadence).
    package func recordNextDue(_ nextDue: [String: Date]) {
        state.withLock { state in
            for (account, due) in nextDue { state.accounts[account, default: AccountState()].nextDue = due }
        }
    }

    /// A one-line summary for systemd's `STATUS=`: accounts, failing ones, next scan.
    package func statusLine(accounts: [String], nextDue: [String: Date]) -> String {
        let state = snapshot
        let failing = accounts.filter { (state.accounts[$0]?.consecutiveFailures ?? 0) > 0 }.count
        var line = "\(accounts.count) account\(accounts.count == 1 ? "" : "s")"
        line += failing > 0 ? ", \(failing) failing" : ", all ok"
        if let next = accounts.compactMap({ nextDue[$0] }).min() { line += ", next scan \(Timestamp.format(next))" }
        return line
    }
}
