/// What an alert is about. Each kind has a fixed severity, journal priority and `MESSAGE_ID`
/// (product.md §1), so operators can filter with `journalctl MESSAGE_ID=…` and read the catalog.
package enum FindingKind: String, Sendable, Codable, CaseIterable {
    case rootConsoleLogon = "root-console-logon"
    case rootAccessKeyUsed = "root-access-key-used"
    case rootMFADisabled = "root-mfa-disabled"
    case rootAccessKeyActive = "root-access-key-active"
    case accountStale = "account-stale"
    case accountRecovered = "account-recovered"
    case test = "test"

    package var severity: Severity {
        switch self {
        case .rootConsoleLogon, .rootAccessKeyUsed: .critical
        case .rootMFADisabled, .rootAccessKeyActive, .accountStale: .warning
        case .accountRecovered: .notice
        case .test: .info
        }
    }

    /// syslog priority of the journal entry: 2 crit, 4 warning, 5 notice, 6 info.
    package var journalPriority: Int { severity.journalPriority }

    /// The 128-bit journal message id, as 32 lower-case hex digits.
    package var messageID: String {
        switch self {
        case .rootConsoleLogon: "ef0c6e4d1267437a9931212df871bdba"
        case .rootAccessKeyUsed: "9f05535365734f8881ebdf6594226b54"
        case .rootMFADisabled: "f0a9d745538a4c53a34c58e79ce63528"
        case .rootAccessKeyActive: "ecf7e717041349f58b70c3cab8263257"
        case .accountStale: "ccf16b2e60ab4e3392c94ed284b32e55"
        case .accountRecovered: "af6954f19eca4836a5607485b2d6ed12"
        case .test: "23b0b7b4dd834c5c98b189f10f9e8728"
        }
    }

    /// True for the kinds that report root *use* (as opposed to posture or account health).
    package var isRootActivity: Bool { self == .rootConsoleLogon || self == .rootAccessKeyUsed }
}

/// How urgent an alert is; maps to syslog priorities in the journal.
package enum Severity: String, Sendable, Codable {
    case critical, warning, notice, info

    package var journalPriority: Int {
        switch self {
        case .critical: 2
        case .warning: 4
        case .notice: 5
        case .info: 6
        }
    }
}

/// Where the evidence for an alert came from.
package enum AlertSource: String, Sendable, Codable {
    case credentialReport = "credential-report"
    case actiontrail = "actiontrail"
    /// `rootwatchd test-alert`.
    case test = "test"
}

/// Journal `MESSAGE_ID` of scan lifecycle messages (started, finished, errors).
package let scanLifecycleMessageID = "7d6f2f7c34ef4a5e93b884a52b0dc8da"
