import AlibabaCloud
import Foundation
import RootwatchCore
import RootwatchTestSupport
import Testing

/// `ActionTrailPoller` against scripted LookupEvents answers, on the recording sleeper's virtual clock:
/// the range asked for, paging, pacing, retries, and what the cursor does on success and failure.
@Suite struct ActionTrailPollerTests {
    static let now = time("2026-12-04T12:00:00Z")
    static let settings = ActionTrailPoller.Settings(
        name: "prod", window: .seconds(7 * 86_400), windowText: "7d", overlap: .seconds(600))

    /// A poller for account `prod` whose RPC client and pacing share one virtual clock starting at `now`.
    struct Harness {
        let transport = ScriptedTransport()
        let sleeper = RecordingSleeper(start: ActionTrailPollerTests.now)

        func poller(settings: ActionTrailPoller.Settings = ActionTrailPollerTests.settings) -> ActionTrailPoller {
            let sleeper = sleeper
            let rpc = RPCClient(
                account: "prod", transport: transport,
                credentials: StaticCredentialProvider(
                    AccessKeyCredential(accessKeyID: "LTAI5tTESTKEY0001", accessKeySecret: "testsecret-value")),
                options: .init(retryPolicy: RetryPolicy(jitter: { 0.5 })), sleeper: sleeper, now: { sleeper.now() })
            let endpoint = try! Endpoint("https://actiontrail.cn-hangzhou.aliyuncs.com")
            return ActionTrailPoller(
                settings: settings, client: ActionTrailClient(rpc: rpc, endpoint: endpoint),
                sts: STSClient(rpc: rpc, endpoint: try! Endpoint("https://sts.aliyuncs.com")), sleeper: sleeper,
                now: { sleeper.now() })
        }

        /// The query of every request, by name.
        var queries: [[String: String]] { transport.requests.map(query) }
    }

    static func root(_ id: String, _ at: String) -> String {
        #"{"eventId":"\#(id)","eventName":"ConsoleSignin","eventType":"ConsoleSignin","eventTime":"\#(at)","#
            + #""userIdentity":{"type":"root-account","userName":"root"},"sourceIpAddress":"203.0.113.7","#
            + #""userAgent":"Mozilla/5.0","acsRegion":"cn-hangzhou","#
            + #""additionalEventData":{"loginAccount":"ops@example.com","isMFAChecked":"false"}}"#
    }

    static func ram(_ id: String, _ at: String) -> String {
        #"{"eventId":"\#(id)","eventName":"ConsoleSignin","eventTime":"\#(at)","#
            + #""userIdentity":{"type":"ram-user","userName":"alice"},"additionalEventData":{"mfaChecked":"true"}}"#
    }

    static func page(_ events: [String], next: String? = nil) -> String {
        let token = next.map { #","NextToken":"\#($0)""# } ?? ""
        return #"{"RequestId":"R-\#(UUID().uuidString)","Events":[\#(events.joined(separator: ","))]\#(token)}"#
    }

    // MARK: the range

    @Test(
        arguments: [
            // First poll: the window (7d) back from now, minus the overlap.
            (nil, 7 * 86_400, "2026-11-27T11:50:00Z"),
            // First poll with a 200-day window: capped at ActionTrail's 90 days.
            (nil, 200 * 86_400, "2026-09-05T12:00:00Z"),
            // Later polls: from the cursor minus the overlap.
            ("2026-12-04T11:55:00Z", 7 * 86_400, "2026-12-04T11:45:00Z"),
            // A cursor older than 90 days (the daemon was stopped): never further back than 90 days.
            ("2026-01-01T00:00:00Z", 7 * 86_400, "2026-09-05T12:00:00Z"),
            // A cursor in the future (the clock went back): the range starts no later than now.
            ("2026-12-04T13:00:00Z", 7 * 86_400, "2026-12-04T12:00:00Z"),
        ] as [(String?, Int64, String)])
    func rangeStartsAtTheCursorMinusTheOverlap(cursor: String?, windowSeconds: Int64, start: String) {
        var settings = Self.settings
        settings.window = .seconds(windowSeconds)
        let range = ActionTrailPoller.range(
            cursor: cursor.map { ActionTrailCursor(checkedUntil: time($0)) }, settings: settings,
            now: Self.now.addingTimeInterval(0.75))
        #expect(range.lowerBound == time(start))
        #expect(range.upperBound == Self.now, "whole seconds")
    }

    // MARK: paging and pacing

    @Test func followsNextTokenWithTheSameParametersAndKeepsOnlyRootSignIns() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(
            Self.page(
                [Self.root("ev-3", "2026-12-04T11:58:00Z"), Self.ram("ram-1", "2026-12-04T11:57:00Z")], next: "t1"))
        harness.transport.enqueueJSON(Self.page([Self.ram("ram-2", "2026-12-04T11:56:00Z")], next: "t2"))
        harness.transport.enqueueJSON(Self.page([Self.root("ev-1", "2026-12-04T11:52:00Z")]))
        let observation = try #require(
            await harness.poller().fetch(
                cursor: ActionTrailCursor(checkedUntil: time("2026-12-04T11:55:00Z")),
                knownAccountID: "1234567890123456"))
        guard case .read(let read) = observation.result else {
            Issue.record("poll failed: \(observation.result)")
            return
        }
        #expect(read.pages == 3)
        #expect(read.events.map(\.eventID) == ["ev-3", "ev-1"])
        #expect(read.range == time("2026-12-04T11:45:00Z")...Self.now)

        let queries = harness.queries
        let first: [String: String] = [
            "StartTime": "2026-12-04T11:45:00Z", "EndTime": "2026-12-04T12:00:00Z", "MaxResults": "50",
            "LookupAttribute.1.Key": "EventName", "LookupAttribute.1.Value": "ConsoleSignin",
        ]
        #expect(queries.count == 3)
        #expect(queries[0] == first)
        #expect(queries[1] == first.merging(["NextToken": "t1"]) { $1 }, "same parameters while paging")
        #expect(queries[2] == first.merging(["NextToken": "t2"]) { $1 })
    }

    @Test func pagesAreAtLeastHalfASecondApart() async throws {
        let harness = Harness()
        let calls = Locked<[Date]>([])
        let sleeper = harness.sleeper
        for page in 0..<4 {
            let body = Self.page([], next: page < 3 ? "t\(page)" : nil)
            harness.transport.enqueue(
                .handle { _ in
                    calls.withLock { $0.append(sleeper.now()) }
                    // The first two answers take 300 ms, the others 800 ms.
                    sleeper.advance(by: .milliseconds(page < 2 ? 300 : 800))
                    return ScriptedTransport.json(body)
                })
        }
        _ = await harness.poller().fetch(cursor: nil, knownAccountID: "1234567890123456")
        // Only the remainder of the half second is slept; a slow answer needs no pause.
        #expect(harness.sleeper.durations == [.milliseconds(200), .milliseconds(200)])
        let starts = calls.withLock { $0 }
        #expect(starts.count == 4)
        for (earlier, later) in zip(starts, starts.dropFirst()) {
            #expect(later.timeIntervalSince(earlier) >= 0.499, "at most two calls a second")
        }
    }

    @Test func aThrottledPageIsRetriedByTheRPCClientAndThePollSucceeds() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(
            #"{"RequestId":"T1","Code":"Throttling.User","Message":"Request was denied due to user flow control."}"#,
            status: 400)
        harness.transport.enqueueJSON(Self.page([Self.root("ev-1", "2026-12-04T11:52:00Z")]))
        let observation = try #require(await harness.poller().fetch(cursor: nil, knownAccountID: "1234567890123456"))
        guard case .read(let read) = observation.result else {
            Issue.record("poll failed: \(observation.result)")
            return
        }
        #expect(read.events.map(\.eventID) == ["ev-1"])
        #expect(harness.sleeper.durations == [.milliseconds(750)], "the retry policy's back-off")
        #expect(harness.transport.requests.count == 2)
    }

    @Test func resolvesTheAccountIDWhenNotYetKnown() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(
            #"{"RequestId":"S1","AccountId":"1234567890123456","UserId":"2088","Arn":"acs:ram::1234567890123456:user/rootwatchd","IdentityType":"RAMUser"}"#
        )
        harness.transport.enqueueJSON(Self.page([Self.root("ev-1", "2026-12-04T11:52:00Z")]))
        let observation = try #require(await harness.poller().fetch(cursor: nil, knownAccountID: nil))
        #expect(observation.accountID == "1234567890123456")
        let outcome = observation.decide(previous: nil, now: Self.now)
        #expect(outcome.decision.alerts.first?.accountID == "1234567890123456")
    }

    // MARK: deciding and the cursor

    @Test func successRaisesEachRootSignInOnceAndMovesTheCursor() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(
            Self.page([Self.root("ev-2", "2026-12-04T11:58:00Z"), Self.root("ev-1", "2026-12-04T11:52:00Z")]))
        harness.transport.enqueueJSON(
            Self.page([Self.root("ev-3", "2026-12-04T12:04:00Z"), Self.root("ev-2", "2026-12-04T11:58:00Z")]))
        let poller = harness.poller()
        let first = try #require(await poller.fetch(cursor: nil, knownAccountID: "1234567890123456"))
            .decide(previous: nil, now: Self.now)
        #expect(first.succeeded)
        #expect(first.decision.alerts.map(\.eventID) == ["ev-1", "ev-2"])
        let alert = try #require(first.decision.alerts.first)
        #expect(alert.source == .actiontrail)
        #expect(alert.sourceIP == "203.0.113.7")
        #expect(alert.userAgent == "Mozilla/5.0")
        #expect(alert.mfaChecked == false)
        #expect(alert.region == "cn-hangzhou")
        #expect(alert.loginAccount == "ops@example.com")
        #expect(first.decision.nextState.actionTrail == ActionTrailCursor(checkedUntil: Self.now, lastPoll: Self.now))

        // Five minutes later the overlap brings ev-2 back; only ev-3 is new.
        harness.sleeper.advance(by: .seconds(300))
        let later = harness.sleeper.now()
        let second = try #require(
            await poller.fetch(cursor: first.decision.nextState.actionTrail, knownAccountID: "1234567890123456")
        ).decide(previous: first.decision.nextState, now: later)
        #expect(second.decision.alerts.map(\.eventID) == ["ev-3"])
        #expect(harness.queries[1]["StartTime"] == "2026-12-04T11:50:00Z")
        #expect(second.decision.nextState.actionTrail?.checkedUntil == later.wholeSecondsForTest)
    }

    @Test(arguments: [
        (
            #"{"RequestId":"F1","Code":"ActionTrailNotEnabled","Message":"ActionTrail is not enabled."}"#, 403,
            "ActionTrail is not enabled in the account"
        ),
        (
            #"{"RequestId":"F2","Code":"NoPermission","Message":"You are not authorized."}"#, 403,
            "the identity needs permission for actiontrail:LookupEvents"
        ),
        (#"{"RequestId":"F3","Events":{"not":"a list"}}"#, 200, "Events is not a list"),
    ])
    func aFailureLeavesTheCursorAndTheReportStateAlone(body: String, status: Int, names: String) async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(body, status: status)
        var previous = AccountState(firstSeen: time("2026-11-01T00:00:00Z"))
        previous.accountID = "1234567890123456"
        previous.lastSuccessfulScan = time("2026-12-04T11:45:00Z")
        previous.consecutiveFailures = 0
        previous.actionTrail = ActionTrailCursor(
            checkedUntil: time("2026-12-04T11:55:00Z"), lastPoll: time("2026-12-04T11:55:00Z"))
        let outcome = try #require(
            await harness.poller().fetch(cursor: previous.actionTrail, knownAccountID: "1234567890123456")
        ).decide(previous: previous, now: Self.now)

        let failure = try #require(outcome.failure)
        #expect(failure.contains("account prod: LookupEvents"))
        #expect(failure.contains(names))
        #expect(outcome.decision.alerts.isEmpty)
        var expected = previous
        expected.actionTrail?.lastError = failure
        #expect(outcome.decision.nextState == expected, "only the ActionTrail error is recorded")
        #expect(outcome.actionTrail?.range == time("2026-12-04T11:45:00Z")...Self.now)
        #expect(harness.transport.requests.count == 1, "refusals and unreadable answers are not retried")
    }

    @Test func aSuccessAfterAFailureClearsTheErrorAndRereadsFromTheOldCursor() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(#"{"RequestId":"F1","Code":"Forbidden.RAM","Message":"no"}"#, status: 403)
        harness.transport.enqueueJSON(Self.page([Self.root("ev-1", "2026-12-04T11:50:30Z")]))
        let poller = harness.poller()
        var previous = AccountState(firstSeen: time("2026-11-01T00:00:00Z"))
        previous.actionTrail = ActionTrailCursor(checkedUntil: time("2026-12-04T11:55:00Z"))
        let failed = try #require(await poller.fetch(cursor: previous.actionTrail, knownAccountID: "1")).decide(
            previous: previous, now: Self.now)
        let state = failed.decision.nextState
        #expect(state.actionTrail?.checkedUntil == time("2026-12-04T11:55:00Z"))
        #expect(state.actionTrail?.lastError?.contains("Forbidden.RAM") == true)

        harness.sleeper.advance(by: .seconds(60))
        let later = harness.sleeper.now()
        let retried = try #require(await poller.fetch(cursor: state.actionTrail, knownAccountID: "1")).decide(
            previous: state, now: later)
        #expect(harness.queries.map { $0["StartTime"] } == ["2026-12-04T11:45:00Z", "2026-12-04T11:45:00Z"])
        #expect(retried.decision.alerts.map(\.eventID) == ["ev-1"])
        #expect(retried.decision.nextState.actionTrail == ActionTrailCursor(checkedUntil: later, lastPoll: later))
    }

    @Test func malformedEventsAreSkippedAndThePollStillSucceeds() async throws {
        let harness = Harness()
        let broken = #"{"eventId":"bad-1","eventName":"ConsoleSignin","userIdentity":{"type":"root-account"}}"#
        harness.transport.enqueueJSON(Self.page([broken, Self.root("ev-1", "2026-12-04T11:52:00Z")]))
        let outcome = try #require(await harness.poller().fetch(cursor: nil, knownAccountID: "1")).decide(
            previous: nil, now: Self.now)
        #expect(outcome.succeeded)
        #expect(outcome.actionTrail?.malformed == [SignInEvent.Malformed(eventID: "bad-1", reason: "has no eventTime")])
        #expect(outcome.decision.alerts.map(\.eventID) == ["ev-1"])
        #expect(outcome.decision.nextState.actionTrail?.checkedUntil == Self.now)
    }

    @Test func aRepeatedNextTokenFailsInsteadOfLooping() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(Self.page([], next: "same"))
        harness.transport.enqueueJSON(Self.page([], next: "same"))
        let observation = try #require(await harness.poller().fetch(cursor: nil, knownAccountID: "1"))
        guard case .failure(let message, _) = observation.result else {
            Issue.record("expected a failure")
            return
        }
        #expect(message.contains("the same NextToken twice"))
    }

    @Test func aCancelledPollChangesNothing() async {
        let harness = Harness()
        harness.transport.enqueue(.fail(.cancelled))
        let observation = await harness.poller().fetch(cursor: nil, knownAccountID: "1")
        #expect(observation == nil)
    }
}

/// The decoded query of a captured request, by name.
private func query(_ request: HTTPRequest) -> [String: String] {
    guard let mark = request.url.firstIndex(of: "?") else { return [:] }
    let pairs = PercentEncoding.parseQuery(String(request.url[request.url.index(after: mark)...])) ?? []
    return Dictionary(pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
}

extension Date {
    fileprivate var wholeSecondsForTest: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}
