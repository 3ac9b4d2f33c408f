import AlibabaCloud
import Foundation
import RootwatchLinux
import RootwatchTestSupport
import Testing

/// Runs a whole suite against one fake cloud process and one libcurl transport, started before its
/// first test and killed after its last, also when tests fail.
///
/// Starting the fake costs about a second (it imports the official SDK), so a suite shares one;
/// suites that change shared fake state (faults, sessions, latency) are `.serialized`. Tests reach
/// the running fake through `FakeCloudFixture.current`.
struct FakeCloudSuiteTrait: SuiteTrait, TestScoping {
    let scenario: String

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let transport = try CurlTransport()
        let cloud: FakeCloudProcess
        do {
            cloud = try await FakeCloudProcess.start(scenario: scenario, transport: transport)
        } catch {
            await transport.shutdown()
            throw error
        }
        let fixture = FakeCloudFixture(cloud: cloud, transport: transport)
        var failure: (any Error)?
        do {
            try await FakeCloudFixture.$current.withValue(fixture) { try await function() }
        } catch {
            failure = error
        }
        try? await cloud.stop()
        await transport.shutdown()
        if let failure { throw failure }
    }
}

extension Trait where Self == FakeCloudSuiteTrait {
    /// Runs the suite against the fake cloud loaded with `scenario` (a file in Tests/FakeCloud/scenarios).
    static func fakeCloud(_ scenario: String) -> Self { FakeCloudSuiteTrait(scenario: scenario) }
}

/// What the tests of a fake-cloud suite share: the running fake and the transport that reaches it.
final class FakeCloudFixture: Sendable {
    @TaskLocal static var current: FakeCloudFixture?

    let cloud: FakeCloudProcess
    let transport: CurlTransport

    init(cloud: FakeCloudProcess, transport: CurlTransport) {
        self.cloud = cloud
        self.transport = transport
    }

    /// The suite's fixture; fails the test when the suite lacks the `.fakeCloud` trait.
    static func require(sourceLocation: SourceLocation = #_sourceLocation) throws -> FakeCloudFixture {
        try #require(current, "the suite needs the .fakeCloud(...) trait", sourceLocation: sourceLocation)
    }

    /// Small delays and no jitter: retries back off 10, 20, 40 ms, so schedules are asserted exactly.
    static let fastRetries = RetryPolicy(
        maxAttempts: 4, baseDelay: .milliseconds(10), maxDelay: .milliseconds(40), budget: .seconds(60),
        jitter: { 1 })

    /// An RPC client for `account` signing with `credentials`; sleeps are recorded, not taken.
    func client(
        account: String,
        credentials: any CredentialProvider,
        signature: SignatureVersion = .v3,
        retryPolicy: RetryPolicy = FakeCloudFixture.fastRetries,
        sleeper: any Sleeper = RecordingSleeper(),
        timeout: Duration = .seconds(10),
        onRetry: @escaping @Sendable (AlibabaCloudError, Duration) -> Void = { _, _ in }
    ) -> RPCClient {
        RPCClient(
            account: account, transport: transport, credentials: credentials,
            options: RPCClient.Options(
                signatureVersion: signature, retryPolicy: retryPolicy, connectTimeout: .seconds(5),
                timeout: timeout),
            sleeper: sleeper, onRetry: onRetry)
    }

    /// An RPC client signing with the scenario account's own AccessKey.
    func client(
        account: String,
        signature: SignatureVersion = .v3,
        retryPolicy: RetryPolicy = FakeCloudFixture.fastRetries,
        sleeper: any Sleeper = RecordingSleeper(),
        timeout: Duration = .seconds(10),
        onRetry: @escaping @Sendable (AlibabaCloudError, Duration) -> Void = { _, _ in }
    ) throws -> RPCClient {
        let credential = try #require(cloud.credential(account), "no AccessKey for \(account) in the scenario")
        return client(
            account: account, credentials: StaticCredentialProvider(credential), signature: signature,
            retryPolicy: retryPolicy, sleeper: sleeper, timeout: timeout, onRetry: onRetry)
    }

    /// IMS with fast report polling (5 ms, doubling), so Generate's STARTED/INPROGRESS cost no time.
    func ims(_ rpc: RPCClient) -> IMSClient {
        IMSClient(
            rpc: rpc, endpoint: cloud.endpoint,
            polling: IMSClient.Polling(initialDelay: .milliseconds(5), maxDelay: .milliseconds(20), maxPolls: 6))
    }

    func sts(_ rpc: RPCClient) -> STSClient { STSClient(rpc: rpc, endpoint: cloud.endpoint) }

    func actionTrail(_ rpc: RPCClient) -> ActionTrailClient { ActionTrailClient(rpc: rpc, endpoint: cloud.endpoint) }

    /// The first error `body` throws, when it is an `AlibabaCloudError`; records an issue otherwise.
    static func cloudError<T>(
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
    ) async -> AlibabaCloudError? {
        do {
            let value = try await body()
            Issue.record("expected an AlibabaCloudError, got \(value)", sourceLocation: sourceLocation)
        } catch let error as AlibabaCloudError {
            return error
        } catch {
            Issue.record("expected an AlibabaCloudError, got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    /// Whether `text` looks like the fake's request IDs: an upper-case UUID.
    static func isRequestID(_ text: String?) -> Bool {
        guard let text, let uuid = UUID(uuidString: text) else { return false }
        return uuid.uuidString == text
    }
}
