import AlibabaCloud
import Foundation
import RootwatchTestSupport
import Synchronization
import Testing

/// The retry schedule: what is retried, how long it waits, and that it always ends.
@Suite struct RetryTests {
    static let throttled = ScriptedTransport.json(
        #"{"Code":"Throttling.User","Message":"Request was denied due to user flow control.","RequestId":"T1"}"#,
        status: 400)
    static let ok = ScriptedTransport.json(#"{"RequestId":"OK","State":"COMPLETED"}"#)

    func call(_ client: RPCClient) async throws -> RPCResponse {
        try await client.call(action: "GenerateCredentialReport", version: "2019-08-15", endpoint: Harness.imsEndpoint)
    }

    @Test func throttlingThenSuccess() async throws {
        let harness = Harness()
        harness.transport.enqueue(.respond(Self.throttled), .respond(Self.throttled), .respond(Self.ok))
        let response = try await call(harness.client())
        #expect(response.requestID == "OK")
        #expect(harness.transport.requests.count == 3)
        // Jitter 0.5 → 75 % of the ceiling: 1 s, then 2 s.
        #expect(harness.sleeper.durations == [.milliseconds(750), .milliseconds(1500)])
    }

    @Test func backoffDoublesToTheCapWithinTheAttemptLimit() async throws {
        let harness = Harness()
        for _ in 0..<10 { harness.transport.enqueue(.fail(.timeout("no answer"))) }
        let policy = RetryPolicy(maxAttempts: 8, budget: .seconds(600), jitter: { 1 })
        let error = try await #require(throws: AlibabaCloudError.self) { try await call(harness.client(retry: policy)) }
        #expect(error.kind == .network(.timeout("no answer")))
        #expect(error.attempts == 8)
        #expect(harness.transport.requests.count == 8)
        #expect(harness.sleeper.durations == [1, 2, 4, 8, 16, 20, 20].map { Duration.seconds($0) })
        #expect(error.description.hasSuffix("; gave up after 8 attempts"))
    }

    @Test func jitterStaysWithinTheUpperHalf() {
        let low = RetryPolicy(jitter: { 0 })
        let high = RetryPolicy(jitter: { 1 })
        #expect(low.backoff(beforeRetry: 1) == .milliseconds(500))
        #expect(high.backoff(beforeRetry: 1) == .seconds(1))
        #expect(low.backoff(beforeRetry: 30) == .seconds(10))
        #expect(high.backoff(beforeRetry: 30) == .seconds(20))
    }

    @Test func totalBudgetEndsRetriesBeforeTheAttemptLimit() async throws {
        let harness = Harness()
        for _ in 0..<50 { harness.transport.enqueue(.respond(Self.throttled)) }
        let policy = RetryPolicy(maxAttempts: 50, budget: .seconds(120), jitter: { 1 })
        let error = try await #require(throws: AlibabaCloudError.self) { try await call(harness.client(retry: policy)) }
        // 1+2+4+8+16+20+20+20+20 = 111 s; the next 20 s would pass the 120 s budget.
        #expect(harness.sleeper.durations.count == 9)
        #expect(error.attempts == 10)
        let slept = harness.sleeper.durations.reduce(Duration.zero, +)
        #expect(slept <= .seconds(120))
        #expect(error.code == "Throttling.User")
    }

    @Test func budgetCountsTimeSpentInRequests() async throws {
        let harness = Harness()
        let sleeper = harness.sleeper
        for _ in 0..<10 {
            harness.transport.enqueue(
                .handle { _ in
                    sleeper.advance(by: .seconds(50))  // each attempt takes 50 s to time out
                    throw TransportError.timeout("slow")
                })
        }
        let error = try await #require(throws: AlibabaCloudError.self) {
            try await call(harness.client(retry: RetryPolicy(maxAttempts: 10, jitter: { 1 })))
        }
        // 50 s + 1 s + 50 s = 101 s elapsed; +2 s = 103 s ≤ 120 → third attempt; then 153 s > 120 → stop.
        #expect(error.attempts == 3)
        #expect(harness.sleeper.durations == [.seconds(1), .seconds(2)])
    }

    @Test func retryAfterHeaderIsHonoured() async throws {
        let harness = Harness()
        harness.transport.enqueue(
            .respond(
                ScriptedTransport.json(
                    #"{"Code":"Throttling.Api","RequestId":"T2"}"#, status: 400,
                    headers: [("x-acs-retry-after", "7000")])),
            .respond(Self.ok))
        _ = try await call(harness.client())
        #expect(harness.sleeper.durations == [.seconds(7)])
    }

    @Test func retryAfterShorterThanBackoffKeepsTheBackoff() async throws {
        let harness = Harness()
        harness.transport.enqueue(
            .respond(ScriptedTransport.json("{}", status: 429, headers: [("x-acs-retry-after", "5")])),
            .respond(Self.ok))
        _ = try await call(harness.client())
        #expect(harness.sleeper.durations == [.milliseconds(750)])
    }

    @Test func retryAfterBeyondTheBudgetGivesUpAtOnce() async throws {
        let harness = Harness()
        harness.transport.enqueue(
            .respond(ScriptedTransport.json("{}", status: 429, headers: [("x-acs-retry-after", "600000")])))
        let error = try await #require(throws: AlibabaCloudError.self) { try await call(harness.client()) }
        #expect(error.kind == .throttled(retryAfter: .seconds(600)))
        #expect(harness.sleeper.durations.isEmpty)
    }

    @Test func retryAfterParsing() {
        #expect(RetryPolicy.retryAfter(headerValue: "2500") == .milliseconds(2500))
        #expect(RetryPolicy.retryAfter(headerValue: " 3 ") == .milliseconds(3))
        #expect(RetryPolicy.retryAfter(headerValue: "0") == nil)
        #expect(RetryPolicy.retryAfter(headerValue: "-4") == nil)
        #expect(RetryPolicy.retryAfter(headerValue: "soon") == nil)
        #expect(RetryPolicy.retryAfter(headerValue: nil) == nil)
    }

    @Test(arguments: [
        (400, "SignatureDoesNotMatch"), (400, "InvalidTimeStamp.Expired"), (400, "SignatureNonceUsed"),
        (404, "InvalidAccessKeyId.NotFound"), (400, "InvalidSecurityToken.Expired"), (403, "Forbidden.RAM"),
        (403, "NoPermission"), (400, "InvalidParameter"),
    ])
    func nonRetryableErrorsAreNotRetried(status: Int, code: String) async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(#"{"Code":"\#(code)","RequestId":"X"}"#, status: status)
        harness.transport.enqueue(.respond(Self.ok))
        let error = try await #require(throws: AlibabaCloudError.self) { try await call(harness.client()) }
        #expect(error.code == code)
        #expect(error.attempts == 1)
        #expect(harness.transport.requests.count == 1)
        #expect(harness.sleeper.durations.isEmpty)
    }

    @Test func serverErrorsAndRetryableTransportErrorsAreRetried() async throws {
        let harness = Harness()
        harness.transport.enqueue(
            .respond(HTTPResponse(status: 503, body: Array("<html>busy</html>".utf8))),
            .fail(.connect("connection refused")),
            .fail(.other("reset")),
            .respond(Self.ok))
        let response = try await call(harness.client())
        #expect(response.requestID == "OK")
        #expect(harness.sleeper.durations.count == 3)
    }

    @Test(arguments: [TransportError.tls("bad certificate"), .invalidRequest("bad url"), .cancelled])
    func permanentTransportErrorsAreNotRetried(failure: TransportError) async throws {
        let harness = Harness()
        harness.transport.enqueue(.fail(failure), .respond(Self.ok))
        let error = try await #require(throws: AlibabaCloudError.self) { try await call(harness.client()) }
        #expect(error.kind == .network(failure))
        #expect(harness.transport.requests.count == 1)
    }

    @Test func retriesAreReportedBeforeSleeping() async throws {
        let harness = Harness()
        harness.transport.enqueue(.respond(Self.throttled), .respond(Self.ok))
        let seen = Mutex<[String]>([])
        let base = harness.client()
        let client = RPCClient(
            account: base.account, transport: base.transport, credentials: base.credentials, options: base.options,
            sleeper: base.sleeper, now: base.now, nonce: base.nonce,
            onRetry: { error, delay in seen.withLock { $0.append(error.retryingDescription(after: delay)) } })
        _ = try await call(client)
        #expect(
            seen.withLock { $0 } == [
                "account prod: GenerateCredentialReport throttled (Throttling.User, HTTP 400, RequestId T1): Request was denied due to user flow control.; retrying in 0.75 s (attempt 2)"
            ])
    }
}
