import AlibabaCloud
import Foundation
import RootwatchCore
import RootwatchLinux
import RootwatchTestSupport
import Testing

/// The client's requests, sent by libcurl, pass the official SDK's signature verification in the fake
/// cloud for both schemes, and every call rootwatchd makes returns what the scenario holds.
///
/// basic.json: `alpha` (1111222233334444) has a five-row report on pages of two with alternating
/// `IsTruncated` types, Generate answering STARTED → INPROGRESS → COMPLETED, a role with an
/// ExternalId and six ActionTrail events; `security` holds the base identity that assumes roles.
@Suite(.fakeCloud("basic.json"), .serialized)
struct FakeCloudSignatureTests {
    static let alphaRole = "acs:ram::1111222233334444:role/rootwatchd-audit"

    @Test(arguments: SignatureVersion.allCases)
    func getCallerIdentityIsAccepted(signature: SignatureVersion) async throws {
        let fixture = try FakeCloudFixture.require()
        try await fixture.cloud.resetStats()
        let sts = fixture.sts(try fixture.client(account: "alpha", signature: signature))

        let identity = try await sts.getCallerIdentity()

        #expect(identity.accountID == "1111222233334444")
        #expect(identity.arn == "acs:ram::1111222233334444:user/rootwatchd")
        #expect(identity.identityType == "RAMUser")
        let logged = try await fixture.cloud.requests(last: 5)
        #expect(
            logged == [
                FakeCloudRequest(
                    action: "GetCallerIdentity", account: "alpha", signature: signature.rawValue,
                    accessKeyID: "LTAI****0001", status: 200, code: nil)
            ])
    }

    @Test(arguments: SignatureVersion.allCases)
    func credentialReportPollsPagesAndParses(signature: SignatureVersion) async throws {
        let fixture = try FakeCloudFixture.require()
        let cloud = fixture.cloud
        try await cloud.setRoot(account: "alpha", restartGeneration: true)
        try await cloud.resetStats()
        let sleeper = RecordingSleeper()
        let ims = fixture.ims(try fixture.client(account: "alpha", signature: signature, sleeper: sleeper))

        let download = try await ims.fetchCredentialReport()

        // STARTED and INPROGRESS each cost one capped, doubling poll wait; nothing was retried.
        #expect(sleeper.durations == [.milliseconds(5), .milliseconds(10)])
        // Five rows on pages of two: three pages, IsTruncated "true", true, then "false".
        #expect(download.pages.count == 3)
        #expect(download.requestIDs.count == 6)
        #expect(download.requestIDs.allSatisfy(FakeCloudFixture.isRequestID))
        #expect(Set(download.requestIDs).count == 6)
        let stats = try await cloud.stats()
        #expect(stats.byAction == ["GenerateCredentialReport": 3, "GetCredentialReport": 3])
        #expect(stats.rejected.isEmpty)

        let report = try CredentialReport.parse(pages: download.pages)
        #expect(report.userCount == 4)
        #expect(report.diagnostics.isEmpty)
        let logon = try #require(report.root.lastConsoleLogon)
        #expect(cloud.resolvedTime(offset: .seconds(-600)).contains(logon))
        #expect(report.root.mfaActive == false)
        let keys = report.root.keys
        #expect(keys.map(\.slot) == KeySlot.names)
        let first = try #require(keys.first)
        #expect(first.exists == true)
        #expect(first.active == true)
        let used = try #require(first.lastUsed)
        #expect(cloud.resolvedTime(offset: .seconds(-7200)).contains(used))
        #expect(keys.dropFirst().allSatisfy { $0.exists == false && $0.active == false && $0.lastUsed == nil })
    }

    /// The base identity in `security` assumes alpha's role with its ExternalId; the STS credential
    /// (AccessKey, secret and a signed security token) then works for STS and IMS in alpha.
    @Test(arguments: SignatureVersion.allCases)
    func assumedRoleCredentialSignsLaterCalls(signature: SignatureVersion) async throws {
        let fixture = try FakeCloudFixture.require()
        let cloud = fixture.cloud
        try await cloud.resetStats()
        let base = fixture.sts(try fixture.client(account: "security", signature: signature))
        let session = "rootwatchd-\(signature.rawValue)"
        let provider = AssumeRoleCredentialProvider(
            sts: base, roleARN: Self.alphaRole, externalID: "alpha-ext-7f3a", sessionName: session)
        let rpc = fixture.client(account: "alpha", credentials: provider, signature: signature)

        let identity = try await fixture.sts(rpc).getCallerIdentity()
        let download = try await fixture.ims(rpc).fetchCredentialReport()

        #expect(identity.accountID == "1111222233334444")
        #expect(identity.identityType == "AssumedRoleUser")
        #expect(identity.arn == "acs:ram::1111222233334444:assumed-role/rootwatchd-audit/\(session)")
        let credential = try await provider.credential()
        #expect(credential.accessKeyID.hasPrefix("STS."))
        #expect(credential.securityToken?.isEmpty == false)
        let report = try CredentialReport.parse(pages: download.pages)
        #expect(cloud.resolvedTime(offset: .seconds(-600)).contains(try #require(report.root.lastConsoleLogon)))

        let logged = try await cloud.requests(last: 50)
        #expect(logged.allSatisfy { $0.status == 200 && $0.signature == signature.rawValue })
        // One AssumeRole for the whole run: the provider caches the session.
        #expect(logged.filter { $0.action == "AssumeRole" }.map(\.account) == ["security"])
        let asAlpha = logged.filter { $0.action != "AssumeRole" }
        #expect(asAlpha.count >= 3)
        #expect(asAlpha.allSatisfy { $0.account == "alpha" && $0.accessKeyID?.hasPrefix("STS.") == true })
    }

    @Test func assumeRoleWithoutTheExternalIDIsForbiddenAndNotRetried() async throws {
        let fixture = try FakeCloudFixture.require()
        let sleeper = RecordingSleeper()
        let base = fixture.sts(try fixture.client(account: "security", sleeper: sleeper))

        let error = await FakeCloudFixture.cloudError {
            try await base.assumeRole(roleARN: Self.alphaRole, sessionName: "rootwatchd", externalID: "wrong")
        }

        #expect(error?.kind == .forbidden)
        #expect(error?.code == "NoPermission")
        #expect(error?.httpStatus == 403)
        #expect(error?.attempts == 1)
        #expect(FakeCloudFixture.isRequestID(error?.requestID))
        #expect(sleeper.durations.isEmpty)
    }

    /// Five ConsoleSignin events in the last 30 days (root and RAM, successful and failed; the
    /// root ApiCall is filtered out by the server), newest first, two per page.
    @Test(arguments: SignatureVersion.allCases)
    func lookupEventsFollowsNextToken(signature: SignatureVersion) async throws {
        let fixture = try FakeCloudFixture.require()
        let trail = fixture.actionTrail(try fixture.client(account: "alpha", signature: signature))
        let end = Date()
        let start = end.addingTimeInterval(-30 * 86_400)

        var pages: [LookupEventsPage] = []
        var token: String?
        repeat {
            let page = try await trail.lookupEvents(startTime: start, endTime: end, nextToken: token, maxResults: 2)
            pages.append(page)
            token = page.nextToken
        } while token != nil && pages.count < 10

        #expect(pages.map(\.events.count) == [2, 2, 1])
        #expect(pages.allSatisfy { FakeCloudFixture.isRequestID($0.requestID) })
        let events = pages.flatMap(\.events)
        #expect(events.allSatisfy { $0["eventName"]?.stringValue == "ConsoleSignin" })
        #expect(Set(events.compactMap { $0["eventId"]?.stringValue }).count == 5)
        let times = events.compactMap { $0["eventTime"]?.stringValue }
        #expect(times == times.sorted(by: >))
        let rootSignIns = events.filter { $0["userIdentity"]?["type"]?.stringValue == "root-account" }
        #expect(rootSignIns.count == 4)
    }
}
