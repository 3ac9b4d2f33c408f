import AlibabaCloud
import Foundation
import RootwatchLinux
import RootwatchTestSupport
import Testing

/// Refused credentials fail at once with the kind that tells the operator what to fix: a wrong
/// secret is a signature problem, an unknown key or an expired STS session a credential problem.
/// None is retried (a retrying policy is configured to prove it), and no secret reaches the error.
@Suite(.fakeCloud("basic.json"), .serialized)
struct FakeCloudRejectionTests {
    @Test(arguments: SignatureVersion.allCases)
    func wrongSecretIsASignatureRejectionNotRetried(signature: SignatureVersion) async throws {
        let fixture = try FakeCloudFixture.require()
        try await fixture.cloud.resetStats()
        let keyID = try #require(fixture.cloud.credential("alpha")).accessKeyID
        let wrong = AccessKeyCredential(accessKeyID: keyID, accessKeySecret: "notTheSecret00000000000000001")
        let sleeper = RecordingSleeper()
        let sts = fixture.sts(
            fixture.client(
                account: "alpha", credentials: StaticCredentialProvider(wrong), signature: signature,
                sleeper: sleeper))

        let error = try #require(await FakeCloudFixture.cloudError { try await sts.getCallerIdentity() })

        #expect(error.kind == .signatureRejected)
        #expect(error.code == "SignatureDoesNotMatch")
        #expect(error.httpStatus == 400)
        #expect(error.attempts == 1)
        #expect(sleeper.durations.isEmpty)
        let requestID = try #require(error.requestID)
        #expect(FakeCloudFixture.isRequestID(requestID))
        #expect(error.description.contains("account alpha: GetCallerIdentity signature rejected"))
        #expect(error.description.contains(requestID))
        #expect(error.description.hasSuffix("not retried"))
        // The server's message echoes its string to sign: the key ID is masked, the secret absent.
        let message = try #require(error.message)
        #expect(!message.contains(keyID))
        #expect(!error.description.contains("notTheSecret"))
        let stats = try await fixture.cloud.stats()
        #expect(stats.requests == 1)
        #expect(stats.rejected == ["SignatureDoesNotMatch": 1])
    }

    @Test(arguments: SignatureVersion.allCases)
    func unknownAccessKeyIsACredentialRejection(signature: SignatureVersion) async throws {
        let fixture = try FakeCloudFixture.require()
        let unknown = AccessKeyCredential(
            accessKeyID: "LTAI5tNobodyHasThisKey01", accessKeySecret: "whatever0000000000000000000001")
        let sleeper = RecordingSleeper()
        let ims = fixture.ims(
            fixture.client(
                account: "ghost", credentials: StaticCredentialProvider(unknown), signature: signature,
                sleeper: sleeper))

        let error = try #require(await FakeCloudFixture.cloudError { try await ims.fetchCredentialReport() })

        #expect(error.kind == .credentialRejected)
        #expect(error.code == "InvalidAccessKeyId.NotFound")
        #expect(error.httpStatus == 404)
        #expect(error.action == "GenerateCredentialReport")
        #expect(error.attempts == 1)
        #expect(sleeper.durations.isEmpty)
        #expect(FakeCloudFixture.isRequestID(error.requestID))
        #expect(error.description.contains("account ghost: GenerateCredentialReport credential rejected"))
    }

    /// A session the fake has expired (admin `expire-sessions`) is refused as a credential (after one
    /// immediate try with whatever the provider hands out next, here the same fixed session), and the
    /// token, which the server may echo, never reaches the error.
    @Test(arguments: SignatureVersion.allCases)
    func expiredSTSSessionIsACredentialRejection(signature: SignatureVersion) async throws {
        let fixture = try FakeCloudFixture.require()
        let base = fixture.sts(try fixture.client(account: "security", signature: signature))
        let session = try await base.assumeRole(
            roleARN: FakeCloudSignatureTests.alphaRole, sessionName: "rootwatchd-expiry", externalID: "alpha-ext-7f3a")
        let token = try #require(session.securityToken)
        let sleeper = RecordingSleeper()
        let sts = fixture.sts(
            fixture.client(
                account: "alpha", credentials: StaticCredentialProvider(session), signature: signature,
                sleeper: sleeper))
        #expect(try await sts.getCallerIdentity().identityType == "AssumedRoleUser")

        try await fixture.cloud.expireSessions()
        let error = try #require(await FakeCloudFixture.cloudError { try await sts.getCallerIdentity() })

        #expect(error.kind == .credentialRejected)
        #expect(error.code == "InvalidSecurityToken.Expired")
        #expect(error.attempts == 2)
        #expect(sleeper.durations.isEmpty)
        #expect(FakeCloudFixture.isRequestID(error.requestID))
        #expect(!error.description.contains(token))
        #expect(!error.description.contains(session.accessKeySecret))
    }

    /// An STS session that expires before its stated Expiration (revoked, clock trouble) is refreshed at
    /// once: the AssumeRole provider drops the rejected session and the call succeeds with a new one.
    @Test(arguments: SignatureVersion.allCases)
    func anExpiredAssumedRoleSessionIsRefreshedAndTheCallSucceeds(signature: SignatureVersion) async throws {
        let fixture = try FakeCloudFixture.require()
        let base = fixture.sts(try fixture.client(account: "security", signature: signature))
        let provider = AssumeRoleCredentialProvider(
            sts: base, roleARN: FakeCloudSignatureTests.alphaRole, externalID: "alpha-ext-7f3a",
            sessionName: "rootwatchd-refresh")
        let sleeper = RecordingSleeper()
        let sts = fixture.sts(
            fixture.client(account: "alpha", credentials: provider, signature: signature, sleeper: sleeper))
        let first = try await provider.credential()
        #expect(try await sts.getCallerIdentity().accountID == "1111222233334444")

        try await fixture.cloud.expireSessions()
        #expect(try await sts.getCallerIdentity().accountID == "1111222233334444")
        let second = try await provider.credential()
        #expect(second.accessKeyID != first.accessKeyID)
        #expect(sleeper.durations.isEmpty)  // refreshed at once, not backed off
    }
}
