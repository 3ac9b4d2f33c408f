import FoundationEssentials

// The state file's shape: snake_case keys, times as `YYYY-MM-DDThh:mm:ssZ` strings whatever the encoder's
// date strategy, absent values omitted, and every key optional on reading so older files still load.

extension AccountState {
    private enum CodingKeys: String, CodingKey {
        case accountID = "account_id"
        case firstSeen = "first_seen"
        case lastSuccessfulScan = "last_successful_scan"
        case lastAttempt = "last_attempt"
        case consecutiveFailures = "consecutive_failures"
        case lastError = "last_error"
        case reportTime = "report_time"
        case lastConsoleLogon = "last_console_logon"
        case lastAlertedConsoleLogon = "last_alerted_console_logon"
        case keys
        case mfaActive = "mfa_active"
        case mfaDisabledAlertedSince = "mfa_disabled_alerted_since"
        case stale
        case lastAlert = "last_alert"
        case nextDue = "next_due"
        case recentLogons = "recent_logons"
        case actionTrail = "actiontrail"
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        accountID = try c.decodeIfPresent(String.self, forKey: .accountID)
        firstSeen = try c.decodeTime(.firstSeen)
        lastSuccessfulScan = try c.decodeTime(.lastSuccessfulScan)
        lastAttempt = try c.decodeTime(.lastAttempt)
        consecutiveFailures = try c.decodeIfPresent(Int.self, forKey: .consecutiveFailures) ?? 0
        lastError = try c.decodeIfPresent(String.self, forKey: .lastError)
        reportTime = try c.decodeTime(.reportTime)
        lastConsoleLogon = try c.decodeTime(.lastConsoleLogon)
        lastAlertedConsoleLogon = try c.decodeTime(.lastAlertedConsoleLogon)
        keys = try c.decodeIfPresent([String: KeyState].self, forKey: .keys) ?? [:]
        mfaActive = try c.decodeIfPresent(Bool.self, forKey: .mfaActive)
        mfaDisabledAlertedSince = try c.decodeTime(.mfaDisabledAlertedSince)
        stale = try c.decodeIfPresent(Bool.self, forKey: .stale) ?? false
        lastAlert = try c.decodeIfPresent(LastAlert.self, forKey: .lastAlert)
        nextDue = try c.decodeTime(.nextDue)
        recentLogons = try c.decodeIfPresent([RecentLogon].self, forKey: .recentLogons) ?? []
        actionTrail = try c.decodeIfPresent(ActionTrailCursor.self, forKey: .actionTrail)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(accountID, forKey: .accountID)
        try c.encodeTime(firstSeen, forKey: .firstSeen)
        try c.encodeTime(lastSuccessfulScan, forKey: .lastSuccessfulScan)
        try c.encodeTime(lastAttempt, forKey: .lastAttempt)
        try c.encode(consecutiveFailures, forKey: .consecutiveFailures)
        try c.encodeIfPresent(lastError, forKey: .lastError)
        try c.encodeTime(reportTime, forKey: .reportTime)
        try c.encodeTime(lastConsoleLogon, forKey: .lastConsoleLogon)
        try c.encodeTime(lastAlertedConsoleLogon, forKey: .lastAlertedConsoleLogon)
        try c.encode(keys, forKey: .keys)
        try c.encodeIfPresent(mfaActive, forKey: .mfaActive)
        try c.encodeTime(mfaDisabledAlertedSince, forKey: .mfaDisabledAlertedSince)
        try c.encode(stale, forKey: .stale)
        try c.encodeIfPresent(lastAlert, forKey: .lastAlert)
        try c.encodeTime(nextDue, forKey: .nextDue)
        try c.encode(recentLogons, forKey: .recentLogons)
        try c.encodeIfPresent(actionTrail, forKey: .actionTrail)
    }
}

extension KeyState {
    private enum CodingKeys: String, CodingKey {
        case lastUsed = "last_used"
        case lastAlertedUse = "last_alerted_use"
        case active
        case activeAlertedSince = "active_alerted_since"
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            lastUsed: try c.decodeTime(.lastUsed), lastAlertedUse: try c.decodeTime(.lastAlertedUse),
            active: try c.decodeIfPresent(Bool.self, forKey: .active),
            activeAlertedSince: try c.decodeTime(.activeAlertedSince))
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeTime(lastUsed, forKey: .lastUsed)
        try c.encodeTime(lastAlertedUse, forKey: .lastAlertedUse)
        try c.encodeIfPresent(active, forKey: .active)
        try c.encodeTime(activeAlertedSince, forKey: .activeAlertedSince)
    }
}

extension LastAlert {
    private enum CodingKeys: String, CodingKey {
        case id, kind, at
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id), kind: try c.decode(FindingKind.self, forKey: .kind),
            at: try c.requireTime(.at))
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(kind, forKey: .kind)
        try c.encodeTime(at, forKey: .at)
    }
}

extension RecentLogon {
    private enum CodingKeys: String, CodingKey {
        case time, source
        case alertID = "alert_id"
        case eventID = "event_id"
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            time: try c.requireTime(.time), source: try c.decode(AlertSource.self, forKey: .source),
            alertID: try c.decode(String.self, forKey: .alertID),
            eventID: try c.decodeIfPresent(String.self, forKey: .eventID))
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeTime(time, forKey: .time)
        try c.encode(source, forKey: .source)
        try c.encode(alertID, forKey: .alertID)
        try c.encodeIfPresent(eventID, forKey: .eventID)
    }
}

extension ActionTrailCursor {
    private enum CodingKeys: String, CodingKey {
        case checkedUntil = "checked_until"
        case lastPoll = "last_poll"
        case lastError = "last_error"
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            checkedUntil: try c.decodeTime(.checkedUntil), lastPoll: try c.decodeTime(.lastPoll),
            lastError: try c.decodeIfPresent(String.self, forKey: .lastError))
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeTime(checkedUntil, forKey: .checkedUntil)
        try c.encodeTime(lastPoll, forKey: .lastPoll)
        try c.encodeIfPresent(lastError, forKey: .lastError)
    }
}

extension KeyedDecodingContainer {
    /// A time stored as `YYYY-MM-DDThh:mm:ssZ`; nil when the key is absent or null.
    fileprivate func decodeTime(_ key: Key) throws -> Date? {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let date = Timestamp.parse(text) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "\"\(text)\" is not a YYYY-MM-DDThh:mm:ssZ time")
        }
        return date
    }

    fileprivate func requireTime(_ key: Key) throws -> Date {
        guard let date = try decodeTime(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "time is required"))
        }
        return date
    }
}

extension KeyedEncodingContainer {
    fileprivate mutating func encodeTime(_ date: Date?, forKey key: Key) throws {
        if let date { try encode(Timestamp.format(date), forKey: key) }
    }
}
