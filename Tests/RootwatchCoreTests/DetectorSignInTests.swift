import Foundation
import RootwatchCore
import Testing

private typealias F = DetectorFixture

@Suite struct DetectorSignInTests {
    @Test func rootSignInInsideWindowRaisesWithEventDetails() throws {
        let decision = F.signIns([F.event("ev-1", "2026-12-04T10:00:03Z")], previous: nil)
        let alert = try #require(decision.alerts.first)
        #expect(decision.alerts.count == 1)
        #expect(alert.kind == .rootConsoleLogon)
        #expect(alert.id == "7ff7c8b03a774e26e49b7b62bb4d92fb")  // the same id the report would give
        #expect(alert.source == .actiontrail)
        #expect(alert.sourceIP == "203.0.113.7")
        #expect(alert.userAgent == "Mozilla/5.0")
        #expect(alert.mfaChecked == false)
        #expect(alert.eventID == "ev-1")
        #expect(alert.region == "cn-hangzhou")
        #expect(alert.reportTime == nil)
        #expect(alert.message.contains("from 203.0.113.7"))
        #expect(decision.nextState.lastConsoleLogon == time("2026-12-04T10:00:03Z"))
        #expect(decision.nextState.lastAlertedConsoleLogon == time("2026-12-04T10:00:03Z"))
        #expect(decision.nextState.recentLogons.map(\.eventID) == ["ev-1"])
    }

    @Test(arguments: [
        // Older than now - window.
        ("2026-11-27T12:00:00Z", [Reason.outsideWindow]),
        // One second inside.
        ("2026-11-27T12:00:01Z", []),
    ])
    func windowBoundsSignIns(at: String, suppressed: [Reason]) {
        let decision = F.signIns([F.event("ev-1", at)], previous: nil)
        #expect(decision.suppressed.map(\.reason) == suppressed)
        #expect(decision.alerts.count == (suppressed.isEmpty ? 1 : 0))
    }

    @Test func overlappingPollsReportOnce() {
        let events = [F.event("ev-1", "2026-12-04T10:00:03Z"), F.event("ev-2", "2026-12-04T11:00:00Z")]
        let first = F.signIns(events, previous: nil)
        #expect(first.alerts.count == 2)
        // The next poll re-reads the overlap and finds one new event.
        let second = F.signIns(
            events + [F.event("ev-3", "2026-12-04T11:50:00Z")], previous: first.nextState,
            now: F.now.addingTimeInterval(300))
        #expect(second.alerts.map(\.eventID) == ["ev-3"])
        #expect(second.suppressed.map(\.reason) == [.alreadySeenEvent, .alreadySeenEvent])
    }

    @Test func aLateEarlierSignInIsStillAlerted() {
        let first = F.signIns([F.event("ev-2", "2026-12-04T11:00:00Z")], previous: nil)
        // ActionTrail delivered ev-1 late: a separate logon ten minutes before ev-2.
        let second = F.signIns([F.event("ev-1", "2026-12-04T10:50:00Z")], previous: first.nextState)
        #expect(second.alerts.map(\.eventID) == ["ev-1"])
        #expect(second.nextState.lastAlertedConsoleLogon == time("2026-12-04T11:00:00Z"))
    }

    @Test func failedSignInsAreNoticesNotAlerts() {
        let decision = F.signIns([F.event("ev-bad", "2026-12-04T10:00:03Z", failed: true)], previous: nil)
        #expect(decision.alerts.isEmpty)
        #expect(decision.notices.map(\.eventID) == ["ev-bad"])
        #expect(decision.nextState.lastConsoleLogon == nil)
        #expect(decision.nextState.recentLogons.isEmpty)
    }

    @Test(arguments: [
        // The report sees the logon 90 s after the event time: the same logon.
        ("2026-12-04T10:01:30Z", 0),
        // The report sees the same second as the event.
        ("2026-12-04T10:00:00Z", 0),
        // 120 s is still the same logon.
        ("2026-12-04T10:02:00Z", 0),
        // 121 s later: a different logon.
        ("2026-12-04T10:02:01Z", 1),
    ])
    func actionTrailThenReport(reportLogon: String, reportAlerts: Int) {
        let trail = F.signIns([F.event("ev-1", "2026-12-04T10:00:00Z")], previous: nil)
        #expect(trail.alerts.count == 1)
        let report = F.scan(RootRow(lastConsoleLogon: time(reportLogon)), previous: trail.nextState)
        #expect(report.alerts.count == reportAlerts)
        #expect(report.nextState.lastAlertedConsoleLogon == time(reportLogon))
        // The next report with the same logon raises nothing either.
        let next = F.scan(RootRow(lastConsoleLogon: time(reportLogon)), previous: report.nextState)
        #expect(next.alerts.isEmpty)
    }

    @Test(arguments: [
        // The event 2 s before the report's logon time.
        ("2026-12-04T10:00:01Z", Reason.seenThroughReport),
        // The event at the very same second: the same alert id.
        ("2026-12-04T10:00:03Z", Reason.alreadySeenEvent),
    ])
    func reportThenActionTrail(eventTime: String, reason: Reason) {
        let report = F.scan(RootRow(lastConsoleLogon: time("2026-12-04T10:00:03Z")), previous: nil)
        #expect(report.alerts.count == 1)
        let trail = F.signIns([F.event("ev-1", eventTime)], previous: report.nextState)
        #expect(trail.alerts.isEmpty)
        #expect(trail.suppressed.map(\.reason) == [reason])
        // A later overlapping poll still raises nothing.
        let again = F.signIns([F.event("ev-1", eventTime)], previous: trail.nextState)
        #expect(again.alerts.isEmpty)
    }

    @Test func reportLogonWithNoMatchingEventStillAlerts() {
        let trail = F.signIns([F.event("ev-1", "2026-12-04T08:00:00Z")], previous: nil)
        let report = F.scan(RootRow(lastConsoleLogon: time("2026-12-04T10:00:03Z")), previous: trail.nextState)
        #expect(
            report.findings.map(Outcome.init) == [
                Outcome(.rootConsoleLogon, "2026-12-04T10:00:03Z", .newerThanLastAlerted)
            ])
        #expect(report.alerts.first?.source == .credentialReport)
    }

    @Test func fractionalEventTimesGiveStableIDs() {
        var event = F.event("ev-1", "2026-12-04T10:00:03Z")
        event.time = event.time.addingTimeInterval(0.75)
        let first = F.signIns([event], previous: nil)
        #expect(first.alerts.first?.id == "7ff7c8b03a774e26e49b7b62bb4d92fb")
        var other = event
        other.eventID = "ev-1-copy"
        #expect(F.signIns([other], previous: first.nextState).alerts.isEmpty)
    }

    @Test func signInsLeaveScanBookkeepingAlone() {
        let previous = F.scanned {
            $0.consecutiveFailures = 2
            $0.actionTrail = ActionTrailCursor(checkedUntil: time("2026-12-04T11:55:00Z"))
        }
        let state = F.signIns([F.event("ev-1", "2026-12-04T11:58:00Z")], previous: previous).nextState
        #expect(state.consecutiveFailures == 2)
        #expect(state.lastSuccessfulScan == previous.lastSuccessfulScan)
        #expect(state.actionTrail == previous.actionTrail)
    }
}
