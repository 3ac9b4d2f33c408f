import AlibabaCloud
import FoundationEssentials

/// One finding as it is delivered: to the journal always, and to every webhook whose filters match.
///
/// The id is deterministic (product.md §1), so the same activity seen again — next cycle, after a
/// restart, by a second instance, or through both ActionTrail and the report — yields the same id and
/// every sink can dedupe on it.
package struct Alert: Sendable, Codable, Equatable {
    package var id: String
    package var kind: FindingKind
    /// The configured account name (`[account NAME]`).
    package var account: String
    /// The 16-digit Alibaba Cloud account ID from `GetCallerIdentity`, when known.
    package var accountID: String?
    /// When the activity happened (see `Alert.id` for what that means per kind).
    package var activityTime: Date
    /// When rootwatchd detected it.
    package var detectedAt: Date
    /// The account's window as configured, e.g. `7d`.
    package var window: String
    package var source: AlertSource
    /// `access_key_1`, `access_key_2`, `additional_access_key_1` … `_3`; nil when not about a key.
    package var keySlot: String?
    package var sourceIP: String?
    package var userAgent: String?
    package var mfaChecked: Bool?
    package var eventID: String?
    package var region: String?
    /// The sign-in name the root user typed (`additionalEventData.loginAccount`), for ActionTrail logons.
    package var loginAccount: String?
    /// `GeneratedTime` of the credential report the finding came from.
    package var reportTime: Date?
    /// One readable sentence.
    package var message: String

    package init(
        kind: FindingKind,
        account: String,
        accountID: String?,
        activityTime: Date,
        detectedAt: Date,
        window: String,
        source: AlertSource,
        keySlot: String? = nil,
        sourceIP: String? = nil,
        userAgent: String? = nil,
        mfaChecked: Bool? = nil,
        eventID: String? = nil,
        region: String? = nil,
        loginAccount: String? = nil,
        reportTime: Date? = nil,
        message: String? = nil
    ) {
        self.id = Alert.id(account: account, kind: kind, keySlot: keySlot, activityTime: activityTime)
        self.kind = kind
        self.account = account
        self.accountID = accountID
        self.activityTime = activityTime
        self.detectedAt = detectedAt
        self.window = window
        self.source = source
        self.keySlot = keySlot
        self.sourceIP = sourceIP
        self.userAgent = userAgent
        self.mfaChecked = mfaChecked
        self.eventID = eventID
        self.region = region
        self.loginAccount = loginAccount
        self.reportTime = reportTime
        self.message = ""
        self.message = message ?? defaultMessage
    }

    package var severity: Severity { kind.severity }

    /// `lowercase hex SHA-256("<account>|<kind>|<slot or ->|<activity time>")`, first 32 characters.
    package static func id(account: String, kind: FindingKind, keySlot: String?, activityTime: Date) -> String {
        let text = "\(account)|\(kind.rawValue)|\(keySlot ?? "-")|\(Timestamp.format(activityTime))"
        return String(Digest.sha256Hex(text).prefix(32))
    }

    private var accountLabel: String { accountID.map { "\(account) (\($0))" } ?? account }

    private var defaultMessage: String {
        let at = Timestamp.format(activityTime)
        switch kind {
        case .rootConsoleLogon:
            let from = sourceIP.map { " from \($0)" } ?? ""
            return "Root console logon on account \(accountLabel) at \(at)\(from)"
        case .rootAccessKeyUsed:
            return "Root AccessKey \(keySlot ?? "?") used on account \(accountLabel) at \(at)"
        case .rootMFADisabled:
            return "Root account of \(accountLabel) has no MFA device (report of \(at))"
        case .rootAccessKeyActive:
            return "Root account of \(accountLabel) has an active AccessKey in \(keySlot ?? "?") (report of \(at))"
        case .accountStale:
            return "Account \(accountLabel) has not been scanned successfully since before \(at)"
        case .accountRecovered:
            return "Account \(accountLabel) scanned successfully again at \(at)"
        case .test:
            return "Test alert from rootwatchd at \(at)"
        }
    }
}
