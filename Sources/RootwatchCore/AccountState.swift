import FoundationEssentials

/// Everything rootwatchd remembers about one account between cycles and restarts: what detection needs to
/// alert once per activity, and what `status` shows.
///
/// Stored in `state.json` with snake_case keys and times as `YYYY-MM-DDThh:mm:ssZ` strings (see
/// `AccountState+Codable.swift`). Every key is optional on reading, so a newer daemon reads an older file.
package struct AccountState: Sendable, Equatable, Codable {
    /// The 16-digit account ID from `GetCallerIdentity`.
    package var accountID: String?
    /// When this account was first known to the daemon; the stale clock of an account never scanned.
    package var firstSeen: Date?
    package var lastSuccessfulScan: Date?
    package var lastAttempt: Date?
    package var consecutiveFailures: Int = 0
    /// One line naming why the last attempt failed; nil after a success.
    package var lastError: String?
    /// `GeneratedTime` of the last report read.
    package var reportTime: Date?
    /// Latest root console logon seen from any source.
    package var lastConsoleLogon: Date?
    /// Latest root console logon already alerted (or matched to an alerted one).
    package var lastAlertedConsoleLogon: Date?
    /// Per key slot (`access_key_1` …), what was seen and alerted.
    package var keys: [String: KeyState] = [:]
    /// `mfa_active` as last known; nil while no report had the column.
    package var mfaActive: Bool?
    /// Activity time (report `GeneratedTime`) of the `root-mfa-disabled` alert for the current MFA-off
    /// period; nil while MFA is on or before any report showed it off.
    package var mfaDisabledAlertedSince: Date?
    /// `account-stale` was raised and the account has not scanned successfully since.
    package var stale: Bool = false
    package var lastAlert: LastAlert?
    /// When the scheduler plans the next scan; kept as is by detection.
    package var nextDue: Date?
    /// Console logons alerted recently, for the 120 s match between ActionTrail and the report and for
    /// ActionTrail's overlapping polls; pruned to the window.
    package var recentLogons: [RecentLogon] = []
    /// Where ActionTrail polling stands; kept as is by detection.
    package var actionTrail: ActionTrailCursor?

    /// A fresh state for an account first known at `firstSeen`.
    package init(firstSeen: Date? = nil) {
        self.firstSeen = firstSeen
    }
}

/// What was seen and alerted for one root AccessKey slot.
package struct KeyState: Sendable, Equatable, Codable {
    /// Latest `<slot>_last_used` seen.
    package var lastUsed: Date?
    /// Latest `<slot>_last_used` already alerted.
    package var lastAlertedUse: Date?
    /// `<slot>_active` as last known.
    package var active: Bool?
    /// Activity time (report `GeneratedTime`) of the `root-access-key-active` alert for the current active
    /// period; nil while the slot is inactive.
    package var activeAlertedSince: Date?

    package init(
        lastUsed: Date? = nil, lastAlertedUse: Date? = nil, active: Bool? = nil, activeAlertedSince: Date? = nil
    ) {
        self.lastUsed = lastUsed
        self.lastAlertedUse = lastAlertedUse
        self.active = active
        self.activeAlertedSince = activeAlertedSince
    }
}

/// The most recent alert raised for an account, for `status`.
package struct LastAlert: Sendable, Equatable, Codable {
    package var id: String
    package var kind: FindingKind
    /// When it was detected.
    package var at: Date

    package init(id: String, kind: FindingKind, at: Date) {
        self.id = id
        self.kind = kind
        self.at = at
    }
}

/// A root console logon that was alerted, or matched to an alerted one.
package struct RecentLogon: Sendable, Equatable, Codable {
    package var time: Date
    package var source: AlertSource
    /// The alert that covers this logon.
    package var alertID: String
    /// The ActionTrail event id, for logons seen as events.
    package var eventID: String?

    package init(time: Date, source: AlertSource, alertID: String, eventID: String? = nil) {
        self.time = time
        self.source = source
        self.alertID = alertID
        self.eventID = eventID
    }
}

/// How far ActionTrail `ConsoleSignin` events have been read for an account.
package struct ActionTrailCursor: Sendable, Equatable, Codable {
    /// Events up to this time have been read; the next poll starts here minus the overlap.
    package var checkedUntil: Date?
    /// When the last successful poll ran.
    package var lastPoll: Date?
    /// One line naming why the last poll failed; nil after a success.
    package var lastError: String?

    package init(checkedUntil: Date? = nil, lastPoll: Date? = nil, lastError: String? = nil) {
        self.checkedUntil = checkedUntil
        self.lastPoll = lastPoll
        self.lastError = lastError
    }
}
