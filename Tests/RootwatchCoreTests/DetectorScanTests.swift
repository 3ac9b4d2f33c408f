import Foundation
import RootwatchCore
import Testing

/// One row of the scan table: a report's root row against a previous state, and what must come out.
struct ScanCase: Sendable, CustomTestStringConvertible {
    var name: String
    var root: RootRow
    var previous: AccountState?
    var findings: [Outcome]
    var suppressed: [Outcome] = []
    var testDescription: String { name }
}

private typealias F = DetectorFixture

private func logon(_ at: String?) -> RootRow { RootRow(lastConsoleLogon: at.map(time)) }
private func used(_ slot: String, _ at: String?) -> RootRow {
    RootRow(keys: [KeySlot(slot: slot, exists: true, active: false, lastUsed: at.map(time))])
}
private func keyActive(_ slot: String, _ active: Bool?) -> RootRow {
    RootRow(keys: [KeySlot(slot: slot, exists: active, active: active)])
}

private let scanCases: [ScanCase] =
    [
        // A logon inside the window with nothing alerted before raises.
        ScanCase(
            name: "logon inside window", root: logon("2026-12-04T10:00:03Z"), previous: F.scanned(),
            findings: [Outcome(.rootConsoleLogon, "2026-12-04T10:00:03Z", .newerThanLastAlerted)]),
        // A logon older than now - window is not a finding.
        ScanCase(
            name: "logon outside window", root: logon("2026-11-27T11:59:59Z"), previous: F.scanned(), findings: [],
            suppressed: [Outcome(.rootConsoleLogon, "2026-11-27T11:59:59Z", .outsideWindow)]),
        // Exactly now - window is not "newer than" it.
        ScanCase(
            name: "logon at window edge", root: logon("2026-11-27T12:00:00Z"), previous: F.scanned(), findings: [],
            suppressed: [Outcome(.rootConsoleLogon, "2026-11-27T12:00:00Z", .outsideWindow)]),
        // One second inside the window raises.
        ScanCase(
            name: "logon one second inside window", root: logon("2026-11-27T12:00:01Z"), previous: F.scanned(),
            findings: [Outcome(.rootConsoleLogon, "2026-11-27T12:00:01Z", .newerThanLastAlerted)]),
        // Newer than the last alerted logon raises.
        ScanCase(
            name: "logon newer than last alerted", root: logon("2026-12-04T10:00:03Z"),
            previous: F.scanned { $0.lastAlertedConsoleLogon = time("2026-12-03T09:00:00Z") },
            findings: [Outcome(.rootConsoleLogon, "2026-12-04T10:00:03Z", .newerThanLastAlerted)]),
        // The same logon seen again next cycle raises nothing.
        ScanCase(
            name: "logon already alerted", root: logon("2026-12-04T10:00:03Z"),
            previous: F.scanned { $0.lastAlertedConsoleLogon = time("2026-12-04T10:00:03Z") }, findings: [],
            suppressed: [Outcome(.rootConsoleLogon, "2026-12-04T10:00:03Z", .alreadyAlerted)]),
        // An older logon than the last alerted (an older report) raises nothing.
        ScanCase(
            name: "logon older than last alerted", root: logon("2026-12-04T09:00:00Z"),
            previous: F.scanned { $0.lastAlertedConsoleLogon = time("2026-12-04T10:00:03Z") }, findings: [],
            suppressed: [Outcome(.rootConsoleLogon, "2026-12-04T09:00:00Z", .olderThanLastAlerted)]),
        // First start: a logon inside the window raises.
        ScanCase(
            name: "first start inside window", root: logon("2026-12-01T00:00:00Z"), previous: nil,
            findings: [Outcome(.rootConsoleLogon, "2026-12-01T00:00:00Z", .newerThanLastAlerted)]),
        // First start: older activity is recorded, not alerted.
        ScanCase(
            name: "first start outside window", root: logon("2026-01-01T00:00:00Z"), previous: nil, findings: [],
            suppressed: [Outcome(.rootConsoleLogon, "2026-01-01T00:00:00Z", .firstStartOutsideWindow)]),
        // An account that only ever failed is still on its first start.
        ScanCase(
            name: "first successful scan after failures", root: logon("2026-01-01T00:00:00Z"),
            previous: AccountState(firstSeen: time("2026-12-01T00:00:00Z")), findings: [],
            suppressed: [Outcome(.rootConsoleLogon, "2026-01-01T00:00:00Z", .firstStartOutsideWindow)]),
        // `-` / `N/A` in user_last_logon (parsed to nil): nothing to decide.
        ScanCase(name: "logon sentinel", root: logon(nil), previous: F.scanned(), findings: []),
        // A report logon within 120 s of a logon alerted from ActionTrail is the same logon.
        ScanCase(
            name: "logon already seen through ActionTrail", root: logon("2026-12-04T10:01:30Z"),
            previous: F.scanned {
                $0.lastAlertedConsoleLogon = time("2026-12-04T10:00:00Z")
                $0.recentLogons = [RecentLogon(time: time("2026-12-04T10:00:00Z"), source: .actiontrail, alertID: "a")]
            }, findings: [],
            suppressed: [Outcome(.rootConsoleLogon, "2026-12-04T10:01:30Z", .seenThroughActionTrail)]),
        // 121 s after an ActionTrail logon is a different logon.
        ScanCase(
            name: "logon 121 s after an ActionTrail logon", root: logon("2026-12-04T10:02:01Z"),
            previous: F.scanned {
                $0.lastAlertedConsoleLogon = time("2026-12-04T10:00:00Z")
                $0.recentLogons = [RecentLogon(time: time("2026-12-04T10:00:00Z"), source: .actiontrail, alertID: "a")]
            }, findings: [Outcome(.rootConsoleLogon, "2026-12-04T10:02:01Z", .newerThanLastAlerted)]),
    ]
    + KeySlot.names.flatMap { slot in
        [
            // Each slot's key use inside the window raises for that slot.
            ScanCase(
                name: "\(slot) used inside window", root: used(slot, "2026-12-04T09:30:00Z"), previous: F.scanned(),
                findings: [Outcome(.rootAccessKeyUsed, slot, "2026-12-04T09:30:00Z", .newerThanLastAlerted)]),
            // Each slot's use already alerted raises nothing; another slot's alert does not count.
            ScanCase(
                name: "\(slot) use already alerted", root: used(slot, "2026-12-04T09:30:00Z"),
                previous: F.scanned { $0.keys[slot] = KeyState(lastAlertedUse: time("2026-12-04T09:30:00Z")) },
                findings: [], suppressed: [Outcome(.rootAccessKeyUsed, slot, "2026-12-04T09:30:00Z", .alreadyAlerted)]),
            // Newer than this slot's last alerted use raises.
            ScanCase(
                name: "\(slot) used again", root: used(slot, "2026-12-04T09:30:00Z"),
                previous: F.scanned { $0.keys[slot] = KeyState(lastAlertedUse: time("2026-12-04T08:00:00Z")) },
                findings: [Outcome(.rootAccessKeyUsed, slot, "2026-12-04T09:30:00Z", .newerThanLastAlerted)]),
            // Use outside the window is not a finding.
            ScanCase(
                name: "\(slot) used outside window", root: used(slot, "2026-10-01T00:00:00Z"), previous: F.scanned(),
                findings: [], suppressed: [Outcome(.rootAccessKeyUsed, slot, "2026-10-01T00:00:00Z", .outsideWindow)]),
            // First start: an active key raises root-access-key-active at the report's time.
            ScanCase(
                name: "\(slot) active on first scan", root: keyActive(slot, true), previous: nil,
                findings: [Outcome(.rootAccessKeyActive, slot, "2026-12-04T11:00:00Z", .firstScan)]),
            // A slot that turns active raises.
            ScanCase(
                name: "\(slot) turns active", root: keyActive(slot, true),
                previous: F.scanned { $0.keys[slot] = KeyState(active: false) },
                findings: [Outcome(.rootAccessKeyActive, slot, "2026-12-04T11:00:00Z", .postureChanged)]),
            // Still active since an earlier report: nothing new.
            ScanCase(
                name: "\(slot) still active", root: keyActive(slot, true),
                previous: F.scanned {
                    $0.keys[slot] = KeyState(active: true, activeAlertedSince: time("2026-12-01T00:00:00Z"))
                }, findings: [],
                suppressed: [Outcome(.rootAccessKeyActive, slot, "2026-12-01T00:00:00Z", .postureUnchanged)]),
        ]
    }
    + [
        // Another slot's alerted use does not hide this slot's use.
        ScanCase(
            name: "slots are independent", root: used("access_key_2", "2026-12-04T09:30:00Z"),
            previous: F.scanned { $0.keys["access_key_1"] = KeyState(lastAlertedUse: time("2026-12-04T09:30:00Z")) },
            findings: [Outcome(.rootAccessKeyUsed, "access_key_2", "2026-12-04T09:30:00Z", .newerThanLastAlerted)]),
        // First start: key use older than the window is recorded, not alerted.
        ScanCase(
            name: "first start key use outside window", root: used("access_key_1", "2026-01-01T00:00:00Z"),
            previous: nil, findings: [],
            suppressed: [Outcome(.rootAccessKeyUsed, "access_key_1", "2026-01-01T00:00:00Z", .firstStartOutsideWindow)]
        ),
        // Key slot with sentinels everywhere: inactive, never used, nothing raised.
        ScanCase(
            name: "key slot sentinels",
            root: RootRow(keys: [KeySlot(slot: "access_key_1", exists: false, active: false)]),
            previous: nil, findings: []),
        // MFA off on the first scan raises, dated by the report.
        ScanCase(
            name: "MFA off on first scan", root: RootRow(mfaActive: false), previous: nil,
            findings: [Outcome(.rootMFADisabled, "2026-12-04T11:00:00Z", .firstScan)]),
        // MFA on: nothing.
        ScanCase(name: "MFA on", root: RootRow(mfaActive: true), previous: nil, findings: []),
        // MFA turning off raises.
        ScanCase(
            name: "MFA turns off", root: RootRow(mfaActive: false), previous: F.scanned { $0.mfaActive = true },
            findings: [Outcome(.rootMFADisabled, "2026-12-04T11:00:00Z", .postureChanged)]),
        // MFA still off, already alerted: nothing.
        ScanCase(
            name: "MFA still off", root: RootRow(mfaActive: false),
            previous: F.scanned {
                $0.mfaActive = false
                $0.mfaDisabledAlertedSince = time("2026-11-20T00:00:00Z")
            }, findings: [], suppressed: [Outcome(.rootMFADisabled, "2026-11-20T00:00:00Z", .postureUnchanged)]),
        // No mfa_active column: unknown, raises nothing even on a first scan.
        ScanCase(name: "MFA column absent", root: RootRow(mfaActive: nil), previous: nil, findings: []),
        // A stale account that scans again raises account-recovered, dated now.
        ScanCase(
            name: "recovery", root: RootRow(), previous: F.scanned { $0.stale = true },
            findings: [Outcome(.accountRecovered, "2026-12-04T12:00:00Z", .recovered)]),
    ]

@Suite struct DetectorScanTests {
    @Test(arguments: scanCases)
    func decides(_ row: ScanCase) {
        let decision = F.scan(row.root, previous: row.previous)
        #expect(decision.findings.map(Outcome.init) == row.findings)
        #expect(decision.suppressed.map(Outcome.init) == row.suppressed)
        #expect(decision.nextState.lastAlert?.id == decision.alerts.last?.id ?? row.previous?.lastAlert?.id)
        #expect(decision.nextState.stale == false)
    }

    @Test func alertsCarryTheContractFields() throws {
        let decision = F.scan(
            RootRow(
                lastConsoleLogon: time("2026-12-04T10:00:03Z"),
                keys: [KeySlot(slot: "access_key_1", lastUsed: time("2026-12-04T09:00:00Z"))]),
            previous: nil)
        let logon = try #require(decision.alerts.first)
        #expect(logon.id == "7ff7c8b03a774e26e49b7b62bb4d92fb")  // product.md §1 example
        #expect(logon.accountID == "1234567890123456")
        #expect(logon.window == "7d")
        #expect(logon.source == .credentialReport)
        #expect(logon.reportTime == F.reportTime)
        #expect(logon.detectedAt == F.now)
        let key = try #require(decision.alerts.last)
        #expect(key.kind == .rootAccessKeyUsed && key.keySlot == "access_key_1")
    }

    @Test func successRecordsTheScan() {
        let previous = F.scanned {
            $0.consecutiveFailures = 4
            $0.lastError = "throttled"
            $0.stale = true
            $0.nextDue = time("2026-12-04T12:15:00Z")
        }
        let state = F.scan(RootRow(), previous: previous).nextState
        #expect(state.consecutiveFailures == 0)
        #expect(state.lastError == nil)
        #expect(state.lastSuccessfulScan == F.now)
        #expect(state.lastAttempt == F.now)
        #expect(state.reportTime == F.reportTime)
        #expect(state.stale == false)
        #expect(state.nextDue == previous.nextDue)
        #expect(state.accountID == "1234567890123456")
    }

    @Test func firstStartRecordsOldActivityWithoutAlerting() {
        let root = RootRow(
            lastConsoleLogon: time("2026-01-01T00:00:00Z"),
            keys: [KeySlot(slot: "access_key_2", lastUsed: time("2026-02-02T00:00:00Z"))])
        let decision = F.scan(root, previous: nil)
        #expect(decision.findings.isEmpty)
        #expect(decision.nextState.lastConsoleLogon == time("2026-01-01T00:00:00Z"))
        #expect(decision.nextState.lastAlertedConsoleLogon == nil)
        #expect(decision.nextState.keys["access_key_2"]?.lastUsed == time("2026-02-02T00:00:00Z"))
        #expect(decision.nextState.firstSeen == F.now)
    }

    @Test func nextCycleRaisesNothingForTheSameReport() {
        let root = RootRow(
            lastConsoleLogon: time("2026-12-04T10:00:03Z"), mfaActive: false,
            keys: [KeySlot(slot: "access_key_1", exists: true, active: true, lastUsed: time("2026-12-04T09:00:00Z"))])
        let first = F.scan(root, previous: nil)
        #expect(
            first.findings.map(\.alert.kind) == [
                .rootMFADisabled, .rootAccessKeyActive, .rootConsoleLogon, .rootAccessKeyUsed,
            ])
        let second = F.scan(root, previous: first.nextState, now: F.now.addingTimeInterval(900))
        #expect(second.findings.isEmpty)
        #expect(second.suppressed.count == 4)
    }

    @Test func mfaTurningBackOnThenOffAgainRaisesANewAlert() {
        let off = F.scan(RootRow(mfaActive: false), previous: nil)
        let on = F.scan(RootRow(mfaActive: true), previous: off.nextState, reportTime: time("2026-12-04T15:00:00Z"))
        #expect(on.findings.isEmpty)
        #expect(on.nextState.mfaDisabledAlertedSince == nil)
        #expect(on.nextState.mfaActive == true)
        let offAgain = F.scan(
            RootRow(mfaActive: false), previous: on.nextState, reportTime: time("2026-12-04T19:00:00Z"))
        #expect(
            offAgain.findings.map(Outcome.init) == [Outcome(.rootMFADisabled, "2026-12-04T19:00:00Z", .postureChanged)])
        #expect(offAgain.alerts[0].id != off.alerts[0].id)
    }

    @Test func mfaColumnDisappearingKeepsTheKnownState() {
        let off = F.scan(RootRow(mfaActive: false), previous: nil)
        let unknown = F.scan(RootRow(mfaActive: nil), previous: off.nextState)
        #expect(unknown.nextState.mfaActive == false)
        #expect(F.scan(RootRow(mfaActive: false), previous: unknown.nextState).findings.isEmpty)
    }

    @Test func keyTurningInactiveThenActiveAgainRaisesANewAlert() {
        let active = keyActive("additional_access_key_2", true)
        let first = F.scan(active, previous: nil)
        let inactive = F.scan(keyActive("additional_access_key_2", false), previous: first.nextState)
        #expect(inactive.findings.isEmpty)
        #expect(inactive.nextState.keys["additional_access_key_2"]?.activeAlertedSince == nil)
        let again = F.scan(active, previous: inactive.nextState, reportTime: time("2026-12-04T15:00:00Z"))
        #expect(
            again.findings.map(Outcome.init) == [
                Outcome(.rootAccessKeyActive, "additional_access_key_2", "2026-12-04T15:00:00Z", .postureChanged)
            ])
    }

    @Test func oldRecentLogonsArePruned() {
        let previous = F.scanned {
            $0.recentLogons = [
                RecentLogon(time: time("2026-11-01T00:00:00Z"), source: .actiontrail, alertID: "old"),
                RecentLogon(time: time("2026-12-03T00:00:00Z"), source: .actiontrail, alertID: "kept"),
            ]
        }
        #expect(F.scan(RootRow(), previous: previous).nextState.recentLogons.map(\.alertID) == ["kept"])
    }
}
