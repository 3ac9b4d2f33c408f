import AlibabaCloud
import FoundationEssentials

/// The per-account JSON shape shared by `check --json` and `status --json` (product.md §2), built from
/// a scan outcome or from saved state. Field names are stable: scripts and tests rely on them.
package enum AccountView {
    /// One account of `check --json`; `poll` is the account's ActionTrail poll, when it has one.
    ///
    /// `findings` lists what the report scan raised (none when it failed) followed by what the poll raised
    /// (source `actiontrail`); `actiontrail` says what the poll read, or is null without ActionTrail.
    package static func check(
        outcome: ScanOutcome, accountID: String?, windowText: String, poll: ScanOutcome? = nil
    ) -> JSONValue {
        let polled = poll.map { $0.succeeded ? $0.decision.alerts : [] } ?? []
        var object: [String: JSONValue] = [
            "account": .string(outcome.account),
            "account_id": .string(accountID),
            "ok": .bool(outcome.succeeded),
            "error": .string(outcome.failure),
            "window": .string(windowText),
            "report_time": .string(outcome.reportTime.map(Timestamp.format)),
            "root": .null,
            "findings": .array(((outcome.succeeded ? outcome.decision.alerts : []) + polled).map(finding)),
            "actiontrail": poll.map(actionTrail) ?? .null,
            "warnings": .array((outcome.report?.diagnostics ?? []).map { .string("\($0.column): \($0.message)") }),
        ]
        if let root = outcome.report?.root {
            object["root"] = [
                "last_console_logon": .string(root.lastConsoleLogon.map(Timestamp.format)),
                "mfa_active": .bool(root.mfaActive),
                "access_keys": .array(
                    root.keys.map { key in
                        [
                            "slot": .string(key.slot), "active": .bool(key.active),
                            "last_used": .string(key.lastUsed.map(Timestamp.format)),
                        ]
                    }),
            ]
        }
        return .object(object)
    }

    /// One account of `status --json`: the same shape from saved state, plus scheduling and delivery.
    package static func status(account: String, state: AccountState?, windowText: String?) -> JSONValue {
        let state = state ?? AccountState()
        let slots = state.keys.keys.sorted { slotOrder($0) < slotOrder($1) }
        return [
            "account": .string(account),
            "account_id": .string(state.accountID),
            "ok": .bool(state.lastAttempt == nil ? nil : state.consecutiveFailures == 0),
            "error": .string(state.lastError),
            "window": .string(windowText),
            "report_time": time(state.reportTime),
            "root": [
                "last_console_logon": time(state.lastConsoleLogon),
                "mfa_active": .bool(state.mfaActive),
                "access_keys": .array(
                    slots.map { slot in
                        let key = state.keys[slot]
                        return ["slot": .string(slot), "active": .bool(key?.active), "last_used": time(key?.lastUsed)]
                    }),
            ],
            "last_root_key_use": time(state.keys.values.compactMap(\.lastUsed).max()),
            "last_successful_scan": time(state.lastSuccessfulScan),
            "last_attempt": time(state.lastAttempt),
            "consecutive_failures": .number(Double(state.consecutiveFailures)),
            "stale": .bool(state.stale),
            "next_due": time(state.nextDue),
            "last_alert": state.lastAlert.map { alert in
                ["id": .string(alert.id), "kind": .string(alert.kind.rawValue), "at": time(alert.at)]
            } ?? .null,
            "actiontrail": state.actionTrail.map { cursor in
                [
                    "checked_until": time(cursor.checkedUntil), "last_poll": time(cursor.lastPoll),
                    "error": .string(cursor.lastError),
                ]
            } ?? .null,
        ]
    }

    /// One finding of `check --json`; the event fields are null unless the finding came from ActionTrail.
    package static func finding(_ alert: Alert) -> JSONValue {
        [
            "kind": .string(alert.kind.rawValue), "id": .string(alert.id),
            "activity_time": time(alert.activityTime), "key_slot": .string(alert.keySlot),
            "source": .string(alert.source.rawValue), "severity": .string(alert.severity.rawValue),
            "message": .string(alert.message), "source_ip": .string(alert.sourceIP),
            "user_agent": .string(alert.userAgent), "mfa_checked": .bool(alert.mfaChecked),
            "event_id": .string(alert.eventID), "region": .string(alert.region),
            "login_account": .string(alert.loginAccount),
        ]
    }

    /// The `actiontrail` object of `check --json`: the range read and every root sign-in in it.
    package static func actionTrail(_ poll: ScanOutcome) -> JSONValue {
        let read = poll.actionTrail
        return [
            "ok": .bool(poll.succeeded), "error": .string(poll.failure),
            "checked_from": time(read?.range.lowerBound), "checked_until": time(read?.range.upperBound),
            "pages": .number(Double(read?.pages ?? 0)),
            "events": .array((read?.events ?? []).sorted { $0.time < $1.time }.map(event)),
            "malformed": .array((read?.malformed ?? []).map { .string($0.description) }),
        ]
    }

    /// One root sign-in event of `check --json`.
    package static func event(_ event: SignInEvent) -> JSONValue {
        [
            "event_id": .string(event.eventID), "time": time(event.time), "failed": .bool(event.failed),
            "error_code": .string(event.errorCode), "source_ip": .string(event.sourceIP),
            "user_agent": .string(event.userAgent), "mfa_checked": .bool(event.mfaChecked),
            "region": .string(event.region), "login_account": .string(event.loginAccount),
        ]
    }

    private static func time(_ date: Date?) -> JSONValue { .string(date.map(Timestamp.format)) }

    private static func slotOrder(_ slot: String) -> Int { KeySlot.names.firstIndex(of: slot) ?? KeySlot.names.count }
}
