import Foundation
import RootwatchCore
import Testing

private typealias F = DetectorFixture

/// One row of the failure table: the previous state, and whether the failure raises `account-stale`.
struct FailureCase: Sendable, CustomTestStringConvertible {
    var name: String
    var previous: AccountState?
    var findings: [Outcome]
    var suppressed: [Outcome]
    var testDescription: String { name }
}

private let failureCases: [FailureCase] = [
    // A brand-new account failing: its stale clock starts now.
    FailureCase(
        name: "first failure of a new account", previous: nil, findings: [],
        suppressed: [Outcome(.accountStale, "2026-12-04T18:00:00Z", .notStaleYet)]),
    // Last success 5 h ago, stale_after 6 h: not yet.
    FailureCase(
        name: "failing but not stale yet", previous: F.scanned { $0.lastSuccessfulScan = time("2026-12-04T07:00:00Z") },
        findings: [], suppressed: [Outcome(.accountStale, "2026-12-04T13:00:00Z", .notStaleYet)]),
    // Last success 7 h ago: stale, dated last success + 6 h.
    FailureCase(
        name: "stale after six hours", previous: F.scanned { $0.lastSuccessfulScan = time("2026-12-04T05:00:00Z") },
        findings: [Outcome(.accountStale, "2026-12-04T11:00:00Z", .staleAfterElapsed)], suppressed: []),
    // Exactly stale_after since the last success counts.
    FailureCase(
        name: "stale at exactly six hours",
        previous: F.scanned { $0.lastSuccessfulScan = time("2026-12-04T06:00:00Z") },
        findings: [Outcome(.accountStale, "2026-12-04T12:00:00Z", .staleAfterElapsed)], suppressed: []),
    // Never scanned successfully: the clock runs from first_seen.
    FailureCase(
        name: "never scanned, first seen 7 h ago", previous: AccountState(firstSeen: time("2026-12-04T05:00:00Z")),
        findings: [Outcome(.accountStale, "2026-12-04T11:00:00Z", .staleAfterElapsed)], suppressed: []),
    // Already stale: never raised twice.
    FailureCase(
        name: "already stale",
        previous: F.scanned {
            $0.lastSuccessfulScan = time("2026-12-03T00:00:00Z")
            $0.stale = true
        }, findings: [], suppressed: [Outcome(.accountStale, "2026-12-03T06:00:00Z", .alreadyStale)]),
]

@Suite struct DetectorFailureTests {
    @Test(arguments: failureCases)
    func decides(_ row: FailureCase) {
        let decision = F.fail(previous: row.previous)
        #expect(decision.findings.map(Outcome.init) == row.findings)
        #expect(decision.suppressed.map(Outcome.init) == row.suppressed)
        #expect(decision.nextState.stale == (row.previous?.stale == true || !row.findings.isEmpty))
        #expect(decision.nextState.consecutiveFailures == (row.previous?.consecutiveFailures ?? 0) + 1)
        #expect(decision.nextState.lastError == "throttled")
        #expect(decision.nextState.lastAttempt == F.now)
    }

    @Test func staleIsRaisedOnceAndRecoveredOnce() throws {
        let start = time("2026-12-04T00:00:00Z")
        var state = F.scan(RootRow(), previous: nil, now: start).nextState
        var stale: [Alert] = []
        // Fail every 15 minutes for 8 hours.
        for step in 1...32 {
            let decision = F.fail(previous: state, now: start.addingTimeInterval(Double(step) * 900))
            stale += decision.alerts
            state = decision.nextState
        }
        #expect(stale.map(\.kind) == [.accountStale])
        #expect(stale.first?.activityTime == time("2026-12-04T06:00:00Z"))
        #expect(state.consecutiveFailures == 32)
        #expect(state.lastSuccessfulScan == start)

        let recoveredAt = time("2026-12-04T08:15:00Z")
        let recovery = F.scan(RootRow(), previous: state, now: recoveredAt)
        #expect(recovery.findings.map(Outcome.init) == [Outcome(.accountRecovered, "2026-12-04T08:15:00Z", .recovered)])
        #expect(recovery.nextState.stale == false)
        #expect(recovery.nextState.lastAlert?.kind == .accountRecovered)
        #expect(
            F.scan(RootRow(), previous: recovery.nextState, now: recoveredAt.addingTimeInterval(900)).findings.isEmpty)

        // Failing again starts a new stale period, with a new id.
        let again = F.fail(previous: recovery.nextState, now: recoveredAt.addingTimeInterval(7 * 3_600))
        #expect(again.alerts.map(\.activityTime) == [time("2026-12-04T14:15:00Z")])
        #expect(again.alerts.first?.id != stale.first?.id)
    }

    @Test func staleIDIsTheSameForEveryRetry() {
        let previous = F.scanned { $0.lastSuccessfulScan = time("2026-12-04T05:00:00Z") }
        let a = F.fail(previous: previous, now: time("2026-12-04T12:00:00Z"))
        let b = F.fail(previous: previous, now: time("2026-12-04T12:07:31Z"))
        #expect(a.alerts.map(\.id) == b.alerts.map(\.id))
        #expect(a.alerts.count == 1)
    }
}
