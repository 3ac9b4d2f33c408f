import AlibabaCloud
import Foundation
import RootwatchCore
import RootwatchLinux
import RootwatchTestSupport
import Testing

/// Each fault the fake injects becomes a typed error naming the account, the action and the
/// RequestId; passing failures are retried on the policy's schedule and stop at its bound, lasting
/// ones are not retried. Retries back off 10, 20, 40 ms (`FakeCloudFixture.fastRetries`, four
/// attempts) on a recording sleeper, so the schedule is asserted exactly and costs no time.
@Suite(.fakeCloud("basic.json"), .serialized)
struct FakeCloudFaultTests {
    static let backOff: [Duration] = [.milliseconds(10), .milliseconds(20), .milliseconds(40)]

    @Test func throttlingBelowTheBoundIsRetriedUntilItPasses() async throws {
        let fixture = try await Self.prepared([FakeCloudFault("throttle", account: "alpha", count: 2)])
        let sleeper = RecordingSleeper()
        let retries = Locked<[AlibabaCloudError]>([])
        let sts = fixture.sts(
            try fixture.client(account: "alpha", sleeper: sleeper) { error, _ in retries.withLock { $0.append(error) } }
        )

        let identity = try await sts.getCallerIdentity()

        #expect(identity.accountID == "1111222233334444")
        #expect(sleeper.durations == Array(Self.backOff.prefix(2)))
        let seen = retries.value
        #expect(seen.map(\.kind) == [.throttled(retryAfter: nil), .throttled(retryAfter: nil)])
        #expect(seen.map(\.code) == ["Throttling.User", "Throttling.User"])
        #expect(seen.map(\.attempts) == [1, 2])
        #expect(seen.allSatisfy { FakeCloudFixture.isRequestID($0.requestID) })
        let logged = try await fixture.cloud.requests(last: 10)
        #expect(logged.map(\.status) == [400, 400, 200])
    }

    @Test func endlessThrottlingGivesUpAtTheBound() async throws {
        let fixture = try await Self.prepared([FakeCloudFault("throttle", account: "alpha", count: -1)])
        let sleeper = RecordingSleeper()
        let sts = fixture.sts(try fixture.client(account: "alpha", sleeper: sleeper))

        let error = try #require(await FakeCloudFixture.cloudError { try await sts.getCallerIdentity() })

        #expect(error.kind == .throttled(retryAfter: nil))
        #expect(error.code == "Throttling.User")
        #expect(error.httpStatus == 400)
        #expect(error.attempts == FakeCloudFixture.fastRetries.maxAttempts)
        #expect(sleeper.durations == Self.backOff)
        Self.expectNamed(error, account: "alpha", action: "GetCallerIdentity")
        #expect(error.description.hasSuffix("gave up after 4 attempts"))
        #expect(try await fixture.cloud.stats().byAction == ["GetCallerIdentity": 4])
    }

    /// `x-acs-retry-after` is read as milliseconds, as the official SDK reads it (see
    /// `RetryPolicy.retryAfter`), and is a floor on the 10 ms back-off.
    @Test func retryAfterIsAFloorOnTheBackOff() async throws {
        let fixture = try await Self.prepared([
            FakeCloudFault("throttle", account: "alpha", count: 1, options: ["retry_after": .number(250)])
        ])
        let sleeper = RecordingSleeper()
        let retries = Locked<[AlibabaCloudError]>([])
        let sts = fixture.sts(
            try fixture.client(account: "alpha", sleeper: sleeper) { error, _ in retries.withLock { $0.append(error) } }
        )

        _ = try await sts.getCallerIdentity()

        #expect(sleeper.durations == [.milliseconds(250)])
        #expect(retries.value.map(\.kind) == [.throttled(retryAfter: .milliseconds(250))])
    }

    /// A server failure: JSON 500 and 503, and a proxy's HTML 503 page (RequestId only in the header).
    struct ServerFault: Sendable, CustomTestStringConvertible {
        let status: Int
        let html: Bool
        let code: String?
        var testDescription: String { "\(status)\(html ? " html" : "")" }
        var options: [String: JSONValue] { ["status": .number(Double(status)), "html": .bool(html)] }
    }

    @Test(arguments: [
        ServerFault(status: 500, html: false, code: "InternalError"),
        ServerFault(status: 503, html: false, code: "ServiceUnavailable"),
        ServerFault(status: 503, html: true, code: nil),
    ])
    func serverErrorsAreRetriedAndBounded(fault: ServerFault) async throws {
        let fixture = try await Self.prepared([
            FakeCloudFault("server_error", account: "alpha", count: -1, options: fault.options)
        ])
        let sleeper = RecordingSleeper()
        let sts = fixture.sts(try fixture.client(account: "alpha", sleeper: sleeper))

        let error = try #require(await FakeCloudFixture.cloudError { try await sts.getCallerIdentity() })

        #expect(error.kind == .server)
        #expect(error.httpStatus == fault.status)
        #expect(error.code == fault.code)
        #expect(error.attempts == 4)
        #expect(sleeper.durations == Self.backOff)
        Self.expectNamed(error, account: "alpha", action: "GetCallerIdentity")
        if fault.html { #expect(error.message == "response body is not JSON") }

        // One failure only: the retry succeeds.
        try await fixture.cloud.clearFaults()
        try await fixture.cloud.addFaults([
            FakeCloudFault("server_error", account: "alpha", count: 1, options: fault.options)
        ])
        let passing = RecordingSleeper()
        let identity = try await fixture.sts(try fixture.client(account: "alpha", sleeper: passing)).getCallerIdentity()
        #expect(identity.accountID == "1111222233334444")
        #expect(passing.durations == [.milliseconds(10)])
    }

    @Test func malformedJSONIsNotRetried() async throws {
        let fixture = try await Self.prepared([FakeCloudFault("malformed_json", account: "alpha", count: -1)])
        let sleeper = RecordingSleeper()
        let sts = fixture.sts(try fixture.client(account: "alpha", sleeper: sleeper))

        let error = try #require(await FakeCloudFixture.cloudError { try await sts.getCallerIdentity() })

        guard case .malformedResponse(let what) = error.kind else {
            Issue.record("expected malformedResponse, got \(error.kind)")
            return
        }
        #expect(what.contains("not a JSON object"))
        #expect(error.httpStatus == 200)
        #expect(error.attempts == 1)
        #expect(sleeper.durations.isEmpty)
        Self.expectNamed(error, account: "alpha", action: "GetCallerIdentity")
    }

    @Test func truncatedBase64NamesGetCredentialReport() async throws {
        let fixture = try await Self.prepared([
            FakeCloudFault("truncated_base64", account: "beta", action: "GetCredentialReport", count: -1)
        ])
        let sleeper = RecordingSleeper()
        let ims = fixture.ims(try fixture.client(account: "beta", sleeper: sleeper))

        let error = try #require(await FakeCloudFixture.cloudError { try await ims.fetchCredentialReport() })

        guard case .malformedResponse(let what) = error.kind else {
            Issue.record("expected malformedResponse, got \(error.kind)")
            return
        }
        #expect(what.contains("base64"))
        #expect(error.attempts == 1)
        #expect(sleeper.durations.isEmpty)
        Self.expectNamed(error, account: "beta", action: "GetCredentialReport")
    }

    /// The download succeeds; the parser refuses a report without `<root>` and an empty one.
    @Test func missingRootAndEmptyReportFailTheParse() async throws {
        let fixture = try await Self.prepared([
            FakeCloudFault("missing_root", account: "beta", action: "GetCredentialReport")
        ])
        let ims = fixture.ims(try fixture.client(account: "beta"))
        let withoutRoot = try await ims.fetchCredentialReport()
        #expect(throws: ReportError.noRootRow(userCount: 1)) { try CredentialReport.parse(pages: withoutRoot.pages) }

        try await fixture.cloud.addFaults([
            FakeCloudFault("empty_report", account: "beta", action: "GetCredentialReport")
        ])
        let empty = try await ims.fetchCredentialReport()
        #expect(empty.pages == [[]])
        #expect(throws: ReportError.empty) { try CredentialReport.parse(pages: empty.pages) }

        // Both faults are spent: the same client now reads the real report.
        let report = try CredentialReport.parse(pages: try await ims.fetchCredentialReport().pages)
        #expect(report.userCount == 1)
    }

    @Test(arguments: ["Forbidden.RAM", "NoPermission"])
    func forbiddenIsNotRetried(code: String) async throws {
        let fixture = try await Self.prepared([
            FakeCloudFault(
                "forbidden", account: "beta", action: "GetCredentialReport", count: -1,
                options: ["code": .string(code)])
        ])
        let sleeper = RecordingSleeper()
        let ims = fixture.ims(try fixture.client(account: "beta", sleeper: sleeper))

        let error = try #require(await FakeCloudFixture.cloudError { try await ims.fetchCredentialReport() })

        #expect(error.kind == .forbidden)
        #expect(error.code == code)
        #expect(error.httpStatus == 403)
        #expect(error.attempts == 1)
        #expect(sleeper.durations.isEmpty)
        Self.expectNamed(error, account: "beta", action: "GetCredentialReport")
        #expect(error.description.hasSuffix("not retried"))
    }

    /// As a fault on alpha and as beta's own configuration (ActionTrail disabled).
    @Test(arguments: [("alpha", true), ("beta", false)])
    func actionTrailNotEnabledIsForbidden(account: String, injected: Bool) async throws {
        let fixture = try await Self.prepared(
            injected ? [FakeCloudFault("actiontrail_not_enabled", account: account, action: "LookupEvents")] : [])
        let sleeper = RecordingSleeper()
        let trail = fixture.actionTrail(try fixture.client(account: account, sleeper: sleeper))

        let error = try #require(
            await FakeCloudFixture.cloudError {
                try await trail.lookupEvents(startTime: Date().addingTimeInterval(-3600), endTime: Date())
            })

        #expect(error.kind == .forbidden)
        #expect(error.code == "ActionTrailNotEnabled")
        #expect(error.httpStatus == 403)
        #expect(error.attempts == 1)
        #expect(sleeper.durations.isEmpty)
        Self.expectNamed(error, account: account, action: "LookupEvents")
    }

    /// An answer slower than the request timeout is a retryable network timeout with no RequestId.
    @Test func requestTimeoutIsRetriedAndBounded() async throws {
        let delay = ["ms": JSONValue.number(1200)]
        let fixture = try await Self.prepared([
            FakeCloudFault("delay", account: "alpha", count: -1, options: delay)
        ])
        let sleeper = RecordingSleeper()
        let sts = fixture.sts(try fixture.client(account: "alpha", sleeper: sleeper, timeout: .milliseconds(500)))

        let error = try #require(await FakeCloudFixture.cloudError { try await sts.getCallerIdentity() })

        guard case .network(.timeout) = error.kind else {
            Issue.record("expected a network timeout, got \(error.kind)")
            return
        }
        #expect(error.attempts == 4)
        #expect(sleeper.durations == Self.backOff)
        #expect(error.requestID == nil)
        #expect(error.description.hasPrefix("account alpha: GetCallerIdentity got no response (timed out"))
        #expect(error.description.hasSuffix("gave up after 4 attempts"))

        // One slow answer only: the retry gets the normal one.
        _ = try await Self.prepared([FakeCloudFault("delay", account: "alpha", count: 1, options: delay)])
        let passing = RecordingSleeper()
        let client = try fixture.client(account: "alpha", sleeper: passing, timeout: .milliseconds(500))
        #expect(try await fixture.sts(client).getCallerIdentity().accountID == "1111222233334444")
        #expect(passing.durations == [.milliseconds(10)])
        try await fixture.cloud.waitUntilIdle()
    }

    /// The suite's fixture with only `faults` active and fresh counters, once earlier stragglers finish.
    private static func prepared(_ faults: [FakeCloudFault]) async throws -> FakeCloudFixture {
        let fixture = try FakeCloudFixture.require()
        try await fixture.cloud.clearFaults()
        try await fixture.cloud.waitUntilIdle()
        try await fixture.cloud.resetStats()
        if !faults.isEmpty { try await fixture.cloud.addFaults(faults) }
        return fixture
    }

    /// The error and its one-line description name the account, the action and a RequestId.
    private static func expectNamed(
        _ error: AlibabaCloudError, account: String, action: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(error.account == account, sourceLocation: sourceLocation)
        #expect(error.action == action, sourceLocation: sourceLocation)
        #expect(FakeCloudFixture.isRequestID(error.requestID), sourceLocation: sourceLocation)
        #expect(error.description.hasPrefix("account \(account): \(action) "), sourceLocation: sourceLocation)
        #expect(error.description.contains("RequestId \(error.requestID ?? "?")"), sourceLocation: sourceLocation)
    }
}
