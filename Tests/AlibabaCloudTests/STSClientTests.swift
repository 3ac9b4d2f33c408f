import AlibabaCloud
import Foundation
import RootwatchTestSupport
import Testing

/// STS calls and the AssumeRole credential provider built on them.
@Suite struct STSClientTests {
    static let stsEndpoint = try! Endpoint("https://sts.aliyuncs.com")
    static let roleARN = "acs:ram::1234567890123456:role/rootwatchd-audit"

    static func assumed(id: String, expiration: String) -> String {
        #"""
        {"RequestId":"A-\#(id)","AssumedRoleUser":{"Arn":"\#(roleARN)/rootwatchd","AssumedRoleId":"3466:rootwatchd"},
         "Credentials":{"AccessKeyId":"STS.\#(id)","AccessKeySecret":"secret-\#(id)","SecurityToken":"token-\#(id)",
                        "Expiration":"\#(expiration)"}}
        """#
    }

    @Test func assumeRoleSendsParametersAndDecodesCredential() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(Self.assumed(id: "K1", expiration: "2025-01-02T04:04:05Z"))
        let sts = STSClient(rpc: harness.client(), endpoint: Self.stsEndpoint)
        let credential = try await sts.assumeRole(
            roleARN: Self.roleARN, sessionName: "rootwatchd", externalID: "ext-1", durationSeconds: 900)
        #expect(credential.accessKeyID == "STS.K1")
        #expect(credential.accessKeySecret == "secret-K1")
        #expect(credential.securityToken == "token-K1")
        #expect(credential.expiration == UTCTimestamp.parse("2025-01-02T04:04:05Z"))
        let request = try #require(harness.transport.requests.first)
        #expect(request.header("x-acs-action") == "AssumeRole")
        #expect(request.header("x-acs-version") == "2015-04-01")
        #expect(
            queryParameters(request) == [
                "RoleArn": Self.roleARN, "RoleSessionName": "rootwatchd", "ExternalId": "ext-1",
                "DurationSeconds": "900",
            ])
        #expect(verifyV3(request, accessKeyID: Harness.key.accessKeyID, secret: Harness.key.accessKeySecret))
    }

    @Test func assumeRoleWithoutExpirationIsMalformed() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(
            #"{"RequestId":"A1","Credentials":{"AccessKeyId":"STS.x","AccessKeySecret":"s","SecurityToken":"t"}}"#)
        let sts = STSClient(rpc: harness.client(), endpoint: Self.stsEndpoint)
        let error = try await #require(throws: AlibabaCloudError.self) {
            try await sts.assumeRole(roleARN: Self.roleARN, sessionName: "rootwatchd")
        }
        #expect(error.kind == .malformedResponse("Credentials.Expiration missing or unreadable"))
        #expect(error.requestID == "A1")
    }

    @Test func getCallerIdentityDecodes() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(
            #"{"IdentityType":"Account","AccountId":"1234567890123456","RequestId":"C1","PrincipalId":"1234567890123456","UserId":"1234567890123456","Arn":"acs:ram::1234567890123456:root","RoleId":""}"#
        )
        let sts = STSClient(rpc: harness.client(.v1), endpoint: Self.stsEndpoint)
        let identity = try await sts.getCallerIdentity()
        #expect(
            identity
                == CallerIdentity(
                    accountID: "1234567890123456", arn: "acs:ram::1234567890123456:root", identityType: "Account",
                    principalID: "1234567890123456"))
        let request = try #require(harness.transport.requests.first)
        #expect(queryParameters(request)["Action"] == "GetCallerIdentity")
        #expect(queryParameters(request)["Version"] == "2015-04-01")
        #expect(verifyV1(request, secret: Harness.key.accessKeySecret))
    }

    @Test func getCallerIdentityWithoutAccountIsMalformed() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(#"{"RequestId":"C1","Arn":"acs:ram::1:root"}"#)
        let error = try await #require(throws: AlibabaCloudError.self) {
            try await STSClient(rpc: harness.client(), endpoint: Self.stsEndpoint).getCallerIdentity()
        }
        #expect(error.kind == .malformedResponse("AccountId or Arn missing"))
    }

    @Test func assumeRoleProviderCachesUntilFiveMinutesBeforeExpiry() async throws {
        let harness = Harness()
        let start = harness.sleeper.now()  // 2025-01-02T03:04:05Z
        harness.transport.enqueueJSON(Self.assumed(id: "K1", expiration: "2025-01-02T04:04:05Z"))
        harness.transport.enqueueJSON(Self.assumed(id: "K2", expiration: "2025-01-02T05:04:05Z"))
        let sleeper = harness.sleeper
        let provider = AssumeRoleCredentialProvider(
            sts: STSClient(rpc: harness.client(), endpoint: Self.stsEndpoint), roleARN: Self.roleARN,
            now: { sleeper.now() })
        #expect(try await provider.credential().accessKeyID == "STS.K1")
        sleeper.advance(by: .seconds(3600 - 301))  // 5 min 1 s left: still fresh
        #expect(try await provider.credential().accessKeyID == "STS.K1")
        #expect(harness.transport.requests.count == 1)
        sleeper.advance(by: .seconds(2))  // 4 min 59 s left: refresh
        #expect(try await provider.credential().accessKeyID == "STS.K2")
        #expect(harness.transport.requests.count == 2)
        #expect(sleeper.now().timeIntervalSince(start) == 3301)
        // The assumed credential signs later calls with its token.
        let later = RPCClient(
            account: "prod", transport: harness.transport, credentials: provider, sleeper: sleeper,
            now: { sleeper.now() })
        harness.transport.enqueueJSON(#"{"RequestId":"R","State":"COMPLETED"}"#)
        _ = try await IMSClient(rpc: later, endpoint: Harness.imsEndpoint).generateCredentialReport()
        let request = try #require(harness.transport.requests.last)
        #expect(request.header("x-acs-security-token") == "token-K2")
        #expect(verifyV3(request, accessKeyID: "STS.K2", secret: "secret-K2"))
    }

    @Test func concurrentCallersShareOneAssumeRole() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(Self.assumed(id: "K1", expiration: "2025-01-02T04:04:05Z"))
        harness.transport.enqueueJSON(Self.assumed(id: "K2", expiration: "2025-01-02T04:04:05Z"))
        let sleeper = harness.sleeper
        let provider = AssumeRoleCredentialProvider(
            sts: STSClient(rpc: harness.client(), endpoint: Self.stsEndpoint), roleARN: Self.roleARN,
            now: { sleeper.now() })
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try await provider.credential().accessKeyID } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(ids) == ["STS.K1"])
        #expect(harness.transport.requests.count == 1)
    }

    @Test func failedAssumeRoleIsRetriedOnNextUse() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(#"{"Code":"NoPermission","RequestId":"E1"}"#, status: 403)
        harness.transport.enqueueJSON(Self.assumed(id: "K1", expiration: "2025-01-02T04:04:05Z"))
        let sleeper = harness.sleeper
        let provider = AssumeRoleCredentialProvider(
            sts: STSClient(rpc: harness.client(), endpoint: Self.stsEndpoint), roleARN: Self.roleARN,
            now: { sleeper.now() })
        let error = try await #require(throws: AlibabaCloudError.self) { try await provider.credential() }
        #expect(error.kind == .forbidden)
        #expect(error.action == "AssumeRole")
        #expect(try await provider.credential().accessKeyID == "STS.K1")
    }
}
