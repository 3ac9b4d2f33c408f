import AlibabaCloud
import FoundationEssentials

/// Fetches what one credential-report scan of one account needs: the account ID (once) and the
/// parsed report, or the one-line reason it could not.
///
/// Fetching is the slow, networked half of a scan and runs without holding anything; deciding what
/// it means (`ScanObservation.decide`) happens afterwards against the account's latest state.
///
/// A class, shared rather than copied: its clients hold transports, providers and closures, and a
/// fleet of a thousand accounts keeps a thousand of them in dictionaries.
package final class AccountScanner: Sendable {
    /// What detection needs to know about the account.
    package struct Settings: Sendable, Equatable {
        package var name: String
        package var window: Duration
        /// The window as configured, e.g. `7d`, carried in alerts.
        package var windowText: String
        package var staleAfter: Duration

        package init(name: String, window: Duration, windowText: String, staleAfter: Duration) {
            self.name = name
            self.window = window
            self.windowText = windowText
            self.staleAfter = staleAfter
        }
    }

    package let settings: Settings
    package let ims: IMSClient
    package let sts: STSClient
    /// The account's ActionTrail poller; nil unless `actiontrail = yes`.
    package let actionTrail: ActionTrailPoller?

    package init(settings: Settings, ims: IMSClient, sts: STSClient, actionTrail: ActionTrailPoller? = nil) {
        self.settings = settings
        self.ims = ims
        self.sts = sts
        self.actionTrail = actionTrail
    }

    /// Fetches and parses the report. Returns nil when the task was cancelled (shutdown): a cancelled
    /// scan is neither a success nor a failure and changes nothing.
    package func fetch(knownAccountID: String?) async -> ScanObservation? {
        var accountID = knownAccountID
        do {
            if accountID == nil {
                accountID = try await sts.getCallerIdentity().accountID
            }
            let download = try await ims.fetchCredentialReport()
            guard let reportTime = Timestamp.parse(download.generatedTime) else {
                throw ScanError.badGeneratedTime(download.generatedTime)
            }
            let report = try CredentialReport.parse(pages: download.pages)
            return ScanObservation(settings: settings, accountID: accountID, result: .report(reportTime, report))
        } catch {
            if Task.isCancelled || error is CancellationError { return nil }
            if let cloud = error as? AlibabaCloudError, case .network(.cancelled) = cloud.kind { return nil }
            let message = Self.describe(error, account: settings.name)
            return ScanObservation(settings: settings, accountID: accountID, result: .failure(message))
        }
    }

    /// One line naming the account and the cause.
    static func describe(_ error: any Error, account: String) -> String {
        switch error {
        case let cloud as AlibabaCloudError: cloud.description
        case let report as ReportError: "account \(account): \(report)"
        case let scan as ScanError: "account \(account): \(scan)"
        default: "account \(account): \(error)"
        }
    }
}

/// What a fetch saw: the report, or why there is none.
package struct ScanObservation: Sendable {
    package enum Result: Sendable {
        case report(Date, CredentialReport)
        case failure(String)
    }

    package var settings: AccountScanner.Settings
    package var accountID: String?
    package var result: Result

    /// Decides against `previous` (the account's state at this moment) what the observation raises.
    package func decide(previous: AccountState?, now: Date) -> ScanOutcome {
        switch result {
        case .report(let reportTime, let report):
            let decision = Detector.decideScan(
                account: settings.name, accountID: accountID, window: settings.window,
                windowText: settings.windowText, report: (reportTime, report.root), previous: previous, now: now)
            return ScanOutcome(
                account: settings.name, decision: decision, report: report, reportTime: reportTime, failure: nil)
        case .failure(let message):
            let decision = Detector.decideFailure(
                account: settings.name, accountID: accountID, error: message, staleAfter: settings.staleAfter,
                window: settings.window, windowText: settings.windowText, previous: previous, now: now)
            return ScanOutcome(
                account: settings.name, decision: decision, report: nil, reportTime: nil, failure: message)
        }
    }
}

/// Scan problems that are neither cloud errors nor report errors.
package enum ScanError: Error, Equatable, CustomStringConvertible {
    case badGeneratedTime(String)

    package var description: String {
        switch self {
        case .badGeneratedTime(let text): "credential report GeneratedTime \"\(text)\" is not a UTC timestamp"
        }
    }
}

/// What one scan or ActionTrail poll decided: the alerts and next state and, for `check`, what it read.
///
/// A class, kept by reference: `check` holds one per account until it prints, and as a value each
/// would be copied into its collection at full size (a state, a decision and a report row apiece).
package final class ScanOutcome: Sendable {
    package let account: String
    package let decision: ScanDecision
    /// The parsed report (without its header row); nil when the scan failed, and for ActionTrail polls.
    package let report: CredentialReport?
    package let reportTime: Date?
    /// One line naming the cause; nil when the scan succeeded.
    package let failure: String?
    /// What an ActionTrail poll read (only its range when it failed); nil for credential-report scans.
    package let actionTrail: ActionTrailRead?

    package init(
        account: String, decision: ScanDecision, report: CredentialReport?, reportTime: Date?, failure: String?,
        actionTrail: ActionTrailRead? = nil
    ) {
        self.account = account
        self.decision = decision
        // The header is not kept: nothing reads it after parsing, and a fleet's worth of column names
        // would cost megabytes in a long `check`.
        self.report = report.map {
            CredentialReport(root: $0.root, userCount: $0.userCount, columns: [], diagnostics: $0.diagnostics)
        }
        self.reportTime = reportTime
        self.failure = failure
        self.actionTrail = actionTrail
    }

    package var succeeded: Bool { failure == nil }

    /// What a report of the outcome needs (alerts, root row, warnings, failure, the account ID), without
    /// the next state and the suppressions: `check` keeps one per account until it prints.
    package func slimmedForReport() -> ScanOutcome {
        var state = AccountState()
        state.accountID = decision.nextState.accountID
        return ScanOutcome(
            account: account, decision: ScanDecision(findings: decision.findings, nextState: state), report: report,
            reportTime: reportTime, failure: failure, actionTrail: actionTrail)
    }
}
