import Foundation
import RootwatchCore
import Testing

/// Shared instants and helpers for the detector tables: account `prod`, window 7d, now 2026-12-04T12:00:00Z.
enum DetectorFixture {
    static let now = time("2026-12-04T12:00:00Z")
    static let reportTime = time("2026-12-04T11:00:00Z")
    static let window = Duration.seconds(7 * 86_400)
    static let staleAfter = Duration.seconds(6 * 3_600)

    /// A state that has scanned successfully before, with nothing alerted.
    static func scanned(_ change: (inout AccountState) -> Void = { _ in }) -> AccountState {
        var state = AccountState(firstSeen: time("2026-11-01T00:00:00Z"))
        state.lastSuccessfulScan = time("2026-12-04T11:45:00Z")
        state.reportTime = time("2026-12-04T07:00:00Z")
        change(&state)
        return state
    }

    static func scan(
        _ root: RootRow, previous: AccountState?, reportTime: Date = reportTime, now: Date = now
    ) -> ScanDecision {
        Detector.decideScan(
            account: "prod", accountID: "1234567890123456", window: window, windowText: "7d",
            report: (reportTime: reportTime, root: root), previous: previous, now: now)
    }

    static func signIns(_ events: [SignInEvent], previous: AccountState?, now: Date = now) -> ScanDecision {
        Detector.decideSignIns(
            account: "prod", accountID: "1234567890123456", events: events, window: window, windowText: "7d",
            previous: previous, now: now)
    }

    static func fail(previous: AccountState?, now: Date = now) -> ScanDecision {
        Detector.decideFailure(
            account: "prod", accountID: "1234567890123456", error: "throttled", staleAfter: staleAfter,
            window: window, windowText: "7d", previous: previous, now: now)
    }

    static func event(_ id: String, _ at: String, failed: Bool = false) -> SignInEvent {
        SignInEvent(
            eventID: id, time: time(at), sourceIP: "203.0.113.7", userAgent: "Mozilla/5.0", mfaChecked: false,
            region: "cn-hangzhou", loginAccount: "Alice", failed: failed, errorCode: failed ? "WrongPassword" : nil)
    }
}

/// One expected finding or suppression, compared without the alert's other fields.
struct Outcome: Equatable, Sendable, CustomStringConvertible {
    var kind: FindingKind
    var slot: String?
    var at: Date?
    var reason: Reason

    init(_ kind: FindingKind, _ slot: String, _ at: String?, _ reason: Reason) {
        self.kind = kind
        self.slot = slot
        self.at = at.map(time)
        self.reason = reason
    }

    init(_ kind: FindingKind, _ at: String?, _ reason: Reason) {
        self.kind = kind
        self.at = at.map(time)
        self.reason = reason
    }

    init(_ finding: Finding) {
        kind = finding.alert.kind
        slot = finding.alert.keySlot
        at = finding.alert.activityTime
        reason = finding.reason
    }

    init(_ suppression: Suppression) {
        kind = suppression.kind
        slot = suppression.keySlot
        at = suppression.activityTime
        reason = suppression.reason
    }

    var description: String {
        "\(kind.rawValue) \(slot ?? "-") \(at.map(Timestamp.format) ?? "-") \(reason.rawValue)"
    }
}
