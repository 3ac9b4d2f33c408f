import AlibabaCloud
import Foundation
import RootwatchCore
import RootwatchTestSupport
import Synchronization
import Testing

/// ActionTrail polls and report scans of one account through `Monitor`, with clients built by
/// `ScannerFactory` from a configuration and a scripted cloud: both orders of the 120 s rule, and a
/// failing ActionTrail that leaves the report path alone.
@Suite struct MonitorActionTrailTests {
    static let now = time("2026-12-04T12:00:00Z")

    /// Answers STS, IMS and ActionTrail by action from a mutable root logon and event list.
    final class Cloud: Sendable {
        private let state = Mutex<(logon: String, events: [String], trailError: String?)>(("-", [], nil))

        func setLogon(_ time: String) { state.withLock { $0.logon = time } }
        func addEvent(_ json: String) { state.withLock { $0.events.append(json) } }
        func failTrail(_ body: String?) { state.withLock { $0.trailError = body } }

        func answer(_ request: HTTPRequest) -> HTTPResponse {
            let (logon, events, trailError) = state.withLock { $0 }
            switch request.header("x-acs-action") {
            case "GetCallerIdentity":
                return ScriptedTransport.json(
                    #"{"RequestId":"S","AccountId":"1234567890123456","IdentityType":"RAMUser","Arn":"acs:ram::1234567890123456:user/rw"}"#
                )
            case "GenerateCredentialReport":
                return ScriptedTransport.json(#"{"RequestId":"G","State":"COMPLETED"}"#)
            case "GetCredentialReport":
                let csv = "user,user_last_logon,mfa_active\n<root>,\(logon),TRUE\nalice,-,TRUE\n"
                let content = Data(csv.utf8).base64EncodedString()
                return ScriptedTransport.json(
                    #"{"RequestId":"R","GeneratedTime":"2026-12-04T11:59:00Z","Content":"\#(content)","IsTruncated":false}"#
                )
            case "LookupEvents":
                if let trailError { return ScriptedTransport.json(trailError, status: 403) }
                return ScriptedTransport.json(#"{"RequestId":"L","Events":[\#(events.joined(separator: ","))]}"#)
            default:
                return ScriptedTransport.json(#"{"RequestId":"X","Code":"InvalidAction.NotFound"}"#, status: 404)
            }
        }
    }

    struct Harness {
        let cloud = Cloud()
        let sink = RecordingAlertSink()
        let logs = InMemoryLogHandler()
        let store = StateStore()
        let monitor: Monitor
        /// The `host` of every LookupEvents request.
        let trailHosts = Locked<[String]>([])

        init() throws {
            let transport = ScriptedTransport()
            let cloud = cloud
            let hosts = trailHosts
            for _ in 0..<50 {
                transport.enqueue(
                    .handle { request in
                        if request.header("x-acs-action") == "LookupEvents" {
                            hosts.withLock { $0.append(request.header("host") ?? "") }
                        }
                        return cloud.answer(request)
                    })
            }
            var configuration = Configuration(
                files: [],
                credentials: [
                    CredentialsConfiguration(
                        name: "main",
                        source: .accessKey(
                            id: "LTAI5tTESTKEY0001", secret: Secret("testsecret-value"), origin: .inline))
                ],
                accounts: [])
            configuration.endpoints.actiontrail = "https://trail-{region}.example.test"
            var account = AccountConfiguration(name: "prod", credentials: "main", daemon: configuration.daemon)
            account.actiontrail = true
            account.actiontrailRegion = "ap-southeast-1"
            configuration.accounts = [account, AccountConfiguration(name: "plain", credentials: "main")]
            let sleeper = RecordingSleeper(start: MonitorActionTrailTests.now)
            let factory = ScannerFactory(transport: transport, sleeper: sleeper, now: { MonitorActionTrailTests.now })
            let scanners = try factory.scanners(for: configuration)
            #expect(scanners["plain"]?.actionTrail == nil, "no poller without actiontrail = yes")
            monitor = Monitor(
                store: store, scanners: scanners, sinks: [sink], logger: logs.logger,
                now: { MonitorActionTrailTests.now }, changed: {})
            #expect(monitor.actionTrailAccounts == ["prod"])
        }

        var logons: [Alert] { sink.alerts.filter { $0.kind == .rootConsoleLogon } }
    }

    static func rootEvent(_ id: String, _ at: String) -> String {
        #"{"eventId":"\#(id)","eventName":"ConsoleSignin","eventTime":"\#(at)","sourceIpAddress":"203.0.113.7","#
            + #""userIdentity":{"type":"root-account"},"additionalEventData":{"isMFAChecked":true,"loginAccount":"ops"}}"#
    }

    @Test func reportThenEventIsOneAlert() async throws {
        let harness = try Harness()
        harness.cloud.setLogon("2026-12-04T11:50:00Z")
        let scan = try #require(await harness.monitor.scan("prod"))
        #expect(scan.decision.alerts.map(\.kind) == [.rootConsoleLogon])
        #expect(harness.logons.map(\.source) == [.credentialReport])

        // The event arrives late in ActionTrail, 60 s before the report's time: the same logon.
        harness.cloud.addEvent(Self.rootEvent("ev-1", "2026-12-04T11:49:00Z"))
        let poll = try #require(await harness.monitor.poll("prod"))
        #expect(poll.decision.alerts.isEmpty)
        #expect(poll.decision.suppressed.map(\.reason) == [.seenThroughReport])
        #expect(harness.logons.count == 1)
        let state = try #require(harness.store.account("prod"))
        #expect(state.recentLogons.map(\.source) == [.actiontrail, .credentialReport])
        #expect(state.actionTrail?.checkedUntil == Self.now)
        #expect(state.lastSuccessfulScan == Self.now, "the poll kept what the scan recorded")
    }

    @Test func eventThenReportIsOneAlertWithTheEventsDetails() async throws {
        let harness = try Harness()
        harness.cloud.addEvent(Self.rootEvent("ev-1", "2026-12-04T11:50:00Z"))
        let poll = try #require(await harness.monitor.poll("prod"))
        let alert = try #require(poll.decision.alerts.first)
        #expect(alert.source == .actiontrail)
        #expect(alert.accountID == "1234567890123456")
        #expect(alert.mfaChecked == true)
        #expect(alert.loginAccount == "ops")
        #expect(harness.trailHosts.withLock { $0 } == ["trail-ap-southeast-1.example.test"], "the region's endpoint")

        harness.cloud.setLogon("2026-12-04T11:51:00Z")
        let scan = try #require(await harness.monitor.scan("prod"))
        #expect(scan.decision.alerts.isEmpty)
        #expect(scan.decision.suppressed.map(\.reason).contains(.seenThroughActionTrail))
        #expect(harness.logons.map(\.eventID) == ["ev-1"])
        // A report logon with no matching event still alerts.
        harness.cloud.setLogon("2026-12-04T11:58:00Z")
        let next = try #require(await harness.monitor.scan("prod"))
        #expect(next.decision.alerts.map(\.source) == [.credentialReport])
    }

    @Test func aFailingActionTrailIsAnErrorOfTheAccountAndTheReportStillAlerts() async throws {
        let harness = try Harness()
        harness.cloud.failTrail(#"{"RequestId":"F","Code":"ActionTrailNotEnabled","Message":"not enabled"}"#)
        let poll = try #require(await harness.monitor.poll("prod"))
        #expect(!poll.succeeded)
        let errors = harness.logs.entries.filter { $0.level == .error }
        #expect(errors.count == 1)
        #expect(errors.first?.fields["ROOTWATCH_ACCOUNT"] == "prod")
        #expect(errors.first?.message.hasPrefix("ActionTrail poll of prod failed") == true)
        #expect(errors.first?.message.contains("ActionTrail is not enabled in the account") == true)

        harness.cloud.setLogon("2026-12-04T11:50:00Z")
        let scan = try #require(await harness.monitor.scan("prod"))
        #expect(scan.succeeded)
        #expect(harness.logons.map(\.source) == [.credentialReport])
        let state = try #require(harness.store.account("prod"))
        #expect(state.consecutiveFailures == 0)
        #expect(state.actionTrail?.checkedUntil == nil, "the cursor did not move")
        #expect(state.actionTrail?.lastError?.contains("ActionTrailNotEnabled") == true)
    }

    @Test func malformedEventsAreLoggedAsErrorsOfTheAccount() async throws {
        let harness = try Harness()
        harness.cloud.addEvent(
            #"{"eventId":"bad-1","eventName":"ConsoleSignin","userIdentity":{"type":"root-account"}}"#)
        harness.cloud.addEvent(Self.rootEvent("ev-1", "2026-12-04T11:50:00Z"))
        let poll = try #require(await harness.monitor.poll("prod"))
        #expect(poll.succeeded)
        #expect(harness.logons.map(\.eventID) == ["ev-1"])
        let error = try #require(harness.logs.entries.first { $0.level == .error })
        #expect(error.fields["ROOTWATCH_ACCOUNT"] == "prod")
        #expect(error.fields["ROOTWATCH_EVENT_ID"] == "bad-1")
        #expect(error.message == #"ActionTrail poll of prod: ActionTrail event "bad-1" has no eventTime; skipped"#)
    }
}
