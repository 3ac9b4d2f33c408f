import AlibabaCloud
import Foundation
import RootwatchTestSupport
import Testing

/// How error responses become typed `AlibabaCloudError`s that say what happened and whether to retry.
@Suite struct ErrorDecodingTests {
    static func decode(
        status: Int, body: String, headers: [(name: String, value: String)] = [],
        credential: AccessKeyCredential = Harness.key
    ) -> AlibabaCloudError? {
        let response = HTTPResponse(status: status, headers: headers, body: Array(body.utf8))
        guard
            case .failure(let error) = RPCResponseDecoder.decode(
                response, account: "prod", action: "GetCredentialReport", credential: credential)
        else { return nil }
        return error
    }

    static func body(_ code: String, _ message: String = "m") -> String {
        #"{"Code":"\#(code)","Message":"\#(message)","RequestId":"7A01826E-7601-44B0-B4DF-2B0C509836DE"}"#
    }

    @Test(arguments: [
        (400, "Throttling.User", AlibabaCloudError.Kind.throttled(retryAfter: nil), true),
        (400, "Throttling", .throttled(retryAfter: nil), true),
        (400, "Throttling.Api", .throttled(retryAfter: nil), true),
        (400, "SignatureDoesNotMatch", .signatureRejected, false),
        (400, "IncompleteSignature", .signatureRejected, false),
        (400, "InvalidTimeStamp.Expired", .signatureRejected, false),
        (400, "InvalidTimeStamp.Format", .signatureRejected, false),
        (400, "SignatureNonceUsed", .signatureRejected, false),
        (404, "InvalidAccessKeyId.NotFound", .credentialRejected, false),
        (400, "InvalidAccessKeyId.Inactive", .credentialRejected, false),
        (400, "InvalidSecurityToken.Expired", .credentialRejected, false),
        (400, "InvalidSecurityToken.MismatchWithAccessKey", .credentialRejected, false),
        (403, "Forbidden.RAM", .forbidden, false),
        (403, "NoPermission", .forbidden, false),
        (400, "InvalidParameter", .client, false),
        (400, "MissingParameter", .client, false),
        (500, "InternalError", .server, true),
        (503, "ServiceUnavailable", .server, true),
    ])
    func codesMapToKinds(status: Int, code: String, kind: AlibabaCloudError.Kind, retryable: Bool) throws {
        let error = try #require(Self.decode(status: status, body: Self.body(code)))
        #expect(error.kind == kind)
        #expect(error.isRetryable == retryable)
        #expect(error.code == code)
        #expect(error.httpStatus == status)
        #expect(error.requestID == "7A01826E-7601-44B0-B4DF-2B0C509836DE")
        #expect(error.account == "prod")
        #expect(error.action == "GetCredentialReport")
    }

    @Test func lowerCaseKeysAreRead() throws {
        let error = try #require(
            Self.decode(status: 400, body: #"{"code":"Throttling.User","message":"slow down","requestId":"r-1"}"#))
        #expect(error.code == "Throttling.User")
        #expect(error.message == "slow down")
        #expect(error.requestID == "r-1")
    }

    @Test func http429WithoutCodeIsThrottledWithRetryAfter() throws {
        let error = try #require(Self.decode(status: 429, body: "", headers: [("X-Acs-Retry-After", "1500")]))
        #expect(error.kind == .throttled(retryAfter: .milliseconds(1500)))
        #expect(error.isRetryable)
    }

    @Test func html503IsARetryableServerError() throws {
        let error = try #require(Self.decode(status: 503, body: "<html><body>Service Unavailable</body></html>"))
        #expect(error.kind == .server)
        #expect(error.isRetryable)
        #expect(error.code == nil)
        #expect(error.message == "response body is not JSON")
        #expect(
            error.description
                == "account prod: GetCredentialReport failed on the server side (HTTP 503): response body is not JSON; retryable"
        )
    }

    @Test func nonJSONSuccessBodyIsMalformed() throws {
        let error = try #require(Self.decode(status: 200, body: "<xml/>"))
        guard case .malformedResponse = error.kind else {
            Issue.record("expected malformedResponse, got \(error.kind)")
            return
        }
        #expect(!error.isRetryable)
        #expect(error.httpStatus == 200)
        #expect(error.description.contains("unreadable response"))
    }

    @Test func forbiddenStatusWithoutBodyIsForbidden() throws {
        #expect(Self.decode(status: 403, body: "")?.kind == .forbidden)
        #expect(Self.decode(status: 404, body: "")?.kind == .client)
    }

    @Test func successBodyDecodes() {
        let response = ScriptedTransport.json(#"{"RequestId":"r","State":"STARTED"}"#)
        let result = RPCResponseDecoder.decode(response, account: "prod", action: "A", credential: Harness.key)
        #expect((try? result.get())?.body["State"] == .string("STARTED"))
    }

    @Test func descriptionIsOneOperatorLine() throws {
        var error = try #require(
            Self.decode(status: 400, body: Self.body("Throttling.User", "Request was denied due to user flow control."))
        )
        error.attempts = 5
        #expect(
            error.description
                == "account prod: GetCredentialReport throttled (Throttling.User, HTTP 400, RequestId 7A01826E-7601-44B0-B4DF-2B0C509836DE): Request was denied due to user flow control.; gave up after 5 attempts"
        )
        #expect(error.retryingDescription(after: .milliseconds(1500)).hasSuffix("; retrying in 1.5 s (attempt 6)"))
        #expect(error.retryingDescription(after: .seconds(20)).hasSuffix("; retrying in 20 s (attempt 6)"))
        #expect(error.retryingDescription(after: .milliseconds(2050)).hasSuffix("; retrying in 2.05 s (attempt 6)"))
        #expect(!error.description.contains("\n"))
    }

    @Test func messagesAreScrubbedOfSecrets() throws {
        let sts = AccessKeyCredential(
            accessKeyID: "STS.NUabcdef123456", accessKeySecret: "supersecretvalue", securityToken: "CAIS/tok+en=")
        let echoed =
            "Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3DSTS.NUabcdef123456%26SecurityToken%3DCAIS%252Ftok%252Ben%253D key supersecretvalue raw CAIS/tok+en=\nline2"
        let json =
            #"{"Code":"SignatureDoesNotMatch","Message":"\#(echoed.replacingOccurrences(of: "\n", with: "\\n"))","RequestId":"r"}"#
        let error = try #require(Self.decode(status: 400, body: json, credential: sts))
        let text = error.description
        #expect(!text.contains("supersecretvalue"))
        #expect(!text.contains("CAIS"))
        #expect(!text.contains("NUabcdef123456"))
        #expect(text.contains("STS.****3456"))
        #expect(!text.contains("\n"))
        #expect(error.kind == .signatureRejected)
    }

    @Test func longMessagesAreShortened() throws {
        let error = try #require(
            Self.decode(status: 400, body: Self.body("InvalidParameter", String(repeating: "x", count: 1000))))
        #expect((error.message?.count ?? 0) <= 301)
    }
}
