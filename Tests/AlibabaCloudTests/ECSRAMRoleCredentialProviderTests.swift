import AlibabaCloud
import Foundation
import RootwatchTestSupport
import Testing

/// The instance RAM role provider against a scripted metadata service: token first, then the role,
/// then the credential; caching, token renewal, retries and what errors say.
@Suite struct ECSRAMRoleCredentialProviderTests {
    static let metadata = try! Endpoint("http://100.100.100.200")
    static let base = "http://100.100.100.200/latest/meta-data/ram/security-credentials/"
    static let secret = "roleSecretValue-DoNotShow"
    static let stsToken = "CAISroleSecurityTokenValue"

    let transport = ScriptedTransport()
    let sleeper = RecordingSleeper()

    func provider(roleName: String? = "rootwatchd-ecs") -> ECSRAMRoleCredentialProvider {
        let sleeper = sleeper
        return ECSRAMRoleCredentialProvider(
            metadata: Self.metadata, roleName: roleName, transport: transport, sleeper: sleeper,
            now: { sleeper.now() })
    }

    /// A credential document as the metadata service returns it.
    func credentialJSON(
        id: String = "STS.NTroleKey0001", expiresIn seconds: Double = 3600, code: String = "Success"
    ) -> String {
        let expiration = UTCTimestamp.format(sleeper.now().addingTimeInterval(seconds))
        return """
            {"AccessKeyId": "\(id)", "AccessKeySecret": "\(Self.secret)", "SecurityToken": "\(Self.stsToken)",
             "Expiration": "\(expiration)", "LastUpdated": "2025-01-02T03:04:05Z", "Code": "\(code)"}
            """
    }

    func text(_ body: String, status: Int = 200) -> ScriptedTransport.Step {
        .respond(HTTPResponse(status: status, headers: [("content-type", "text/plain")], body: Array(body.utf8)))
    }

    func failure(of provider: ECSRAMRoleCredentialProvider) async -> CredentialSourceError? {
        do {
            _ = try await provider.credential()
            return nil
        } catch {
            return error as? CredentialSourceError
        }
    }

    @Test func tokenThenDiscoveryThenCredential() async throws {
        transport.enqueue(text("imds-token-1"), text("rootwatchd-ecs\n"))
        transport.enqueueJSON(credentialJSON())
        let credential = try await provider(roleName: nil).credential()

        #expect(credential.accessKeyID == "STS.NTroleKey0001")
        #expect(credential.accessKeySecret == Self.secret)
        #expect(credential.securityToken == Self.stsToken)
        #expect(credential.expiration == Date(timeIntervalSince1970: 1_735_787_045 + 3600))
        let requests = transport.requests
        #expect(requests.map(\.method) == ["PUT", "GET", "GET"])
        #expect(
            requests.map(\.url) == ["http://100.100.100.200/latest/api/token", Self.base, Self.base + "rootwatchd-ecs"])
        #expect(requests[0].header("X-aliyun-ecs-metadata-token-ttl-seconds") == "21600")
        #expect(requests[0].header("X-aliyun-ecs-metadata-token") == nil)
        #expect(requests[1].header("X-aliyun-ecs-metadata-token") == "imds-token-1")
        #expect(requests[2].header("X-aliyun-ecs-metadata-token") == "imds-token-1")
        #expect(requests.allSatisfy { $0.connectTimeout == .seconds(1) && $0.timeout == .seconds(5) })
    }

    @Test func configuredRoleSkipsDiscovery() async throws {
        transport.enqueue(text("t1"))
        transport.enqueueJSON(credentialJSON())
        _ = try await provider(roleName: "audit-role").credential()
        #expect(transport.requests.map(\.url).last == Self.base + "audit-role")
        #expect(transport.requests.count == 2)
    }

    @Test func cachesUntilFifteenMinutesBeforeExpiry() async throws {
        let provider = provider()
        transport.enqueue(text("t1"))
        transport.enqueueJSON(credentialJSON(id: "STS.first", expiresIn: 3600))
        #expect(try await provider.credential().accessKeyID == "STS.first")

        sleeper.advance(by: .seconds(2699))  // 901 s left: still cached, nothing sent
        #expect(try await provider.credential().accessKeyID == "STS.first")
        #expect(transport.requests.count == 2)

        sleeper.advance(by: .seconds(1))  // 900 s left: refresh, reusing the session token
        transport.enqueueJSON(credentialJSON(id: "STS.second", expiresIn: 3600))
        #expect(try await provider.credential().accessKeyID == "STS.second")
        #expect(transport.requests.count == 3)
        #expect(transport.requests[2].method == "GET")
        #expect(transport.requests[2].header("X-aliyun-ecs-metadata-token") == "t1")
    }

    @Test func sessionTokenIsRenewedNearItsTTL() async throws {
        let provider = provider()
        transport.enqueue(text("t1"))
        transport.enqueueJSON(credentialJSON(expiresIn: 3600))
        _ = try await provider.credential()

        sleeper.advance(by: .seconds(21600 - 299))  // the token has less than 5 minutes left
        transport.enqueue(text("t2"))
        transport.enqueueJSON(credentialJSON(expiresIn: 3600))
        _ = try await provider.credential()
        #expect(transport.requests.map(\.method) == ["PUT", "GET", "PUT", "GET"])
        #expect(transport.requests[3].header("X-aliyun-ecs-metadata-token") == "t2")
    }

    @Test func rejectedTokenIsReplacedOnce() async throws {
        transport.enqueue(text("t1"), text("", status: 401), text("t2"))
        transport.enqueueJSON(credentialJSON())
        _ = try await provider().credential()
        let requests = transport.requests
        #expect(requests.map(\.method) == ["PUT", "GET", "PUT", "GET"])
        #expect(requests[3].header("X-aliyun-ecs-metadata-token") == "t2")
    }

    @Test func tokenRejectedAgainIsRefused() async throws {
        transport.enqueue(text("t1"), text("", status: 403), text("t2"), text("", status: 401))
        let error = try #require(await failure(of: provider()))
        #expect(error.kind == .refused)
        #expect(error.description.contains("refused a new session token (HTTP 401)"))
        #expect(transport.requests.count == 4)
        #expect(transport.remaining == 0)
    }

    @Test func tokenRefusalNeverFallsBackToTokenlessReads() async throws {
        transport.enqueue(text("", status: 403))
        let error = try #require(await failure(of: provider()))
        #expect(error.kind == .refused)
        #expect(
            error.description
                == "ecs-ram-role: metadata service at http://100.100.100.200 refused a session token (HTTP 403); "
                + "token-less (IMDSv1) access is not used")
        #expect(transport.requests.count == 1)
    }

    @Test func codeOtherThanSuccessIsRefusedWithoutSecrets() async throws {
        transport.enqueue(text("t1"))
        transport.enqueueJSON(credentialJSON(code: "Failed"))
        let error = try #require(await failure(of: provider()))
        #expect(error.kind == .refused)
        #expect(
            error.description
                == "ecs-ram-role: metadata service at http://100.100.100.200 answered Code \"Failed\" for role \"rootwatchd-ecs\""
        )
    }

    @Test(arguments: [
        (
            #"{"Code": "Success", "AccessKeyId": "STS.x", "SecurityToken": "CAISroleSecurityTokenValue", "Expiration": "2030-01-01T00:00:00Z"}"#,
            "no AccessKeySecret"
        ),
        (
            #"{"Code": "Success", "AccessKeyId": "STS.x", "AccessKeySecret": "roleSecretValue-DoNotShow", "Expiration": "2030-01-01T00:00:00Z"}"#,
            "no SecurityToken"
        ),
        (
            #"{"Code": "Success", "AccessKeyId": "STS.x", "AccessKeySecret": "roleSecretValue-DoNotShow", "SecurityToken": "CAISroleSecurityTokenValue", "Expiration": "soon"}"#,
            "Expiration is not a UTC timestamp"
        ),
        (#"{"AccessKeyId": "STS.x", "AccessKeySecret": "roleSecretValue-DoNotShow"}"#, "no Code"),
        (#"AccessKeySecret=roleSecretValue-DoNotShow"#, "not a JSON object"),
    ])
    func unreadableCredentialsNameTheProblemNotTheValues(body: String, problem: String) async throws {
        transport.enqueue(text("imds-session-token"))
        transport.enqueueJSON(body)
        let error = try #require(await failure(of: provider()))
        #expect(error.kind == .malformed)
        #expect(error.description.hasSuffix("for role \"rootwatchd-ecs\" (\(problem))"))
        for secret in [Self.secret, Self.stsToken, "imds-session-token"] {
            #expect(!error.description.contains(secret))
        }
    }

    @Test func networkFailuresAreRetriedThenBounded() async throws {
        for _ in 0..<3 { transport.enqueue(.fail(.connect("Could not connect to 100.100.100.200 port 80"))) }
        let error = try #require(await failure(of: provider()))
        #expect(error.kind == .unreachable && error.isRetryable)
        #expect(
            error.description
                == "ecs-ram-role: metadata service at http://100.100.100.200 did not answer: connection failed: "
                + "Could not connect to 100.100.100.200 port 80; gave up after 3 attempts")
        #expect(sleeper.durations == [.milliseconds(500), .seconds(1)])
        #expect(transport.requests.count == 3)
    }

    @Test func serverErrorsAndTimeoutsAreRetriedOnEachStep() async throws {
        transport.enqueue(text("busy", status: 503), text("t1"), .fail(.timeout("5000 ms")), text("rootwatchd-ecs"))
        transport.enqueueJSON(credentialJSON())
        let credential = try await provider(roleName: nil).credential()
        #expect(credential.accessKeyID == "STS.NTroleKey0001")
        #expect(sleeper.durations == [.milliseconds(500), .milliseconds(500)])
    }

    @Test func tlsOrInvalidRequestIsNotRetried() async throws {
        transport.enqueue(.fail(.invalidRequest("bad URL")))
        let error = try #require(await failure(of: provider()))
        #expect(error.description.hasSuffix("did not answer: invalid request: bad URL"))
        #expect(sleeper.durations.isEmpty)
    }

    @Test func concurrentCallersShareOneRefresh() async throws {
        let provider = provider()
        transport.enqueue(text("t1"))
        transport.enqueueJSON(credentialJSON(id: "STS.shared"))
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try await provider.credential().accessKeyID } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(ids == Array(repeating: "STS.shared", count: 8))
        #expect(transport.requests.count == 2)
    }

    @Test func aStillValidCredentialServesWhileTheServiceIsDown() async throws {
        let provider = provider()
        transport.enqueue(text("t1"))
        transport.enqueueJSON(credentialJSON(id: "STS.cached", expiresIn: 3600))
        _ = try await provider.credential()

        sleeper.advance(by: .seconds(2800))  // 800 s left: due for refresh, which fails
        for _ in 0..<3 { transport.enqueue(.fail(.connect("refused"))) }
        #expect(try await provider.credential().accessKeyID == "STS.cached")

        sleeper.advance(by: .seconds(745))  // under a minute left: the failure surfaces
        for _ in 0..<3 { transport.enqueue(.fail(.connect("refused"))) }
        let error = try #require(await failure(of: provider))
        #expect(error.kind == .unreachable)
    }

    @Test func noRoleAttachedIsAConfigurationError() async throws {
        transport.enqueue(text("t1"), text("", status: 404))
        let missing = try #require(await failure(of: provider(roleName: nil)))
        #expect(missing.kind == .configuration)
        #expect(missing.description.contains("no RAM role is attached to this instance"))

        transport.enqueue(text("t2"), text("  \n"))
        let empty = try #require(await failure(of: provider(roleName: nil)))
        #expect(empty.kind == .configuration)
    }

    @Test func unknownConfiguredRoleIsAConfigurationError() async throws {
        transport.enqueue(text("t1"), text("Not Found", status: 404))
        let error = try #require(await failure(of: provider(roleName: "other-role")))
        #expect(error.kind == .configuration)
        #expect(
            error.description == "ecs-ram-role: RAM role \"other-role\" is not attached to this instance (HTTP 404)")
    }

    @Test func invalidConfiguredRoleNameIsNeverPutInAURL() async throws {
        transport.enqueue(text("t1"))
        let error = try #require(await failure(of: provider(roleName: "../../api/token")))
        #expect(error.kind == .configuration)
        #expect(transport.requests.map(\.method) == ["PUT"])
    }
}
