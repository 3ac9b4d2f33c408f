import AlibabaCloud
import Foundation
import RootwatchTestSupport
import Testing

/// The requests `RPCClient` puts on the wire: shape, parameters, headers, and signatures a server
/// would accept.
@Suite struct RPCClientRequestTests {
    static let ok = #"{"RequestId":"R1","State":"COMPLETED"}"#

    @Test func v3RequestCarriesHeadersAndVerifies() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(Self.ok)
        let client = harness.client(.v3)
        let endpoint = try Endpoint("http://127.0.0.1:8123")
        let response = try await client.call(
            action: "GetCredentialReport", version: "2019-08-15", parameters: ["NextToken": "a b+c"],
            endpoint: endpoint)
        #expect(response.requestID == "R1")
        let request = try #require(harness.transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.url == "http://127.0.0.1:8123/?NextToken=a%20b%2Bc")
        #expect(request.body.isEmpty)
        #expect(request.header("host") == "127.0.0.1:8123")
        #expect(request.header("x-acs-action") == "GetCredentialReport")
        #expect(request.header("x-acs-version") == "2019-08-15")
        #expect(request.header("x-acs-date") == "2025-01-02T03:04:05Z")
        #expect(request.header("x-acs-signature-nonce") == "n1")
        #expect(
            request.header("x-acs-content-sha256")
                == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(request.header("x-acs-security-token") == nil)
        #expect(queryParameters(request)["Action"] == nil)
        #expect(queryParameters(request)["Format"] == nil)
        #expect(verifyV3(request, accessKeyID: Harness.key.accessKeyID, secret: Harness.key.accessKeySecret))
        #expect(!verifyV3(request, accessKeyID: Harness.key.accessKeyID, secret: "wrong"))
        #expect(request.connectTimeout == .seconds(5))
        #expect(request.timeout == .seconds(30))
    }

    @Test func v3WithSTSCredentialSignsTokenAndKeyIDHeaders() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(Self.ok)
        let sts = AccessKeyCredential(
            accessKeyID: "STS.NUxyz1234", accessKeySecret: "stssecret", securityToken: "CAIS/tok+en=")
        _ = try await harness.client(.v3, credential: sts).call(
            action: "GenerateCredentialReport", version: "2019-08-15", endpoint: Harness.imsEndpoint)
        let request = try #require(harness.transport.requests.first)
        #expect(request.url == "https://ims.aliyuncs.com/")
        #expect(request.header("host") == "ims.aliyuncs.com")
        #expect(request.header("x-acs-security-token") == "CAIS/tok+en=")
        #expect(request.header("x-acs-accesskey-id") == "STS.NUxyz1234")
        let authorization = try #require(request.header("authorization"))
        #expect(authorization.contains("x-acs-accesskey-id;"))
        #expect(authorization.contains("x-acs-security-token;"))
        #expect(verifyV3(request, accessKeyID: "STS.NUxyz1234", secret: "stssecret"))
    }

    @Test func v1RequestCarriesCommonParametersAndVerifies() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(Self.ok)
        _ = try await harness.client(.v1).call(
            action: "GetCredentialReport", version: "2019-08-15", parameters: ["NextToken": "a b*c~"],
            endpoint: Harness.imsEndpoint)
        let request = try #require(harness.transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.body.isEmpty)
        #expect(request.header("authorization") == nil)
        #expect(request.url.hasPrefix("https://ims.aliyuncs.com/?AccessKeyId=LTAI5tTESTKEY0001&Action="))
        #expect(request.url.contains("NextToken=a%20b%2Ac~&"))
        let query = queryParameters(request)
        #expect(query["Action"] == "GetCredentialReport")
        #expect(query["Version"] == "2019-08-15")
        #expect(query["Format"] == "JSON")
        #expect(query["SignatureMethod"] == "HMAC-SHA1")
        #expect(query["SignatureVersion"] == "1.0")
        #expect(query["SignatureNonce"] == "n1")
        #expect(query["Timestamp"] == "2025-01-02T03:04:05Z")
        #expect(query["SecurityToken"] == nil)
        #expect(verifyV1(request, secret: Harness.key.accessKeySecret))
        #expect(!verifyV1(request, secret: "wrong"))
    }

    @Test func v1WithSTSCredentialSignsSecurityToken() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(Self.ok)
        let sts = AccessKeyCredential(
            accessKeyID: "STS.NUxyz1234", accessKeySecret: "stssecret", securityToken: "T/k+n=")
        _ = try await harness.client(.v1, credential: sts).call(
            action: "GenerateCredentialReport", version: "2019-08-15", endpoint: Harness.imsEndpoint)
        let request = try #require(harness.transport.requests.first)
        #expect(queryParameters(request)["SecurityToken"] == "T/k+n=")
        #expect(queryParameters(request)["AccessKeyId"] == "STS.NUxyz1234")
        #expect(verifyV1(request, secret: "stssecret"))
    }

    @Test func caFileAndTimeoutsPassThrough() async throws {
        let harness = Harness()
        harness.transport.enqueueJSON(Self.ok)
        var client = harness.client(caFile: "/etc/rootwatchd/ca.pem")
        client.options.connectTimeout = .seconds(2)
        client.options.timeout = .seconds(9)
        _ = try await client.call(
            action: "GenerateCredentialReport", version: "2019-08-15", endpoint: Harness.imsEndpoint)
        let request = try #require(harness.transport.requests.first)
        #expect(request.caFile == "/etc/rootwatchd/ca.pem")
        #expect(request.connectTimeout == .seconds(2))
        #expect(request.timeout == .seconds(9))
    }

    @Test func eachAttemptGetsAFreshNonceAndDate() async throws {
        let harness = Harness()
        harness.transport.enqueue(.fail(.connect("refused")))
        harness.transport.enqueueJSON(Self.ok)
        _ = try await harness.client().call(
            action: "GenerateCredentialReport", version: "2019-08-15", endpoint: Harness.imsEndpoint)
        let requests = harness.transport.requests
        #expect(requests.map { $0.header("x-acs-signature-nonce") } == ["n1", "n2"])
        #expect(requests[0].header("x-acs-date") != nil)
        #expect(
            requests.allSatisfy {
                verifyV3($0, accessKeyID: Harness.key.accessKeyID, secret: Harness.key.accessKeySecret)
            })
    }
}
